// The writer: Column -> slices in layout order -> one body allocated once (spec §5, §7).
// Mirror of decode-column.ts; one copy per slice, no per-record work.
import type { Bits, Column } from "./column.ts";
import type { Format } from "./schema.ts";

const round8 = (x: number): number => (x + 7) & ~7;
const bytesOf = (a: ArrayBufferView): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

function pushBits(out: Uint8Array[], bits: Bits, format: Format): void {
  out.push(bits.words);
  if (format === "0.1") {
    out.push(bytesOf(new Uint32Array([bits.lastWordLo, bits.lastWordHi])));
    out.push(Uint8Array.of(bits.lastBits));
  } else {
    out.push(bytesOf(new Uint32Array([bits.lastWordLo, bits.lastWordHi, bits.lastBits, 0])));
  }
}

function pushColumn(out: Uint8Array[], column: Column, format: Format): void {
  switch (column.kind) {
    case "bool":
      pushBits(out, column.bits, format);
      return;
    case "string":
      out.push(bytesOf(column.bounds), column.bytes);
      return;
    case "tuple":
    case "struct":
      for (const e of column.elements) pushColumn(out, e, format);
      return;
    case "vec":
      out.push(bytesOf(column.bounds));
      pushColumn(out, column.items, format);
      return;
    case "option":
      out.push(bytesOf(column.counts));
      pushBits(out, column.bits, format);
      pushColumn(out, column.some, format);
      return;
    case "result":
      out.push(bytesOf(column.counts));
      pushBits(out, column.bits, format);
      pushColumn(out, column.ok, format);
      pushColumn(out, column.err, format);
      return;
    default:
      out.push(bytesOf(column.data));
  }
}

/** The slices of a column in layout order (views over its arrays; bool tails are 8-16 new bytes). */
export function columnSlices(column: Column, format: Format): Uint8Array[] {
  const out: Uint8Array[] = [];
  pushColumn(out, column, format);
  return out;
}

/** Size of the body holding `slices` (spec §5): known before writing, so one allocation suffices. */
export function encodedByteLength(slices: readonly Uint8Array[], format: Format): number {
  let total = format === "0.12" ? 8 : 0;
  for (const s of slices) total += 8 + round8(s.byteLength);
  return total;
}

/**
 * Writes `slices` framed in `format` at the start of `dest` (which may hold garbage: padding is
 * zeroed explicitly). Returns the bytes written. `onCopy` is told every byte copied.
 */
export function writeSlices(
  dest: Uint8Array,
  slices: readonly Uint8Array[],
  format: Format,
  onCopy?: (bytes: number) => void,
): number {
  const view = new DataView(dest.buffer, dest.byteOffset, dest.byteLength);
  const indexed = format === "0.12";
  let pos = indexed ? 8 * (slices.length + 1) : 0;
  if (indexed) view.setBigUint64(0, BigInt(pos), true);
  slices.forEach((slice, k) => {
    if (!indexed) {
      view.setBigUint64(pos, BigInt(slice.byteLength), true);
      pos += 8;
    }
    dest.set(slice, pos); // copy: the one copy of this slice's bytes
    onCopy?.(slice.byteLength);
    const end = pos + slice.byteLength;
    if (indexed) view.setBigUint64(8 * (k + 1), BigInt(end), true);
    pos = round8(end);
    dest.fill(0, end, pos);
  });
  return pos;
}

/** Encodes pre-flattened slices into a freshly allocated body. */
export function encodeSlices(slices: readonly Uint8Array[], format: Format): Uint8Array {
  const out = new Uint8Array(encodedByteLength(slices, format));
  writeSlices(out, slices, format);
  return out;
}

/**
 * Encodes a column as a body in `format` (default `0.1`), byte for byte what the Rust crate writes.
 *
 * @example
 * ```ts
 * import { encodeBatch, rowsToColumn, parseSchema } from "./index.ts";
 * const schema = parseSchema("(String, i64)");
 * encodeBatch(rowsToColumn(schema, [["hello", 1], ["world", -2], ["", 3]])).length; // 88
 * ```
 */
export function encodeBatch(column: Column, options: { format?: Format } = {}): Uint8Array {
  return encodeSlices(columnSlices(column, options.format ?? "0.1"), options.format ?? "0.1");
}
