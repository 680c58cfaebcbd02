// The validating decode walk (spec §4, §6.4): schema + slices -> Column of typed-array views.
// Depth-first in slice order; a composite checks its own slices before its children and its
// cross-checks (equal counts, last bound) after them. Reads bounds/bits, never numeric data.
import { popcountBits, popcountWords, wordsAsU32 } from "./bit-count.ts";
import { type Bits, type Column, PRIMITIVE_ARRAY_TYPES } from "./column.ts";
import type { Schema } from "./schema.ts";
import type { SliceCursor, TakenSlice } from "./slice-cursor.ts";
import { isContinuationByte, scanUtf8 } from "./utf8.ts";

const u32View = (b: Uint8Array) => new Uint32Array(b.buffer, b.byteOffset, b.byteLength >>> 2);
const u64View = (b: Uint8Array) => new BigUint64Array(b.buffer, b.byteOffset, b.byteLength >>> 3);

function mask(word: number, bits: number): number {
  return bits >= 32 ? word : bits <= 0 ? 0 : word & (0xffffffff >>> (32 - bits));
}

function takeBits(cur: SliceCursor): Bits {
  const words = cur.take();
  const first = cur.take();
  let lastLo: number;
  let lastHi: number;
  let lastBits: number;
  let tailSlice: TakenSlice = first;
  if (first.spec.role === "tail") {
    const t = u32View(first.bytes);
    [lastLo, lastHi] = [t[0], t[1]];
    lastBits = t[3] === 0 ? t[2] : 64;
  } else {
    tailSlice = cur.take();
    const t = u32View(first.bytes);
    [lastLo, lastHi] = [t[0], t[1]];
    lastBits = tailSlice.bytes[0];
  }
  if (lastBits >= 64) {
    const t = u32View(first.bytes);
    // 0.12 keeps last_bits as a u64 in the tail; 0.1 as one byte
    const found = first.spec.role === "tail" ? (BigInt(t[3]) << 32n) + BigInt(t[2]) : lastBits;
    throw cur.error(
      "bad-bool-tail",
      tailSlice,
      `last_bits must be below 64, found ${found}`,
      first.spec.role === "tail" ? 8 : 0,
    );
  }
  const lastWordLo = mask(lastLo, lastBits) >>> 0;
  const lastWordHi = mask(lastHi, lastBits - 32) >>> 0;
  return {
    length: (words.bytes.byteLength / 8) * 64 + lastBits,
    words: words.bytes,
    lastWordLo,
    lastWordHi,
    lastBits,
  };
}

/** Checks the rank index against the bits (spec §6.4 L3); returns the total popcount. */
function checkRank(cur: SliceCursor, counts: TakenSlice, bits: Bits): number {
  const words32 = wordsAsU32(bits);
  if (cur.isTrusted) return popcountBits(bits, words32);
  const c = u32View(counts.bytes);
  const blocks = Math.floor(bits.length / 1024);
  if (c.length / 2 !== blocks) {
    throw cur.error(
      "bad-rank-counts",
      counts,
      `expected ${blocks} counts for ${bits.length} bits, found ${c.length / 2}`,
    );
  }
  let running = 0;
  for (let k = 0; k < blocks; k++) {
    running += popcountWords(words32, 16 * k, 16 * (k + 1));
    if (c[2 * k + 1] !== 0 || c[2 * k] !== running) {
      throw cur.error(
        "bad-rank-counts",
        counts,
        `counts[${k}] should be ${running} (the popcount of words 0..${16 * (k + 1) - 1}), found ${c[2 * k + 1] === 0 ? c[2 * k] : (BigInt(c[2 * k + 1]) << 32n) + BigInt(c[2 * k])}`,
        8 * k,
      );
    }
  }
  return popcountBits(bits, words32);
}

/** Checks cumulative bounds are non-decreasing (spec §6.4 L4, own-slice part). */
function checkMonotone(cur: SliceCursor, bounds: TakenSlice): void {
  if (cur.isTrusted) return;
  const kernels = cur.kernels;
  if (kernels?.covers(bounds.bytes) && kernels.firstBadBound(bounds.bytes) < 0) return;
  const b = u32View(bounds.bytes);
  // Fast path: every bound below 2^32 (any bound a valid body can hold) compares on its low half.
  let previous = 0;
  let i = 0;
  for (; i < b.length; i += 2) {
    const lo = b[i];
    if (b[i + 1] !== 0 || lo < previous) break;
    previous = lo;
  }
  if (i >= b.length) return;
  let prevLo = i === 0 ? 0 : b[i - 2];
  let prevHi = 0;
  for (; i < b.length; i += 2) {
    const lo = b[i];
    const hi = b[i + 1];
    if (hi < prevHi || (hi === prevHi && lo < prevLo)) {
      throw cur.error("bad-bounds", bounds, `bound ${i / 2} is smaller than the one before it`, i * 4);
    }
    prevLo = lo;
    prevHi = hi;
  }
}

