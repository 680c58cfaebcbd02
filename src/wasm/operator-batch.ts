// The batch handed from hop to hop: validated slices in format 0.1 order, plus the contiguous
// encoded bytes when they exist (then the next copy-in is a single memcpy).
import type { Column, Format, Schema } from "../columnar/index.ts";

/** A validated batch between stages; views may point into an operator's memory. */
export interface OperatorBatch {
  readonly schema: Schema;
  readonly format: Format;
  readonly length: number;
  readonly column: Column;
  readonly slices: readonly Uint8Array[];
  /** The whole batch encoded in `format`, when it is one contiguous region. */
  readonly bytes?: Uint8Array;
}
