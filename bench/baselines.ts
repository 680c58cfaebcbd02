// The suite's approaches other than colwasm (issue #8), each a function from request bytes to
// response bytes over the same rows: JSON (`[{text, diff}]`), Apache Arrow IPC, and plain JS over
// the decoded typed columns. JSON and Arrow share the same per-record JS logic on strings; the
// typed-column kernels are what a careful JS author would write without WASM (no per-record
// objects, no BigInt per element, scratch buffers reused).
import { makeData, makeVector, Table, tableFromIPC, tableToIPC, Utf8 } from "apache-arrow";
import {
  type Column,
  columnSlices,
  decodeBatch,
  encodedByteLength,
  writeSlices,
} from "../src/columnar/index.ts";
import { LINE_SCHEMA } from "./line-rows.ts";

/**
 * The logics measured: `words` = split_words,lowercase; `single` = len_plus_diff;
 * `four` = split_words,lowercase,filter_nonempty,len_plus_diff.
 */
export type Logic = "words" | "single" | "four";

/** The colwasm chain of each logic. */
export const CHAINS: Readonly<Record<Logic, string>> = {
  words: "split_words,lowercase",
  single: "len_plus_diff",
  four: "split_words,lowercase,filter_nonempty,len_plus_diff",
};

/** A body-to-body implementation. */
export type Pipeline = (body: Uint8Array) => Uint8Array;

// ---------------------------------------------------------------------------------------------
// Per-record JS logic on strings (JSON and Arrow)

const WHITESPACE = /[ \t\n\v\f\r]+/;

/** UTF-8 byte length of a JS string (what len_plus_diff counts). */
export function utf8Length(text: string): number {
  let n = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) n += c < 0x800 || (c >= 0xd800 && c <= 0xdfff) ? 1 : 2;
  }
  return n;
}

/**
 * Applies `logic` to one record, calling `emit` per output record. Texts are ASCII here, so
 * toLowerCase() agrees with the operator's ASCII-only lowercase.
 */
function applyLogic(logic: Logic, text: string, emit: (text: string, add: number) => void): void {
  if (logic === "single") return emit(text, utf8Length(text));
  for (const piece of text.split(WHITESPACE)) {
    if (piece === "") continue; // split_words drops empty pieces; `four` filters them again
    const word = piece.toLowerCase();
    emit(word, logic === "four" ? utf8Length(word) : 0);
  }
}

interface JsonRow {
  text: string;
  diff: number;
}

/** Rows as the JSON baseline's request body. */
export function jsonBody(rows: readonly [string, number][]): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(rows.map(([text, diff]) => ({ text, diff }))));
}

/** JSON: decode UTF-8, parse `[{text, diff}]`, the logic, stringify, encode UTF-8. */
export function jsonPipeline(logic: Logic): Pipeline {
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();
  return (body) => {
    const rows = JSON.parse(decoder.decode(body)) as JsonRow[];
    const out: JsonRow[] = [];
    for (const row of rows)
      applyLogic(logic, row.text, (text, add) => out.push({ text, diff: row.diff + add }));
    return encoder.encode(JSON.stringify(out));
  };
}

/** Rows as an Arrow IPC stream (`text: Utf8, diff: Int64`). */
export function arrowBody(rows: readonly [string, number][]): Uint8Array {
  const table = new Table({
    text: utf8Vector(rows.map((r) => r[0])),
    diff: makeVector(BigInt64Array.from(rows, (r) => BigInt(r[1]))),
  });
  return tableToIPC(table, "stream");
}

/**
 * A Utf8 vector of `texts`, UTF-8 encoded by hand into one buffer + Int32 offsets (apache-arrow's
 * vectorFromArray costs ~1.5 µs per string, 20x this: the baseline should not be a strawman).
 */
export function utf8Vector(texts: readonly string[]) {
  let total = 0;
  for (const t of texts) total += utf8Length(t);
  const data = new Uint8Array(total);
  const valueOffsets = new Int32Array(texts.length + 1);
  let at = 0;
  for (let i = 0; i < texts.length; i++) {
    const t = texts[i];
    for (let k = 0; k < t.length; k++) {
      let c = t.charCodeAt(k);
      if (c < 0x80) data[at++] = c;
      else if (c < 0x800) {
        data[at++] = 0xc0 | (c >> 6);
        data[at++] = 0x80 | (c & 63);
      } else if (c >= 0xd800 && c <= 0xdbff && k + 1 < t.length) {
        c = 0x10000 + ((c - 0xd800) << 10) + (t.charCodeAt(++k) - 0xdc00);
        data[at++] = 0xf0 | (c >> 18);
        data[at++] = 0x80 | ((c >> 12) & 63);
        data[at++] = 0x80 | ((c >> 6) & 63);
        data[at++] = 0x80 | (c & 63);
      } else {
        data[at++] = 0xe0 | (c >> 12);
        data[at++] = 0x80 | ((c >> 6) & 63);
        data[at++] = 0x80 | (c & 63);
      }
    }
    valueOffsets[i + 1] = at;
  }
  return makeVector(makeData({ type: new Utf8(), length: texts.length, valueOffsets, data }));
}

/**
 * Arrow: tableFromIPC, the same per-record logic over the column values, tableToIPC. The diff
 * column is read as a BigInt64Array; `single` passes the text column through untouched.
 */