/** Checks that the last bound equals `expected` (0 when there are no bounds). */
function checkLastBound(cur: SliceCursor, bounds: TakenSlice, expected: number, what: string): void {
  const b = u32View(bounds.bytes);
  const n = b.length / 2;
  const lastLo = n === 0 ? 0 : b[b.length - 2];
  const lastHi = n === 0 ? 0 : b[b.length - 1];
  if (lastHi !== 0 || lastLo !== expected) {
    const found = n === 0 ? "no bounds" : `last bound ${lastHi === 0 ? lastLo : "over 2^32"}`;
    throw cur.error("bad-bounds", bounds, `${found}, but ${what} is ${expected}`, Math.max(0, n - 1) * 8);
  }
}

function checkUtf8(cur: SliceCursor, bounds: TakenSlice, bytes: TakenSlice): void {
  if (cur.isTrusted) return;
  const kernels = cur.kernels?.covers(bytes.bytes) ? cur.kernels : undefined;
  const { invalidAt: invalid, isAscii } = kernels ? kernels.scanUtf8(bytes.bytes) : scanUtf8(bytes.bytes);
  if (invalid < 0) {
    if (isAscii) return;
    if (kernels?.covers(bounds.bytes) && kernels.firstSplitBound(bounds.bytes, bytes.bytes) < 0) return;
    const b = u32View(bounds.bytes);
    for (let i = 0; i < b.length; i += 2) {
      if (isContinuationByte(bytes.bytes, b[i])) {
        throw cur.error(
          "invalid-utf8",
          bounds,
          `bound ${i / 2} (${b[i]}) splits a multi-byte character`,
          i * 4,
        );
      }
    }
    return;
  }
  throw cur.error("invalid-utf8", bytes, `invalid UTF-8 at byte ${invalid}`, invalid);
}

/** Decodes and validates the column of `schema` from the cursor's next slices. */
export function decodeColumn(schema: Schema, cur: SliceCursor): Column {
  switch (schema.kind) {
    case "bool": {
      const bits = takeBits(cur);
      return { kind: "bool", length: bits.length, bits };
    }
    case "string": {
      const bounds = cur.take();
      const bytes = cur.take();
      checkMonotone(cur, bounds);
      checkLastBound(cur, bounds, bytes.bytes.byteLength, "the string bytes length");
      checkUtf8(cur, bounds, bytes);
      return {
        kind: "string",
        length: bounds.bytes.byteLength / 8,
        bounds: u64View(bounds.bytes),
        bytes: bytes.bytes,
      };
    }
    case "tuple":
    case "struct": {
      const children = schema.kind === "tuple" ? schema.elements : schema.fields.map((f) => f.type);
      const starts: number[] = [];
      const elements = children.map((child) => {
        starts.push(cur.position);
        return decodeColumn(child, cur);
      });
      const length = elements[0].length;
      const other = elements.findIndex((e) => e.length !== length);
      if (other > 0) {
        throw cur.lengthMismatch(
          starts[other],
          `element 0 has ${length} records but element ${other} has ${elements[other].length}`,
        );
      }
      return { kind: schema.kind, length, elements };
    }
    case "vec": {
      const bounds = cur.take();
      checkMonotone(cur, bounds);
      const items = decodeColumn(schema.item, cur);
      checkLastBound(cur, bounds, items.length, "the item count");
      return { kind: "vec", length: bounds.bytes.byteLength / 8, bounds: u64View(bounds.bytes), items };
    }
    case "option":
    case "result": {
      const counts = cur.take();
      const bits = takeBits(cur);
      const ones = checkRank(cur, counts, bits);
      const start = cur.position;
      if (schema.kind === "option") {
        const some = decodeColumn(schema.some, cur);
        if (some.length !== ones)
          throw cur.lengthMismatch(
            start,
            `${ones} bits are set but the Some payload has ${some.length} records`,
          );
        return { kind: "option", length: bits.length, counts: u64View(counts.bytes), bits, some };
      }
      // both children before the counts: cross-checks come after a composite's children (spec §6)
      const ok = decodeColumn(schema.ok, cur);
      const errStart = cur.position;
      const err = decodeColumn(schema.err, cur);
      if (ok.length !== ones)
        throw cur.lengthMismatch(start, `${ones} bits are set but the Ok payload has ${ok.length} records`);
      const zeros = bits.length - ones;
      if (err.length !== zeros)
        throw cur.lengthMismatch(
          errStart,
          `${zeros} bits are clear but the Err payload has ${err.length} records`,
        );
      return { kind: "result", length: bits.length, counts: u64View(counts.bytes), bits, ok, err };
    }
    default: {
      const data = cur.take();
      const ArrayType = PRIMITIVE_ARRAY_TYPES[schema.kind];
      const buffer = data.bytes.buffer as ArrayBuffer;
      const view = new ArrayType(
        buffer,
        data.bytes.byteOffset,
        data.bytes.byteLength / ArrayType.BYTES_PER_ELEMENT,
      );
      return { kind: schema.kind, length: view.length, data: view } as Column;
    }
  }
}
