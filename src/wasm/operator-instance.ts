// One live instance of an operator module: copies a batch into its memory (the hop's one memcpy),
// calls `act`, and validates what comes back like an untrusted body (spec/operator-abi.md). The
// guarded calls, the input allocation and the blog ABI each live in their own file beside it.
import { BatchError, decodeBatch, type Schema, type ValidationKernels } from "../columnar/index.ts";
import { ColwasmError } from "../error.ts";
import { BlogAbiRunner } from "./blog-abi.ts";
import type { CopyMeter } from "./copy-meter.ts";
import { memoryAddressOf, noteMemoryBuffer } from "./copy-placement.ts";
import { InputAllocator } from "./input-allocator.ts";
import { copyInputIn, inputLayout } from "./input-layout.ts";
import type { OperatorManifest } from "./manifest.ts";
import type { OperatorBatch } from "./operator-batch.ts";
import { OperatorCalls } from "./operator-calls.ts";
import type { OperatorLimits } from "./operator-limits.ts";
import { bindValidationKernels } from "./validation-kernels.ts";

/** A compiled operator ready to instantiate: the host never compiles bytes itself. */
export interface HostedOperator {
  readonly name: string;
  readonly module: WebAssembly.Module;
  readonly manifest: OperatorManifest;
}

/** A live instance; after any failure it must be discarded (the pool does that). */
export class OperatorInstance {
  readonly #op: HostedOperator;
  readonly #calls: OperatorCalls;
  readonly #inputs: InputAllocator;
  readonly #blog: BlogAbiRunner | undefined;
  readonly #kernelModule: WebAssembly.Module | undefined;
  #kernels: ValidationKernels | undefined;
  /** The region handed out by `reserveInput`, until `runReserved` consumes it. */
  #reserved: { ptr: number; len: number } | undefined;

  private constructor(op: HostedOperator, calls: OperatorCalls, kernelModule?: WebAssembly.Module) {
    this.#op = op;
    this.#calls = calls;
    this.#inputs = new InputAllocator(calls);
    this.#blog = op.manifest.abi === "blog" ? new BlogAbiRunner(calls, op.manifest.output) : undefined;
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
    return new OperatorInstance(op, OperatorCalls.instantiate(op.name, op.module, limits), kernelModule);
  }

  /** Runs one batch; the returned views stay valid until this instance is called again. */
  run(input: OperatorBatch, meter: CopyMeter): OperatorBatch {
    if (this.#blog !== undefined) return this.#blog.run(input, meter);
    const layout = inputLayout(input);
    const ptr = this.#inputs.allocInput(layout.byteLength, memoryAddressOf(layout.contiguous));
    copyInputIn(this.#calls.exports.memory, layout, ptr, meter);
    return this.#act(ptr, layout.byteLength);
  }

  /** What the last batch's `act` printed (stdout/stderr, console, trace; its last 2 KiB), or "". */
  get printed(): string {
    return this.#calls.printed();
  }

  /** Bytes of this instance's memory now (it never shrinks): what keeping it idle costs. */
  get memoryBytes(): number {
    return this.#calls.exports.memory.buffer.byteLength;
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
    const ptr = this.#inputs.allocInput(len);
    this.#reserved = { ptr, len };
    return new Uint8Array(this.#calls.exports.memory.buffer, ptr, len);
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
    decodeBatch(new Uint8Array(this.#calls.exports.memory.buffer, ptr, len), schema, {
      kernels: this.#boundKernels(),
      isTrusted: options.isTrusted,
    });
    meter.count(len); // the body written into the region: this hop's one copy
    return this.#act(ptr, len);
  }

  /** colwasm/1 `act` over the batch at [ptr, ptr + len); its output validated in place. */
  #act(ptr: number, len: number): OperatorBatch {
    const calls = this.#calls;
    const act = calls.exports.act;
    const pagesBefore = calls.pages();
    const out = calls.address("act", () => act(ptr, len), pagesBefore);
    // what act wrote on stdout/stderr, read before error() is called (a call starts afresh)
    const printed = out === 0 ? calls.printedSuffix() : "";
    if (out === 0 && calls.nearMemoryCap(pagesBefore)) {
      // the operator's own words, when it has any, say what it could not allocate
      let said = "";
      try {
        said = this.#errorMessage().replace(/^act returned 0(: )?/, "");
      } catch {
        // an error() that fails itself adds nothing to the memory failure
      }
      throw calls.fail(
        "memory",
        `act returned 0 after growing memory to ${calls.pages()} pages (limit ${calls.limits.maxMemoryPages})${said === "" ? "" : `: ${said}`}${printed}`,
      );
    }
    if (out === 0) throw calls.fail("error", `${this.#errorMessage()}${printed}`);
    return this.#readOutput(out);
  }

  /** The kernels bound to this instance's memory, when the host has them. */
  #boundKernels(): ValidationKernels | undefined {
    if (this.#kernels === undefined && this.#kernelModule !== undefined) {
      this.#kernels = bindValidationKernels(this.#kernelModule, this.#calls.exports.memory);
    }
    return this.#kernels;
  }

  #errorMessage(): string {
    const calls = this.#calls;
    const error = calls.exports.error;
    if (error === undefined) return "act returned 0";
    const answer = calls.call("error", () => error() as unknown);
    if (typeof answer !== "number") return "act returned 0"; // an error() of another type says nothing
    const ptr = answer >>> 0;
    const memory = new Uint8Array(calls.exports.memory.buffer);
    if (ptr === 0 || ptr + 8 > memory.length) return "act returned 0";
    const view = new DataView(memory.buffer, ptr, 8);
    const length = view.getUint32(4, true) === 0 ? Math.min(view.getUint32(0, true), 4096) : 4096;
    const end = Math.min(ptr + 8 + length, memory.length);
    return `act returned 0: ${new TextDecoder().decode(memory.subarray(ptr + 8, end))}`;
  }

  #readOutput(out: number): OperatorBatch {
    const calls = this.#calls;
    const memory = new Uint8Array(calls.exports.memory.buffer);
    noteMemoryBuffer(memory.buffer); // the next hop copies from here: see InputAllocator
    if (out % 8 !== 0 || out >= memory.length) {
      throw calls.fail(
        "invalid-output",
        `act returned address ${out}, not an 8-aligned address inside memory (${memory.length} bytes)`,
      );
    }
    try {
      const view = decodeBatch(memory.subarray(out), this.#op.manifest.output, {
        isRegion: true,
        kernels: this.#boundKernels(),
      });
      if (view.byteLength > calls.limits.maxOutputBytes) {
        throw new ColwasmError(
          "too-large",
          `Operator "${this.#op.name}" returned ${view.byteLength} bytes, the output limit is ${calls.limits.maxOutputBytes}`,
          { operator: this.#op.name },
        );
      }
      return view;
    } catch (error) {
      if (!(error instanceof BatchError)) throw error;
      throw calls.fail("invalid-output", `its output is not a valid batch: ${error.message}`, error);
    }
  }
}
