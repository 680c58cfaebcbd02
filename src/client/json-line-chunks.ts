// A column's rows as JSONL text, a chunk of rows at a time (decode, exec, run): the output is never
// held whole, nor are all of a batch's row values at once.
import { type Column, formatJsonLines, type Schema } from "../columnar/index.ts";
// not re-exported by the codec's index (yet): the chunked reader of rows
import { rowReader } from "../columnar/column-to-rows.ts";

/** Rows per chunk of output text: small enough to keep memory flat, large enough to write efficiently. */
export const ROWS_PER_CHUNK = 4096;

/**
 * The JSONL text of a column's rows, chunk by chunk. One reader serves every chunk, so the rank
 * tables of Option and Result columns are built once per column, not once per chunk (which made
 * decoding quadratic in the batch length).
 */
export function* jsonLineChunks(
  schema: Schema,
  column: Column,
  rowsPerChunk = ROWS_PER_CHUNK,
): Generator<string> {
  const rows = rowReader(schema, column);
  for (let from = 0; from < column.length; from += rowsPerChunk)
    yield formatJsonLines(rows({ from, to: Math.min(column.length, from + rowsPerChunk) }));
}
