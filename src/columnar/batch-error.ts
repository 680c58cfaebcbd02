// Rejections of a body (spec/columnar-format.md §6, §8): the only exception a decoder throws.
import { ColwasmError } from "../error.ts";

/** Stable codes of body, framing, layout and row rejections (spec §6.5). */
export type BatchRule =
  | "unsupported-format"
  | "schema-missing"
  | "body-length"
  | "missing-slices"
  | "slice-count"
  | "slice-out-of-range"
  | "bad-offset"
  | "trailing-bytes"
  | "slice-size"
  | "bad-bool-tail"
  | "bad-rank-counts"
  | "bad-bounds"
  | "invalid-utf8"
  | "length-mismatch"
  | "row-syntax"
  | "row-type";

/** Where a rejection points: the slice (spec §4.8 name and index), a byte offset, or a row. */
export interface BatchErrorLocation {
  slice?: string;
  sliceIndex?: number;
  offset?: number;
  row?: number;
  path?: string;
}

/** A body or row list that violates the wire format; `rule` is the spec's code. */
export class BatchError extends ColwasmError {
  readonly rule: BatchRule;
  readonly location: BatchErrorLocation;

  constructor(rule: BatchRule, message: string, location: BatchErrorLocation = {}) {
    const type = rule === "unsupported-format" || rule === "schema-missing" ? "bad-request" : "bad-batch";
    super(type, message, { rule, ...location });
    this.name = "BatchError";
    this.rule = rule;
    this.location = location;
  }
}
