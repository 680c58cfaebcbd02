// The guarded boundary into one instance's exports: every call into the operator goes through
// `call`, which arms its fuel, and turns what went wrong (trap, fuel out, memory cap) into an
// OperatorError naming the operator. The instance, its input allocation and its ABIs share it.
import { ColwasmError } from "../error.ts";
import { hostImports, OperatorAbort } from "./host-imports.ts";
import { OperatorExit, PrintedOutput, type WasiHost } from "./wasi-preview1.ts";
import { FUEL_EXPORT, START_EXPORT } from "./meter-fuel.ts";
import { OperatorError, type OperatorFailure } from "./operator-error.ts";
import { type OperatorLimits, WASM_PAGE_BYTES } from "./operator-limits.ts";

/** The exports the host uses; only `memory` and `act` are required of every module. */
export interface OperatorExports {
  memory: WebAssembly.Memory;
  /** Fuel budget added by meterFuel (src/wasm/meter-fuel.ts); 0 after a trap means out of fuel. */
  fuel?: WebAssembly.Global;
  /** Set to 1 by instrumented modules when a `memory.grow` failed (src/wasm/meter-fuel.ts). */
  growFailed?: WebAssembly.Global;
  act: (ptr: number, len: number) => number;
  alloc?: (size: number) => number;
  error?: () => number;
  reset?: () => void;
}

/** The reactor entry of the WASI application ABI, called once per instance. */
const INITIALIZE_EXPORT = "_initialize";

const asFunction = <T>(value: unknown): T | undefined =>
  typeof value === "function" ? (value as T) : undefined;

/**
 * Sets a fuel budget: an i64 global takes a BigInt (modules metered before i64 fuel hold an i32).
 * A budget is whole units; a fraction (a computed limit) is dropped, not a RangeError of BigInt.
 */
function setFuel(fuel: WebAssembly.Global, budget: number): void {
  const units = Math.floor(budget);
  fuel.value = typeof fuel.value === "bigint" ? BigInt(units) : Math.min(units, 0x7fffffff);
}

/** `WebAssembly.Exception`, which TypeScript's lib does not declare yet (every runtime here has it). */
const WASM_EXCEPTION = (WebAssembly as unknown as { Exception?: abstract new (...args: never[]) => object })
  .Exception;

/**
 * How a call that threw failed, as a verb and what it said: the module's own abort (env.abort)
 * says why in its own words; a WebAssembly exception (exception handling) that nothing caught has
 * no words a host can read; anything else is the engine's trap.
 */
function howItFailed(error: unknown): [string, string] {
  if (error instanceof OperatorAbort) return ["aborted", error.message];
  if (error instanceof OperatorExit) return ["exited", error.message];
  if (typeof WASM_EXCEPTION === "function" && error instanceof WASM_EXCEPTION)
    return ["threw", "a WebAssembly exception that nothing caught"];
  return ["trapped", String(error)];
}

/**
 * Takes `units` from a fuel budget for host work an import does for the module (WASI's
 * random_get, fd_write): a trap with the budget at 0 when it does not cover them, as a metered
 * loop does, so the host reports reason "deadline".
 */
function spendFuel(fuel: WebAssembly.Global, units: number): void {
  const left = Number(fuel.value) - Math.ceil(units);
  const isI64 = typeof fuel.value === "bigint";
  if (left <= 0) {
    fuel.value = isI64 ? 0n : 0;
    throw new WebAssembly.RuntimeError("out of fuel in a host call");
  }
  fuel.value = isI64 ? BigInt(left) : left;
}

/** Calls into one live instance under its operator's limits. */
export class OperatorCalls {
  readonly name: string;
  readonly limits: OperatorLimits;
  readonly exports: OperatorExports;

  /** What the instance wrote to stdout/stderr (WASI) during the current call. */
  readonly #printed: PrintedOutput;

  private constructor(
    name: string,
    limits: OperatorLimits,
    exports: OperatorExports,
    printed: PrintedOutput,
  ) {
    this.name = name;
    this.limits = limits;
    this.exports = exports;
    this.#printed = printed;
  }