export function arrowPipeline(logic: Logic): Pipeline {
  return (body) => {
    const table = tableFromIPC(body);
    const texts = table.getChild("text");
    const diffs = table.getChild("diff")?.toArray() as BigInt64Array | undefined;
    if (texts === null || diffs === undefined) throw new Error("arrow baseline: missing columns");
    if (logic === "single") {
      const out = new BigInt64Array(diffs.length);
      let i = 0;
      for (const text of texts as Iterable<string>) {
        out[i] = diffs[i] + BigInt(utf8Length(text));
        i++;
      }
      return tableToIPC(new Table({ text: texts, diff: makeVector(out) }), "stream");
    }
    const outText: string[] = [];
    const outDiff: bigint[] = [];
    let i = 0;
    for (const text of texts as Iterable<string>) {
      const diff = diffs[i++];
      applyLogic(logic, text, (t, add) => {
        outText.push(t);
        outDiff.push(add === 0 ? diff : diff + BigInt(add));
      });
    }
    const result = new Table({ text: utf8Vector(outText), diff: makeVector(BigInt64Array.from(outDiff)) });
    return tableToIPC(result, "stream");
  };
}

// ---------------------------------------------------------------------------------------------
// Plain JS over the typed columns (no WASM): decode (zero-copy views), kernel, encode.

/** Grow-only scratch buffer, 8-byte aligned. */
class Scratch {
  #buffer = new ArrayBuffer(0);
  get(bytes: number): ArrayBuffer {
    if (this.#buffer.byteLength < bytes) this.#buffer = new ArrayBuffer(Math.ceil((bytes * 1.25) / 8) * 8);
    return this.#buffer;
  }
}

function isSpace(b: number): boolean {
  return b === 32 || (b >= 9 && b <= 13);
}

/** Plain JS kernels over decoded `(String, i64)` columns, encoding into a reused buffer. */
export function typedJsPipeline(logic: Logic): Pipeline {
  const boundsScratch = new Scratch();
  const bytesScratch = new Scratch();
  const diffScratch = new Scratch();
  const outScratch = new Scratch();
  return (body) => {
    const view = decodeBatch(body, LINE_SCHEMA);
    if (view.column.kind !== "tuple") throw new Error("typed baseline: not a tuple");
    const [text, diff] = view.column.elements;
    if (text.kind !== "string" || diff.kind !== "i64") throw new Error("typed baseline: not (String, i64)");
    const rows = view.length;
    const inBounds = new Uint32Array(text.bounds.buffer, text.bounds.byteOffset, rows * 2);
    const inDiff = new Int32Array(diff.data.buffer, diff.data.byteOffset, rows * 2);
    let column: Column;
    if (logic === "single") {
      const outDiff = new Int32Array(diffScratch.get(rows * 8), 0, rows * 2);
      let start = 0;
      for (let i = 0; i < rows; i++) {
        const end = inBounds[2 * i]; // bodies < 4 GiB: the high word is 0
        const lo = inDiff[2 * i] >>> 0;
        const sum = lo + (end - start);
        outDiff[2 * i] = sum | 0;
        outDiff[2 * i + 1] = inDiff[2 * i + 1] + (sum > 0xffffffff ? 1 : 0);
        start = end;
      }
      column = {
        kind: "tuple",
        length: rows,
        elements: [text, { kind: "i64", length: rows, data: new BigInt64Array(outDiff.buffer, 0, rows) }],
      };
    } else {
      const bytes = text.bytes;
      const maxWords = (bytes.length >> 1) + 1;
      const outBytes = new Uint8Array(bytesScratch.get(bytes.length), 0, bytes.length);
      const outBounds = new Uint32Array(boundsScratch.get(maxWords * 8), 0, maxWords * 2);
      const outDiff = new Int32Array(diffScratch.get(maxWords * 8), 0, maxWords * 2);
      const addLength = logic === "four";
      let words = 0;
      let at = 0;
      let start = 0;
      for (let i = 0; i < rows; i++) {
        const end = inBounds[2 * i];
        const lo = inDiff[2 * i] >>> 0;
        const hi = inDiff[2 * i + 1];
        let wordStart = -1;
        for (let p = start; p <= end; p++) {
          const b = p < end ? bytes[p] : 32;
          if (isSpace(b)) {
            if (wordStart >= 0) {
              const length = at - wordStart;
              if (length > 0) {
                outBounds[2 * words] = at;
                outBounds[2 * words + 1] = 0;
                const sum = addLength ? lo + length : lo;
                outDiff[2 * words] = sum | 0;
                outDiff[2 * words + 1] = hi + (sum > 0xffffffff ? 1 : 0);
                words++;
              }
              wordStart = -1;
            }
          } else {
            if (wordStart < 0) wordStart = at;
            outBytes[at++] = b >= 65 && b <= 90 ? b | 32 : b;
          }
        }
        start = end;
      }
      column = {
        kind: "tuple",
        length: words,
        elements: [
          {
            kind: "string",
            length: words,
            bounds: new BigUint64Array(outBounds.buffer, 0, words),
            bytes: outBytes.subarray(0, at),
          },
          { kind: "i64", length: words, data: new BigInt64Array(outDiff.buffer, 0, words) },
        ],
      };
    }
    const slices = columnSlices(column, "0.1");
    const out = new Uint8Array(outScratch.get(encodedByteLength(slices, "0.1")));
    return out.subarray(0, writeSlices(out, slices, "0.1"));
  };
}
