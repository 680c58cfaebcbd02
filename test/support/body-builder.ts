// Hand-built bodies for rejection tests: u64 words, slices framed in either format, and the
// slice list of a valid batch to tamper with before re-framing it.
import {
  columnSlices,
  encodeSlices,
  type Format,
  parseSchema,
  rowsToColumn,
} from "../../src/columnar/index.ts";

/** Bytes of u64 LE words (numbers or bigints, so 2^63 etc. can be written exactly). */
export function words(...values: (number | bigint)[]): Uint8Array {
  const out = new Uint8Array(values.length * 8);
  const view = new DataView(out.buffer);
  values.forEach((v, k) => view.setBigUint64(8 * k, BigInt.asUintN(64, BigInt(v)), true));
  return out;
}

/** Concatenation of byte arrays into a fresh 8-aligned buffer. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

/** Slices framed in `format`: lets a test put any content in any slice. */
export function frame(format: Format, ...slices: Uint8Array[]): Uint8Array {
  return encodeSlices(slices, format);
}

/** The bool slices of `format` (`0.1`: words, last_word, last_bits; `0.12`: words, tail). */
export function boolSlices(
  format: Format,
  full: (number | bigint)[],
  lastWord: number | bigint,
  lastBits: number | bigint,
): Uint8Array[] {
  return format === "0.1"
    ? [words(...full), words(lastWord), Uint8Array.of(Number(lastBits))]
    : [words(...full), words(lastWord, lastBits)];
}

/** Copies of the slices of a valid batch of `rows`, in layout order, ready to be tampered with. */
export function validSlices(schemaText: string, rows: unknown[], format: Format): Uint8Array[] {
  return columnSlices(rowsToColumn(parseSchema(schemaText), rows), format).map((s) => s.slice());
}

/** Writes u64 `value` at byte `offset` of `bytes` (in place) and returns `bytes`. */
export function setWord(bytes: Uint8Array, offset: number, value: number | bigint): Uint8Array {
  new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).setBigUint64(
    offset,
    BigInt.asUintN(64, BigInt(value)),
    true,
  );
  return bytes;
}
