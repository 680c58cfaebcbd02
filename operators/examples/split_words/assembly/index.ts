// split_words: (String, i64) -> (String, i64), flat_map: each text splits on ASCII whitespace
// (space, \t, \n, \v, \f, \r), empty pieces are dropped, every word keeps its record's diff.
// Two passes over the records: count words and word bytes, then write into exactly-sized
// columns. A record of at most 64 bytes (most texts) is read as four 16-byte SIMD compares into
// one 64-bit mask of its non-space bytes: its words are the popcount of the mask's run ends, its
// bytes are compacted 8 at a time by a shuffle looked up from a table, and each word end costs a
// few bit operations. Longer records, and the last ones of the batch, take a per-run loop.

import { BatchReader, BatchWriter } from "../../../sdk/assembly";
export { alloc, reset, error } from "../../../sdk/assembly";

/** Space, or \t \n \v \f \r (0x09..0x0d). */
@inline
function isSpace(c: u32): bool {
  return c == 0x20 || c - 0x09 < 5;
}

/** Non-space bits of the 16 bytes at `p` (bit k for byte p + k); the caller masks what it reads past. */
@inline
function wordBits16(p: usize): u32 {
  const x = v128.load(p);
  const spaces = v128.or(
    i8x16.eq(x, i8x16.splat(0x20)),
    i8x16.lt_u(i8x16.sub(x, i8x16.splat(0x09)), i8x16.splat(5)),
  );
  return ~i8x16.bitmask(spaces) & 0xffff;
}

/** Non-space bits of the record's `length` (<= 64) bytes at `p`, read 16 bytes a compare. */
@inline
function wordBits64(p: usize, length: usize): u64 {
  let bits = <u64>wordBits16(p);
  if (length > 16) {
    bits |= <u64>wordBits16(p + 16) << 16;
    if (length > 32) {
      bits |= <u64>wordBits16(p + 32) << 32;
      if (length > 48) bits |= <u64>wordBits16(p + 48) << 48;
    }
  }
  // (2 << (length - 1)) - 1 keeps the low `length` bits, for length 64 too (the shift wraps to 0)
  return length == 0 ? 0 : bits & ((<u64>2 << <u64>(length - 1)) - 1);
}

/** Bits where a word ends: a non-space byte followed by a space or by the end of the record. */
@inline
function wordEnds(bits: u64): u64 {
  return bits & ~(bits >> 1);
}

// COMPACT[m] (8 bytes): the positions of m's set bits in order, then 0x80 (a swizzle index that
// yields 0), so swizzling 8 bytes by it packs the bytes whose bits are set to the front.
const COMPACT: usize = memory.data(256 * 8);
for (let m: u32 = 0; m < 256; m++) {
  let k: u32 = 0;
  for (let b: u32 = 0; b < 8; b++) {
    if ((m >> b) & 1) store<u8>(COMPACT + (m << 3) + k++, <u8>b);
  }
  for (; k < 8; k++) store<u8>(COMPACT + (m << 3) + k, 0x80);
}

/** Words and their bytes in [p, end), the scalar way (records past 64 bytes, batch end). */
function countWordsScalar(p: usize, end: usize): u64 {
  let words: u32 = 0;
  let wordBytes: u32 = 0;
  let wasSpace: u32 = 1;
  for (; p < end; p++) {
    const space = <u32>isSpace(load<u8>(p));
    wordBytes += space ^ 1;
    words += wasSpace & (space ^ 1);
    wasSpace = space;
  }
  return (<u64>words << 32) | <u64>wordBytes;
}

/** colwasm/1 `act`: returns a new batch with one record per word. */
export function act(ptr: i32, len: i32): i32 {
  const input = new BatchReader(ptr, len);
  const text = input.string();
  const diff = input.i64();
  if (!input.finish()) return 0;
  const n = text.length;
  const bytes = text.bytesPtr;
  const bounds = text.boundsPtr;
  // A short record's loads read up to 72 bytes from its start (four 16-byte compares, then 16-byte
  // loads at 8-byte steps): records starting past this take the scalar loops.
  const batchEnd = <usize>ptr + <usize>(<u32>len);
  const maskEnd = batchEnd - bytes >= 72 ? batchEnd - 72 : 0;

  // Pass 1: count words and word bytes.
  let words: usize = 0;
  let wordBytes: usize = 0;
  let start: usize = 0;
  for (let i = 0; i < n; i++) {
    const end = <usize>load<u64>(bounds + ((<usize>i) << 3));
    const length = end - start;
    const p = bytes + start;
    if (length <= 64 && p <= maskEnd) {
      const bits = wordBits64(p, length);
      words += <usize>popcnt(wordEnds(bits));
      wordBytes += <usize>popcnt(bits);
    } else {
      const counted = countWordsScalar(p, p + length);
      words += <usize>(counted >> 32);
      wordBytes += <usize>(counted & 0xffffffff);
    }
    start = end;
  }

  const out = new BatchWriter();
  const texts = out.string(<i32>words, wordBytes);
  const diffs = out.i64(<i32>words);
  out.open();

  // Pass 2, cursors in locals (fields of an object in linear memory would be stored back at every
  // write). The 8-byte stores of the compaction run past the record's bytes: later records
  // overwrite them, and they are used only while 64 bytes remain in the bytes column.
  const outBytes = texts.bytes.base;
  let boundAt = texts.bounds.base;
  let diffAt = diffs.ptr;
  let written: usize = 0;
  start = 0;
  for (let i = 0; i < n; i++) {
    const end = <usize>load<u64>(bounds + ((<usize>i) << 3));
    const length = end - start;
    const p = bytes + start;
    const d = diff.get(i);
    start = end;
    if (length <= 64 && p <= maskEnd && written + 72 <= wordBytes) {
      const bits = wordBits64(p, length);
      // bytes: 8 at a time, each group's non-space bytes packed to the front
      let dst = outBytes + written;
      for (let g: usize = 0; g < length; g += 8) {
        const group = <u32>(bits >> <u64>g) & 0xff;
        const packed = i8x16.swizzle(v128.load(p + g), v128.load64_zero(COMPACT + (<usize>group << 3)));
        v128.store64_lane(dst, packed, 0);
        dst += <usize>popcnt(group);
      }
      // words: each end's bound is the bytes written up to and including it
      let ends = wordEnds(bits);
      while (ends != 0) {
        const e = ctz(ends);
        const upTo = bits & ((<u64>2 << e) - 1);
        store<u64>(boundAt, <u64>(written + <usize>popcnt(upTo)));
        store<i64>(diffAt, d);
        boundAt += 8;
        diffAt += 8;
        ends &= ends - 1;
      }
      written = dst - outBytes;
      continue;
    }
    // the per-byte fallback: copy each word, end it
    const stop = p + length;
    let q = p;
    while (q < stop) {
      while (q < stop && isSpace(load<u8>(q))) q++;
      if (q == stop) break;
      const wordStart = q;
      while (q < stop && !isSpace(load<u8>(q))) q++;
      memory.copy(outBytes + written, wordStart, q - wordStart);
      written += q - wordStart;
      store<u64>(boundAt, <u64>written);
      store<i64>(diffAt, d);
      boundAt += 8;
      diffAt += 8;
    }
  }
  texts.bounds.cursor = boundAt;
  texts.bytes.cursor = outBytes + written;
  diffs.setLength(<i32>words);
  return out.finish();
}
