// Streaming line splitting of UTF-8 input (spec/columnar-format.md §8 JSONL): yields the complete
// lines of each chunk as it arrives, so no whole text is ever kept. `\r` before `\n` is dropped, a
// leading BOM is ignored (TextDecoder strips it), invalid UTF-8 is `row-syntax`.
import { BatchError } from "../columnar/index.ts";

/** Yields the lines of `chunks` (without terminators), a chunk's worth at a time. */
export async function* splitLines(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<string[]> {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let lineCount = 0;
  let pending = "";
  const decode = (chunk?: Uint8Array): string => {
    try {
      return chunk === undefined ? decoder.decode() : decoder.decode(chunk, { stream: true });
    } catch (error) {
      if (!(error instanceof TypeError)) throw error;
      throw new BatchError("row-syntax", `line ${lineCount + 1}: the input is not valid UTF-8`, {
        row: lineCount,
      });
    }
  };
  const strip = (line: string): string => (line.endsWith("\r") ? line.slice(0, -1) : line);
  for await (const chunk of chunks) {
    pending += decode(chunk);
    const lines: string[] = [];
    let start = 0;
    for (let nl = pending.indexOf("\n"); nl >= 0; nl = pending.indexOf("\n", start)) {
      lines.push(strip(pending.slice(start, nl)));
      start = nl + 1;
    }
    pending = pending.slice(start);
    lineCount += lines.length;
    if (lines.length > 0) yield lines;
  }
  const last = pending + decode();
  if (last !== "") yield [strip(last)];
}
