// One live instance of an operator module: copies a batch into its memory (the hop's one memcpy),
// calls `act`, and validates what comes back like an untrusted body (spec/operator-abi.md).
import {
  BatchError,
  columnSlices,
  decodeBatch,
  decodeSlices,
  encodedByteLength,
  type Schema,
  type ValidationKernels,
  writeSlices,
} from "../columnar/index.ts";
import { ColwasmError } from "../error.ts";
import type { CopyMeter } from "./copy-meter.ts";
import {
  isFastCopyPlacement,
  memoryAddressOf,
  noteMemoryBuffer,
  PLACED_COPY_MIN_BYTES,
  PLACEMENT_ROOM_BYTES,
  placeInRegion,
  placementPad,
} from "./copy-placement.ts";
import type { OperatorManifest } from "./manifest.ts";
import { bindValidationKernels } from "./validation-kernels.ts";
import type { OperatorBatch } from "./operator-batch.ts";
import { OperatorError, type OperatorFailure } from "./operator-error.ts";
import { type OperatorLimits, WASM_PAGE_BYTES } from "./operator-limits.ts";

/** A compiled operator ready to instantiate: the host never compiles bytes itself. */
export interface HostedOperator {
  readonly name: string;
  readonly module: WebAssembly.Module;
  readonly manifest: OperatorManifest;
}

interface OperatorExports {
  memory: WebAssembly.Memory;
  /** Loop budget added by meterFuel (src/wasm/meter-fuel.ts); 0 after a trap means out of fuel. */
  fuel?: WebAssembly.Global;
  /** Set to 1 by instrumented modules when a `memory.grow` failed (src/wasm/meter-fuel.ts). */
  growFailed?: WebAssembly.Global;
  act: (ptr: number, len: number) => number;
  alloc?: (size: number) => number;
  error?: () => number;
  reset?: () => void;
}

/** The input as the format 0.1 slices every operator reads, and their encoded size. */
interface Layout01 {
  readonly slices: readonly Uint8Array[];
  readonly byteLength: number;
  /** The whole batch as one format-0.1 region, when it is one: copied in by a single memcpy. */
  readonly contiguous?: Uint8Array;
}

/** Computed once per hop: a contiguous 0.1 body already has both. */
function layout01(input: OperatorBatch): Layout01 {
  if (input.bytes !== undefined && input.format === "0.1") {
    return { slices: input.slices, byteLength: input.bytes.byteLength, contiguous: input.bytes };
  }
  const slices = input.format === "0.1" ? input.slices : columnSlices(input.column, "0.1");
  return { slices, byteLength: encodedByteLength(slices, "0.1") };
}

/** Sets a fuel budget: an i64 global takes a BigInt (modules metered before i64 fuel hold an i32). */
function setFuel(fuel: WebAssembly.Global, budget: number): void {
  fuel.value = typeof fuel.value === "bigint" ? BigInt(budget) : Math.min(budget, 0x7fffffff);
}

const asFunction = <T>(value: unknown): T | undefined =>
  typeof value === "function" ? (value as T) : undefined;

/** A live instance; after any failure it must be discarded (the pool does that). */
export class OperatorInstance {
  readonly #op: HostedOperator;
  readonly #limits: OperatorLimits;
  readonly #exports: OperatorExports;
  readonly #kernelModule: WebAssembly.Module | undefined;
  #kernels: ValidationKernels | undefined;
  #hasAllocated = false;
  /**
   * Copy placement (#placeForCopy) needs a `reset` that rewinds the allocator: `"seen"` once a
   * reset was followed by the same first address as the batch before, `"off"` once a placement
   * showed it does not, and until then the first address after a reset.
   */
  #rewind: number | "seen" | "off" | undefined;
  #blogRegion = { ptr: 0, bytes: 0 };
  /** The region handed out by `reserveInput`, until `runReserved` consumes it. */
  #reserved: { ptr: number; len: number } | undefined;

