// Streaming line splitting of UTF-8 input (spec/columnar-format.md §8 JSONL): yields the complete
// lines of each chunk as it arrives, so no whole text is ever kept. `\r` before `\n` is dropped, a
// leading BOM is ignored (TextDecoder strips it), invalid UTF-8 is `row-syntax` naming its line.
import { BatchError } from "../columnar/index.ts";
import { ROW_SHAPE_HINT } from "./row-shape-hint.ts";

/** Whether decoding `bytes` as UTF-8 (a stream that may go on) fails. */
function isInvalid(bytes: Uint8Array): boolean {
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes, { stream: true });
    return false;
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    return true;
  }
}

/**
 * Where the first invalid UTF-8 sequence of `chunk` starts (the chunk's length when the fault is
 * only in its join with the previous one). Continuation bytes at the chunk's start belong to a
 * character the previous chunk began, so they are skipped.
 */
function invalidOffset(chunk: Uint8Array): number {
  let start = 0;
  while (start < 3 && start < chunk.length && (chunk[start] & 0xc0) === 0x80) start++;
  if (!isInvalid(chunk.subarray(start))) return start;
  // the shortest failing prefix ends just past the first bad byte
  let lo = start + 1;
  let hi = chunk.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (isInvalid(chunk.subarray(start, mid))) hi = mid;
    else lo = mid + 1;
  }
  return hi - 1;
}

/** Newline bytes in `bytes[0 .. end)`. */
function newlinesBefore(bytes: Uint8Array, end: number): number {
  let count = 0;
  for (let i = 0; i < end; i++) if (bytes[i] === 0x0a) count++;
  return count;
}

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
      // the pending (unfinished) line is line lineCount + 1; the chunk's newlines before the bad
      // byte move it on
      const line = lineCount + 1 + (chunk === undefined ? 0 : newlinesBefore(chunk, invalidOffset(chunk)));
      throw new BatchError("row-syntax", `line ${line}: the input is not valid UTF-8`);
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

/**
 * A rejected row's error with the input line it came from appended: `row 2 at $.1: … (line 4)`
 * (rows are counted without blank lines, from 0, as spec §8 numbers them; lines from 1, as editors
 * do). Other errors are returned as they are.
 */
export function atLine(error: unknown, line: number): unknown {
  if (!(error instanceof BatchError) || (error.rule !== "row-syntax" && error.rule !== "row-type"))
    return error;
  const at = error.message.indexOf(ROW_SHAPE_HINT);
  const [head, hint] = at < 0 ? [error.message, ""] : [error.message.slice(0, at), error.message.slice(at)];
  return new BatchError(error.rule, `${head} (line ${line})${hint}`, error.location);
}
