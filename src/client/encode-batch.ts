// Client-side batch building: rows (spec/columnar-format.md §8 JSON mapping), decoded columns, or
// ready batch bytes (validated here) become an EncodedBatch that `ColwasmClient.run` sends as is.
import {
  type Column,
  decodeBatch,
  encodeBatch as encodeColumn,
  type Format,
  parseSchema,
  rowsToColumn,
  type Schema,
} from "../columnar/index.ts";
import type { RowInput } from "./schema-rows.ts";

/** An encoded batch ready to send: its schema, framing and bytes. */
export interface EncodedBatch {
  readonly schema: Schema;
  readonly format: Format;
  /** The body, 8-aligned at offset 0 of its own buffer. */
  readonly bytes: Uint8Array<ArrayBuffer>;
  /** Record count. */
  readonly length: number;
}

/** What `encodeBatch` accepts: rows, a decoded column tree, or the bytes of a batch. */
export type BatchInput = readonly unknown[] | Column | Uint8Array;

/**
 * Encodes `input` as a batch of `schema` (text like `(String, i64)`, or a parsed `Schema`).
 * Bytes are decoded once to check them against the schema, then sent without a copy when aligned.
 * Rows are typed by a literal schema text (`RowInput`): `[string, number | string | bigint]` here.
 *
 * @example Rows to a batch
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeBatch } from "./encode-batch.ts";
 * const batch = encodeBatch("(String, i64)", [["hello", 1], ["world", -2]]);
 * assert.equal(batch.length, 2);
 * assert.equal(batch.bytes.byteLength % 8, 0);
 * ```
 */
export function encodeBatch<const S extends string>(
  schema: S,
  input: readonly RowInput<S>[] | Column | Uint8Array,
  options?: { format?: Format },
): EncodedBatch;
export function encodeBatch(schema: Schema, input: BatchInput, options?: { format?: Format }): EncodedBatch;
export function encodeBatch(
  schema: string | Schema,
  input: BatchInput,
  options: { format?: Format } = {},
): EncodedBatch {
  const format = options.format ?? "0.1";
  const parsed = typeof schema === "string" ? parseSchema(schema, { format }) : schema;
  if (input instanceof Uint8Array) {
    const view = decodeBatch(input, parsed, { format });
    return { schema: parsed, format, bytes: ownBytes(input), length: view.length };
  }
  const column = isRows(input) ? rowsToColumn(parsed, input) : input;
  return { schema: parsed, format, bytes: ownBytes(encodeColumn(column, { format })), length: column.length };
}

/** The bytes over a buffer of their own (what encodeBatch allocates); copied only when not. */
function ownBytes(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const { buffer } = bytes;
  if (buffer instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === buffer.byteLength)
    return new Uint8Array(buffer);
  // copy: a view into a larger or shared buffer (pooled stdin chunks); the body must own its bytes.
  return bytes.slice();
}

function isRows(input: readonly unknown[] | Column): input is readonly unknown[] {
  return Array.isArray(input);
}