  private constructor(
    op: HostedOperator,
    limits: OperatorLimits,
    exports: OperatorExports,
    kernelModule?: WebAssembly.Module,
  ) {
    this.#op = op;
    this.#limits = limits;
    this.#exports = exports;
    this.#kernelModule = kernelModule;
  }

  /**
   * Instantiates `op` (synchronously, from its compiled module, with no imports). With
   * `kernelModule` (dist/kernels/validate.wasm), its outputs are validated by WASM kernels bound to
   * its memory instead of JS loops.
   */
  static create(
    op: HostedOperator,
    limits: OperatorLimits,
    kernelModule?: WebAssembly.Module,
  ): OperatorInstance {
    let instance: WebAssembly.Instance;
    try {
      instance = new WebAssembly.Instance(op.module, {});
    } catch (error) {
      throw new OperatorError(op.name, "trap", `Cannot instantiate operator "${op.name}": ${String(error)}`, {
        cause: error,
      });
    }
    const e = instance.exports;
    const act = asFunction<OperatorExports["act"]>(e.act);
    if (!(e.memory instanceof WebAssembly.Memory) || act === undefined) {
      throw new OperatorError(
        op.name,
        "invalid-output",
        `Cannot run operator "${op.name}": it lacks memory or act`,
      );
    }
    return new OperatorInstance(
      op,
      limits,
      {
        memory: e.memory,
        fuel: e.__colwasm_fuel instanceof WebAssembly.Global ? e.__colwasm_fuel : undefined,
        growFailed:
          e.__colwasm_grow_failed instanceof WebAssembly.Global ? e.__colwasm_grow_failed : undefined,
        act,
        alloc: asFunction(e.alloc),
        error: asFunction(e.error),
        reset: asFunction(e.reset),
      },
      kernelModule,
    );
  }

