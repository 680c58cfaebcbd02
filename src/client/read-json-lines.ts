// Streaming JSONL input (spec/columnar-format.md §8): rows are parsed as their lines arrive
// (split-lines.ts), so no array of all rows (or all text) is ever kept. Blank lines are skipped.
import { parseJsonRow } from "../columnar/index.ts";
import { splitLines } from "./split-lines.ts";

/** Calls `onRow(value, row)` for every non-blank line of `chunks`; returns the row count. */
export async function readJsonLines(
  chunks: AsyncIterable<Uint8Array>,
  onRow: (value: unknown, row: number) => void,
): Promise<number> {
  let row = 0;
  for await (const lines of splitLines(chunks)) {
    for (const line of lines) {
      if (line.trim() === "") continue;
      onRow(parseJsonRow(line, row), row);
      row++;
    }
  }
  return row;
}
