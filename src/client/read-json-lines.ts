// Streaming JSONL input (spec/columnar-format.md §8): splits byte chunks into rows as they arrive,
// so no array of all rows (or all text) is ever kept. `\r` before `\n` is dropped, blank lines are
// skipped, a leading UTF-8 BOM is ignored (TextDecoder strips it), invalid UTF-8 is `row-syntax`.
import { BatchError, parseJsonRow } from "../columnar/index.ts";

/** Calls `onRow(value, row)` for every non-blank line of `chunks`; returns the row count. */
export async function readJsonLines(
  chunks: AsyncIterable<Uint8Array>,
  onRow: (value: unknown, row: number) => void,
): Promise<number> {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let row = 0;
  let pending = "";
  const takeLine = (raw: string): void => {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (line.trim() === "") return;
    onRow(parseJsonRow(line, row), row);
    row++;
  };
  const decode = (chunk?: Uint8Array): string => {
    try {
      return chunk === undefined ? decoder.decode() : decoder.decode(chunk, { stream: true });
    } catch (error) {
      if (!(error instanceof TypeError)) throw error;
      throw new BatchError("row-syntax", `row ${row}: the input is not valid UTF-8`, { row });
    }
  };
  for await (const chunk of chunks) {
    pending += decode(chunk);
    let start = 0;
    for (let nl = pending.indexOf("\n"); nl >= 0; nl = pending.indexOf("\n", start)) {
      takeLine(pending.slice(start, nl));
      start = nl + 1;
    }
    pending = pending.slice(start);
  }
  takeLine(pending + decode());
  return row;
}
