// Rows out of a decoded batch (a run's answer, stateBatch's), in the JSON mapping of
// spec/columnar-format.md §8, typed by the schema text the caller expects: that text is checked
// against the batch's own schema first, so the type `RowOf<S>` is never a guess.
import { type BatchView, columnToRows, formatSchema, parseSchema } from "../columnar/index.ts";
import { ColwasmError } from "../error.ts";
import type { RowOf } from "./schema-rows.ts";

/**
 * The rows of `batch`. With `schema` (text such as `(String, i64)`), the rows are typed
 * `RowOf<schema>` and the batch must have exactly that schema (canonical text, §3.3: a struct and
 * its tuple differ here, as their rows do); else a `bad-schema` ColwasmError names both.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeBatch } from "../columnar/index.ts";
 * import { encodeBatch } from "./encode-batch.ts";
 * import { rowsOf } from "./rows-of.ts";
 * const sent = encodeBatch("(String, i64)", [["hello", 6n]]);
 * const rows = rowsOf(decodeBatch(sent.bytes, sent.schema), "( String, i64 )");
 * assert.deepEqual(rows, [["hello", 6]]); // rows: [string, number | string][]
 * ```
 */
export function rowsOf<const S extends string>(batch: BatchView, schema: S): RowOf<S>[];
export function rowsOf(batch: BatchView): unknown[];
export function rowsOf(batch: BatchView, schema?: string): unknown[] {
  if (schema !== undefined) {
    const expected = formatSchema(parseSchema(schema));
    const actual = formatSchema(batch.schema);
    if (expected !== actual) {
      throw new ColwasmError(
        "bad-schema",
        `Cannot read the rows as "${expected}": the batch is "${actual}"`,
        { expected, actual },
      );
    }
  }
  return columnToRows(batch.schema, batch.column);
}