  /**
   * Instantiates `module` (synchronously, with the host's documented imports: host-imports.ts) and
   * picks out its exports.
   */
  static instantiate(name: string, module: WebAssembly.Module, limits: OperatorLimits): OperatorCalls {
    let instance: WebAssembly.Instance | undefined;
    const host: WasiHost = {
      memory: () =>
        instance?.exports.memory instanceof WebAssembly.Memory ? instance.exports.memory : undefined,
      spend: (units) => {
        const fuel = instance?.exports[FUEL_EXPORT];
        if (fuel instanceof WebAssembly.Global) spendFuel(fuel, units);
      },
      printed: new PrintedOutput(),
    };
    try {
      instance = new WebAssembly.Instance(module, hostImports(module, host));
    } catch (error) {
      const [how, said] = howItFailed(error);
      const detail = how === "trapped" ? said : `its start function ${how}: ${said}`;
      throw new OperatorError(name, "trap", `Cannot instantiate operator "${name}": ${detail}`, {
        cause: error,
      });
    }
    const e = instance.exports;
    const act = asFunction<OperatorExports["act"]>(e.act);
    if (!(e.memory instanceof WebAssembly.Memory) || act === undefined) {
      throw new OperatorError(
        name,
        "invalid-output",
        `Cannot run operator "${name}": it lacks memory or act`,
      );
    }
    const calls = new OperatorCalls(
      name,
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
      host.printed,
    );
    // a metered module's start function, run here under the deadline (src/wasm/meter-fuel.ts)
    const start = asFunction<() => void>(e[START_EXPORT]);
    if (start !== undefined) calls.call("start", () => start());
    // A WASI reactor's constructors (C++ globals, Rust/C static initialisers): toolchains that
    // build libraries (wasi-sdk `-mexec-model=reactor`, emscripten `--no-entry`) export them as
    // `_initialize`, to be called once before any other export.
    const initialize = asFunction<() => void>(e[INITIALIZE_EXPORT]);
    if (initialize !== undefined) calls.call(INITIALIZE_EXPORT, () => initialize());
    return calls;
  }

  fail(reason: OperatorFailure, message: string, cause?: unknown): OperatorError {
    return new OperatorError(this.name, reason, `Operator "${this.name}" failed: ${message}`, { cause });
  }

  /** The memory's current size in pages. */
  pages(): number {
    return this.exports.memory.buffer.byteLength / WASM_PAGE_BYTES;
  }

  /** The memory cap in bytes. */
  get capBytes(): number {
    return this.limits.maxMemoryPages * WASM_PAGE_BYTES;
  }

  /**
   * True when a failing call ran out of memory. `memory.grow` past the (patched) maximum returns -1
   * inside WASM, invisible to the host: instrumented modules (instrumentOperator) record it in a
   * global; for others, a call that grew memory into the top half of its cap counts.
   */
  nearMemoryCap(pagesBefore: number): boolean {
    if (this.exports.growFailed?.value === 1) return true;
    const pages = this.pages();
    return pages > pagesBefore && pages * 2 > this.limits.maxMemoryPages;
  }

  /**
   * `call` for an export that returns an address (`alloc`, `act`, `error`), as an unsigned i32. A
   * module stored before its export types were checked may still return an i64 (a BigInt) or a
   * float: that is its invalid output, not the host's crash.
   */
  address(what: string, fn: () => unknown, pagesBefore = this.pages()): number {
    const value = this.call(what, fn, pagesBefore);
    if (typeof value !== "number" || !Number.isInteger(value)) {
      throw this.fail("invalid-output", `${what} returned ${String(value)}, not an i32 address`);
    }
    return value >>> 0;
  }

  /** What the last call wrote on stdout/stderr (WASI, AssemblyScript's console), as written. */
  printed(): string {
    return this.#printed.raw();
  }

  /**
   * "; it printed: …" with what the last call wrote on stdout/stderr (WASI), or "": read it before
   * the next call, which starts afresh.
   */
  printedSuffix(): string {
    const printed = this.#printed.text();
    return printed === "" ? "" : `; it printed: ${printed}`;
  }

  /** Calls into WASM, turning traps into OperatorErrors (memory when the cap was reached). */
  call<T>(what: string, fn: () => T, pagesBefore = this.pages()): T {
    let result: T;
    const fuel = this.exports.fuel;
    if (fuel !== undefined && this.limits.fuel !== undefined) setFuel(fuel, this.limits.fuel);
    if (this.exports.growFailed !== undefined) this.exports.growFailed.value = 0;
    this.#printed.clear();
    try {
      result = fn();
    } catch (error) {
      if (error instanceof ColwasmError) throw error;
      if (fuel !== undefined && Number(fuel.value) === 0) {
        throw this.fail(
          "deadline",
          `${what} ran out of fuel: ${this.limits.fuel} units (about one instruction each), the budget for the deadline of ${this.limits.deadlineMs} ms (an unoptimised build spends it several times faster)`,
          error,
        );
      }
      const atCap = this.pages() >= this.limits.maxMemoryPages || this.nearMemoryCap(pagesBefore);
      const reason: OperatorFailure = atCap ? "memory" : "trap";
      const [how, said] = howItFailed(error);
      const detail = atCap ? `memory limit of ${this.limits.maxMemoryPages} pages reached (${said})` : said;
      // what it wrote on stdout/stderr just before (a Rust panic's message and place)
      throw this.fail(reason, `${what} ${how}: ${detail}${this.printedSuffix()}`, error);
    }
    if (this.pages() > this.limits.maxMemoryPages) {
      throw this.fail(
        "memory",
        `${what} grew memory to ${this.pages()} pages, the limit is ${this.limits.maxMemoryPages}`,
      );
    }
    return result;
  }
}