  #fail(reason: OperatorFailure, message: string, cause?: unknown): OperatorError {
    return new OperatorError(this.#op.name, reason, `Operator "${this.#op.name}" failed: ${message}`, {
      cause,
    });
  }

  #pages(): number {
    return this.#exports.memory.buffer.byteLength / WASM_PAGE_BYTES;
  }

  /**
   * True when a failing call ran out of memory. `memory.grow` past the (patched) maximum returns -1
   * inside WASM, invisible to the host: instrumented modules (instrumentOperator) record it in a
   * global; for others, a call that grew memory into the top half of its cap counts.
   */
  #nearMemoryCap(pagesBefore: number): boolean {
    if (this.#exports.growFailed?.value === 1) return true;
    const pages = this.#pages();
    return pages > pagesBefore && pages * 2 > this.#limits.maxMemoryPages;
  }

  /** Calls into WASM, turning traps into OperatorErrors (memory when the cap was reached). */
  #call<T>(what: string, fn: () => T, pagesBefore = this.#pages()): T {
    let result: T;
    const fuel = this.#exports.fuel;
    if (fuel !== undefined && this.#limits.fuel !== undefined) setFuel(fuel, this.#limits.fuel);
    if (this.#exports.growFailed !== undefined) this.#exports.growFailed.value = 0;
    try {
      result = fn();
    } catch (error) {
      if (error instanceof ColwasmError) throw error;
      if (fuel !== undefined && Number(fuel.value) === 0) {
        throw this.#fail(
          "deadline",
          `${what} ran out of fuel (${this.#limits.fuel} loop iterations, the deadline of ${this.#limits.deadlineMs} ms)`,
          error,
        );
      }
      const atCap = this.#pages() >= this.#limits.maxMemoryPages || this.#nearMemoryCap(pagesBefore);
      const reason: OperatorFailure = atCap ? "memory" : "trap";
      const detail = atCap
        ? `memory limit of ${this.#limits.maxMemoryPages} pages reached (${String(error)})`
        : String(error);
      throw this.#fail(reason, `${what} trapped: ${detail}`, error);
    }
    if (this.#pages() > this.#limits.maxMemoryPages) {
      throw this.#fail(
        "memory",
        `${what} grew memory to ${this.#pages()} pages, the limit is ${this.#limits.maxMemoryPages}`,
      );
    }
    return result;
  }

  /** Copies the batch of `layout` (format 0.1) to `ptr`: the one metered memcpy of this hop. */
  #copyIn(layout: Layout01, ptr: number, meter: CopyMeter): void {
    const memory = new Uint8Array(this.#exports.memory.buffer);
    if (layout.contiguous !== undefined) {
      meter.copy(memory, ptr, layout.contiguous);
    } else {
      const byteLength = layout.byteLength;
      writeSlices(memory.subarray(ptr, ptr + byteLength), layout.slices, "0.1");
      meter.count(byteLength); // the hop input, framed: same figure as the contiguous case
    }
  }

  /** Runs one batch; the returned views stay valid until this instance is called again. */
  run(input: OperatorBatch, meter: CopyMeter): OperatorBatch {
    return this.#op.manifest.abi === "blog" ? this.#runBlog(input, meter) : this.#runNative(input, meter);
  }

  /** True when `reserveInput` can take this operator's input (colwasm/1: the input region is its own). */
  get canReserveInput(): boolean {
    return this.#op.manifest.abi === "colwasm/1";
  }

  /**
   * Reserves `len` bytes of this instance's memory (`alloc`) for its next input and returns a view
   * of them: the caller writes a format-0.1 batch there (a request body, read straight in: the hop's
   * one copy) and then calls `runReserved`. No other call may come in between.
   */
  reserveInput(len: number): Uint8Array {
    if (!this.canReserveInput)
      throw new Error(`operator "${this.#op.name}" (blog ABI) takes no reserved input`);
    const ptr = this.#allocInput(len);
    this.#reserved = { ptr, len };
    return new Uint8Array(this.#exports.memory.buffer, ptr, len);
  }

  /**
   * Validates the batch written into the reserved region where it lies (kernels bound to this
   * memory; `isTrusted` only frames it) and runs it. A malformed batch throws its BatchError: the
   * input was at fault, not the operator, and this instance stays usable.
   */
  runReserved(schema: Schema, meter: CopyMeter, options: { isTrusted?: boolean } = {}): OperatorBatch {
    const reserved = this.#reserved;
    if (reserved === undefined) throw new Error("runReserved without reserveInput");
    this.#reserved = undefined;
    const { ptr, len } = reserved;
    decodeBatch(new Uint8Array(this.#exports.memory.buffer, ptr, len), schema, {
      kernels: this.#boundKernels(),
      isTrusted: options.isTrusted,
    });
    meter.count(len); // the body written into the region: this hop's one copy
    return this.#act(ptr, len);
  }

  /**
   * Resets the instance (after its first batch) and allocates its input region. `source`: the
   * address the input will be copied from, when it lies in another operator's memory; the region is
   * then moved, where the allocator allows, to where that copy avoids 4K aliasing.
   */
  #allocInput(len: number, source?: number): number {
    const e = this.#exports;
    // after any earlier alloc, even one whose batch was then refused
    if (this.#hasAllocated && e.reset !== undefined) this.#call("reset", () => e.reset?.());
    this.#hasAllocated = true;
    const ptr = this.#allocChecked(len);
    if (typeof this.#rewind !== "string") this.#rewind = this.#rewind === ptr ? "seen" : ptr;
    if (
      source === undefined ||
      this.#rewind !== "seen" ||
      len < PLACED_COPY_MIN_BYTES ||
      isFastCopyPlacement(ptr, source)
    )
      return ptr;
    return this.#placeForCopy(len, ptr, source);
  }

  /**
   * Allocates the input region again `placementPad` bytes on (after a block of that size, as a bump
   * allocator hands out), if that lands where the copy from `source` runs at full speed; else
   * allocates it where it was (what any allocator that resets to the same state answers again).
   * Only for allocators whose reset was seen to rewind (else the first region would leak), and
   * with room to spare under the memory cap, so the extra block never costs a batch that fits.
   */
  #placeForCopy(len: number, ptr: number, source: number): number {
    const { alloc, reset, memory } = this.#exports;
    const pad = placementPad(ptr, source);
    const capBytes = this.#limits.maxMemoryPages * WASM_PAGE_BYTES;
    if (alloc === undefined || reset === undefined || ptr + pad + len + WASM_PAGE_BYTES > capBytes)
      return ptr;
    this.#call("reset", () => reset());
    if (this.#call("alloc", () => alloc(pad)) >>> 0 !== ptr) {
      // the pad block did not start where the input did: this reset does not rewind; never again
      this.#rewind = "off";
      this.#call("reset", () => reset());
      return this.#allocChecked(len);
    }
    const moved = this.#call("alloc", () => alloc(len)) >>> 0;
    const isRegion = moved !== 0 && moved % 8 === 0 && moved + len <= memory.buffer.byteLength;
    if (isRegion && isFastCopyPlacement(moved, source)) return moved;
    this.#call("reset", () => reset());
    return this.#allocChecked(len);
  }

  /** `alloc(len)`, checked: a non-zero 8-aligned region inside memory, or the operator's failure. */
  #allocChecked(len: number): number {
    const e = this.#exports;
    const alloc = e.alloc;
    if (alloc === undefined) throw this.#fail("invalid-output", "it exports no alloc");
    const pagesBefore = this.#pages();
    const ptr = this.#call("alloc", () => alloc(len), pagesBefore) >>> 0;
    // an input larger than the memory cap leaves room: alloc fails its memory.grow and answers 0
    if (
      ptr === 0 &&
      (this.#nearMemoryCap(pagesBefore) || len > this.#limits.maxMemoryPages * WASM_PAGE_BYTES)
    ) {
      throw this.#fail(
        "memory",
        `the input (${len} bytes) does not fit under the memory limit of ${this.#limits.maxMemoryPages} pages`,
      );
    }
    if (ptr === 0 || ptr % 8 !== 0 || ptr + len > e.memory.buffer.byteLength) {
      throw this.#fail(
        "invalid-output",
        `alloc(${len}) returned ${ptr}, not a non-zero 8-aligned address inside memory`,
      );
    }
    return ptr;
  }

  #runNative(input: OperatorBatch, meter: CopyMeter): OperatorBatch {
    const layout = layout01(input);
    const ptr = this.#allocInput(layout.byteLength, memoryAddressOf(layout.contiguous));
    this.#copyIn(layout, ptr, meter);
    return this.#act(ptr, layout.byteLength);
  }

  /** colwasm/1 `act` over the batch at [ptr, ptr + len); its output validated in place. */
  #act(ptr: number, len: number): OperatorBatch {
    const e = this.#exports;
    const pagesBefore = this.#pages();
    const out = this.#call("act", () => e.act(ptr, len), pagesBefore) >>> 0;
    if (out === 0 && this.#nearMemoryCap(pagesBefore)) {
      throw this.#fail(
        "memory",
        `act returned 0 after growing memory to ${this.#pages()} pages (limit ${this.#limits.maxMemoryPages})`,
      );
    }
    if (out === 0) throw this.#fail("error", this.#errorMessage());
    return this.#readOutput(out);
  }

  /** The kernels bound to this instance's memory, when the host has them. */
  #boundKernels(): ValidationKernels | undefined {
    if (this.#kernels === undefined && this.#kernelModule !== undefined) {
      this.#kernels = bindValidationKernels(this.#kernelModule, this.#exports.memory);
    }
    return this.#kernels;
  }

  #errorMessage(): string {
    const error = this.#exports.error;
    if (error === undefined) return "act returned 0";
    const ptr = this.#call("error", () => error()) >>> 0;
    const memory = new Uint8Array(this.#exports.memory.buffer);
    if (ptr === 0 || ptr + 8 > memory.length) return "act returned 0";
    const view = new DataView(memory.buffer, ptr, 8);
    const length = view.getUint32(4, true) === 0 ? Math.min(view.getUint32(0, true), 4096) : 4096;
    const end = Math.min(ptr + 8 + length, memory.length);
    return `act returned 0: ${new TextDecoder().decode(memory.subarray(ptr + 8, end))}`;
  }

  #readOutput(out: number): OperatorBatch {
    const memory = new Uint8Array(this.#exports.memory.buffer);
    noteMemoryBuffer(memory.buffer); // the next hop copies from here: see #allocInput
    if (out % 8 !== 0 || out >= memory.length) {
      throw this.#fail(
        "invalid-output",
        `act returned address ${out}, not an 8-aligned address inside memory (${memory.length} bytes)`,
      );
    }
    try {
      const view = decodeBatch(memory.subarray(out), this.#op.manifest.output, {
        isRegion: true,
        kernels: this.#boundKernels(),
      });
      if (view.byteLength > this.#limits.maxOutputBytes) {
        throw new ColwasmError(
          "too-large",
          `Operator "${this.#op.name}" returned ${view.byteLength} bytes, the output limit is ${this.#limits.maxOutputBytes}`,
          { operator: this.#op.name },
        );
      }
      return view;
    } catch (error) {
      if (!(error instanceof BatchError)) throw error;
      throw this.#fail("invalid-output", `its output is not a valid batch: ${error.message}`, error);
    }
  }

  /** The seed's ABI: input written into fresh pages, `act` returns n u64s replacing the last column. */
  #runBlog(input: OperatorBatch, meter: CopyMeter): OperatorBatch {
    const e = this.#exports;
    const layout = layout01(input);
    const { slices, byteLength: len } = layout;
    // with room to place a large input, where that still fits under the cap
    if (this.#blogRegion.bytes < len) {
      this.#growBlogRegion(len, len >= PLACED_COPY_MIN_BYTES ? PLACEMENT_ROOM_BYTES : 0);
    }
    const region = this.#blogRegion;
    // the host owns this region: it places a large input where its copy avoids 4K aliasing
    const ptr = placeInRegion(region.ptr, region.bytes, len, memoryAddressOf(layout.contiguous));
    this.#copyIn(layout, ptr, meter);
    const out = this.#call("act", () => e.act(ptr, len)) >>> 0;
    if (out === 0) throw this.#fail("error", "act returned 0");
    const memory = new Uint8Array(e.memory.buffer);
    const valueBytes = input.length * 8;
    if (out + valueBytes > memory.length) {
      throw this.#fail(
        "invalid-output",
        `act returned address ${out}, but ${input.length} values do not fit before the end of memory`,
      );
    }
    let values = memory.subarray(out, out + valueBytes);
    if (out % 8 !== 0) {
      values = new Uint8Array(valueBytes);
      meter.copy(values, 0, memory.subarray(out, out + valueBytes)); // copy: unaligned result, views need 8-alignment
    }
    const outSlices = [...slices.slice(0, -1), values];
    try {
      const column = decodeSlices(outSlices, this.#op.manifest.output, "0.1");
      return {
        schema: this.#op.manifest.output,
        format: "0.1",
        length: column.length,
        column,
        slices: outSlices,
      };
    } catch (error) {
      if (!(error instanceof BatchError)) throw error;
      throw this.#fail("invalid-output", `its output is not a valid batch: ${error.message}`, error);
    }
  }

  /** Grows memory so the blog input region (never at address 0) holds `bytes`, and `room` more where that fits under the cap. */
  #growBlogRegion(bytes: number, room = 0): void {
    const memory = this.#exports.memory;
    const start = Math.max(memory.buffer.byteLength, WASM_PAGE_BYTES);
    const roomy = start + bytes + room <= this.#limits.maxMemoryPages * WASM_PAGE_BYTES;
    const pages = Math.ceil((start + bytes + (roomy ? room : 0)) / WASM_PAGE_BYTES) - this.#pages();
    if (this.#pages() + pages > this.#limits.maxMemoryPages) {
      throw this.#fail(
        "memory",
        `the input (${bytes} bytes) does not fit under the memory limit of ${this.#limits.maxMemoryPages} pages`,
      );
    }
    try {
      memory.grow(pages);
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      throw this.#fail("memory", `cannot grow memory by ${pages} pages for the input`, error);
    }
    this.#blogRegion = { ptr: start, bytes: this.#pages() * WASM_PAGE_BYTES - start };
  }
}
