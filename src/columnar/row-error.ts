// `row-type` rejections (spec §8): name the row index and the schema path (spec §4.8).
import { BatchError } from "./batch-error.ts";

function show(value: unknown): string {
  let text: string;
  try {
    text = value === undefined ? "nothing" : (JSON.stringify(value) ?? String(value));
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    text = String(value);
  }
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** `row 3 at $.diff: expected integer in i64 range, got 1.5`. */
export function rowTypeError(
  row: number,
  path: string,
  expected: string,
  got: unknown,
  hint = "",
): BatchError {
  return new BatchError("row-type", `row ${row} at ${path}: expected ${expected}, got ${show(got)}${hint}`, {
    row,
    path,
  });
}
