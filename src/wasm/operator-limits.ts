// Per-invocation limits of the host (spec/operator-abi.md §Limits and faults), with units in names.
import { fuelForDeadline } from "./meter-fuel.ts";

/** Limits applied to every operator invocation. */
export interface OperatorLimits {
  /** Wall-clock budget of one `act` call; enforced where the host can interrupt WASM. */
  readonly deadlineMs: number;
  /** Largest linear memory, in 64 KiB pages: patched into the module and checked after calls. */
  readonly maxMemoryPages: number;
  /** Largest output batch an operator may return. */
  readonly maxOutputBytes: number;
  /** Fuel units (about one instruction each) per call for fuel-metered modules (src/wasm/meter-fuel.ts); the deadline where threads cannot stop WASM. */
  readonly fuel?: number;
}

/** Safe defaults: 2 s, 256 MiB of memory, 64 MiB of output, fuel matching the deadline. */
export const DEFAULT_OPERATOR_LIMITS: OperatorLimits = {
  deadlineMs: 2000,
  maxMemoryPages: 4096,
  maxOutputBytes: 64 * 1024 * 1024,
  fuel: fuelForDeadline(2000),
};

/** Bytes of one WebAssembly page. */
export const WASM_PAGE_BYTES = 65536;
