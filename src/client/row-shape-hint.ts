// JSONL input is one row per line (spec/cli.md), so a JSON array of rows on one line is read as a
// single row, which then fails to fit the schema. The rejection says so when it looks like that.
import { type Schema, withArrayOfRowsHint } from "../columnar/index.ts";

/** Where the hint starts in a message (`atLine` puts the line number before it). */
export const ROW_SHAPE_HINT = "; this line looks like a JSON array of ";

/**
 * `error` (a rejection of `value`, one line's row) with a hint when the line looks like a JSON
 * array of rows: it is an array whose first element is itself a row of `schema`.
 */
export function withRowShapeHint(error: unknown, schema: Schema, value: unknown): unknown {
  return withArrayOfRowsHint(
    error,
    schema,
    value,
    (rows) =>
      `${ROW_SHAPE_HINT}${rows}, but the input is JSONL: one row per line (jq -c '.[]' splits an array into lines)`,
  );
}
