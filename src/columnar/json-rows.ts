// JSON text <-> row values (spec §8): JSONL splitting and a writer that keeps -0.
import { BatchError } from "./batch-error.ts";

/** Compact JSON text of a row value; unlike JSON.stringify it prints negative zero as `-0`. */
export function stringifyJson(value: unknown): string {
  if (typeof value === "number") return Object.is(value, -0) ? "-0" : JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(stringifyJson).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    return `{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}:${stringifyJson(v)}`)
      .join(",")}}`;
  }
  return JSON.stringify(value);
}

/** Parses one JSONL line as a row, or throws `row-syntax` naming the row index. */
export function parseJsonRow(line: string, row: number): unknown {
  try {
    return JSON.parse(line);
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    throw new BatchError("row-syntax", `row ${row}: not valid JSON (${error.message})`, { row });
  }
}

/** Splits JSONL text into rows: `\n` separated, `\r` dropped, blank lines skipped, leading BOM ignored. */
export function parseJsonLines(text: string, firstRow = 0): unknown[] {
  const rows: unknown[] = [];
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  for (const raw of body.split("\n")) {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (line.trim() === "") continue;
    rows.push(parseJsonRow(line, firstRow + rows.length));
  }
  return rows;
}

/** Rows as JSONL text: one compact JSON text per record, each followed by `\n`. */
export function formatJsonLines(rows: readonly unknown[]): string {
  let out = "";
  for (const row of rows) out += stringifyJson(row) + "\n";
  return out;
}
