// Deterministic `(String, i64)` lines of text for the suite (bench/run.ts): each line holds several
// English-like words (Zipf-ish skew, first word capitalised, so split_words and lowercase both have
// work), plus wordcount input for the reduce benchmark: N words over exactly D distinct keys.
import { columnBuilder, encodeBatch, parseSchema } from "../src/columnar/index.ts";
import { random, WORDS } from "./word-rows.ts";

/** The schema every suite batch has. */
export const LINE_SCHEMA_TEXT = "(String, i64)";
export const LINE_SCHEMA = parseSchema(LINE_SCHEMA_TEXT);

/** `count` rows `[line, diff]`: 2-8 words separated by one space, a signed count in -1000..1000. */
export function lineRows(count: number, seed = 42): [string, number][] {
  const next = random(seed);
  const rows: [string, number][] = [];
  for (let i = 0; i < count; i++) {
    const words = 2 + Math.floor(next() * 7);
    let line = "";
    for (let w = 0; w < words; w++) {
      const word = WORDS[Math.floor(next() * next() * WORDS.length)];
      line += w === 0 ? word[0].toUpperCase() + word.slice(1) : ` ${word}`;
    }
    rows.push([line, Math.floor(next() * 2001) - 1000]);
  }
  return rows;
}

/** A synthetic word per index: distinct for distinct indexes (base-26 letters with a capital). */
function syntheticWord(index: number): string {
  let word = "";
  let n = index;
  do {
    word += String.fromCharCode(97 + (n % 26));
    n = Math.floor(n / 26);
  } while (n > 0);
  return `K${word}`;
}

/**
 * Wordcount input: `words` words over exactly `distinct` keys (every key appears; `words` must be
 * ≥ `distinct`), 8 words per line, each line's diff 1.
 */
export function wordcountRows(words: number, distinct: number, seed = 7): [string, number][] {
  const next = random(seed);
  const picks: number[] = [];
  for (let i = 0; i < words; i++) picks.push(i < distinct ? i : Math.floor(next() * distinct));
  for (let i = picks.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [picks[i], picks[j]] = [picks[j], picks[i]];
  }
  const rows: [string, number][] = [];
  for (let i = 0; i < picks.length; i += 8) {
    rows.push([
      picks
        .slice(i, i + 8)
        .map((p) => syntheticWord(p))
        .join(" "),
      1,
    ]);
  }
  return rows;
}

/** Rows encoded as one `(String, i64)` batch (format 0.1). */
export function encodeRows(rows: readonly [string, number][]): Uint8Array {
  const builder = columnBuilder(LINE_SCHEMA);
  rows.forEach((row, i) => builder.push(row, i));
  return encodeBatch(builder.finish());
}
