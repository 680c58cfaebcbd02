// Faster implementations of the decoder's hot validation loops (spec §6.4 L4, L5), supplied by a
// host that has them (src/wasm runs them as WASM over an operator's own memory). Results must be
// identical to the JS loops; the decoder falls back to those for any view the kernels don't cover.
import type { Utf8Scan } from "./utf8.ts";

/** Validation loops over views of one particular buffer. */
export interface ValidationKernels {
  /** True when `bytes` lies in the memory these kernels work on. */
  covers(bytes: Uint8Array): boolean;
  /** Index of the first u64 bound that is >= 2^32 or smaller than the previous one; -1 when none. */
  firstBadBound(bounds: Uint8Array): number;
  /** Strict UTF-8 scan of a String column's bytes. */
  scanUtf8(bytes: Uint8Array): Utf8Scan;
  /** Index of the first bound that lands on a continuation byte of `bytes`; -1 when none. */
  firstSplitBound(bounds: Uint8Array, bytes: Uint8Array): number;
}
