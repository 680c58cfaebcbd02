// Streaming JSONL input (spec/columnar-format.md §8): rows are parsed as their lines arrive
// (split-lines.ts), so no array of all rows (or all text) is ever kept. Blank lines are skipped; a
// rejected row names its input line as well as its row index.
import { parseJsonRow } from "../columnar/index.ts";
import { atLine, splitLines } from "./split-lines.ts";

/** Calls `onRow(value, row)` for every non-blank line of `chunks`; returns the row count. */
export async function readJsonLines(
  chunks: AsyncIterable<Uint8Array>,
  onRow: (value: unknown, row: number) => void,
): Promise<number> {
  let row = 0;
  let line = 0;
  for await (const lines of splitLines(chunks)) {
    for (const text of lines) {
      line++;
      if (text.trim() === "") continue;
      try {
        onRow(parseJsonRow(text, row), row);
      } catch (error) {
        throw atLine(error, line);
      }
      row++;
    }
  }
  return row;
}
