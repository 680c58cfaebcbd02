// split_words: (String, i64) -> (String, i64), flat_map: each text splits on ASCII whitespace
// (space, \t, \n, \v, \f, \r), empty pieces are dropped, every word keeps its record's diff.
// Two passes over the records: count words and word bytes, then write into exactly-sized
// columns. Each record is read 16 bytes a step: one SIMD compare gives a bitmask of its
// non-space bytes, and the work is per run of set bits (a word or a piece of one), not per byte.

import { BatchReader, BatchWriter } from "../../../sdk/assembly";
export { alloc, reset, error } from "../../../sdk/assembly";

/** Space, or \t \n \v \f \r (0x09..0x0d). */
@inline
function isSpace(c: u32): bool {
  return c == 0x20 || c - 0x09 < 5;
}

/**
 * Bitmask of the non-space bytes among the `valid` (1..16) bytes at `p`: bit k for byte p + k.
 * One SIMD load when 16 bytes can be read before `readEnd`, else byte by byte.
 */
@inline
function wordMask(p: usize, valid: u32, readEnd: usize): u32 {
  const validBits: u32 = (1 << valid) - 1;
  if (p + 16 <= readEnd) {
    const x = v128.load(p);
    const spaces = v128.or(
      i8x16.eq(x, i8x16.splat(0x20)),
      i8x16.lt_u(i8x16.sub(x, i8x16.splat(0x09)), i8x16.splat(5)),
    );
    return ~i8x16.bitmask(spaces) & validBits;
  }
  let mask: u32 = 0;
  for (let k: u32 = 0; k < valid; k++) mask |= (<u32>!isSpace(load<u8>(p + k))) << k;
  return mask;
}

/** Pass 1 for one record [p, stop): its words (high 32 bits) and word bytes (low 32 bits). */
@inline
function countRecord(p: usize, stop: usize, readEnd: usize): u64 {
  let words: u32 = 0;
  let wordBytes: u32 = 0;
  let carry: u32 = 0; // 1 when the previous step ended inside a word
  for (; p < stop; p += 16) {
    const valid = <u32>min<usize>(16, stop - p);
    const mask = wordMask(p, valid, readEnd);
    wordBytes += popcnt(mask);
    // a word starts at a set bit whose predecessor (the previous step's last byte for bit 0) is clear
    words += popcnt(mask & ~((mask << 1) | carry));
    carry = (mask >> 15) & 1;
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
  const readEnd = <usize>ptr + <usize>(<u32>len);

  let words: usize = 0;
  let wordBytes: usize = 0;
  let start: usize = 0;
  for (let i = 0; i < n; i++) {
    const end = <usize>load<u64>(bounds + ((<usize>i) << 3));
    const counted = countRecord(bytes + start, bytes + end, readEnd);
    words += <usize>(counted >> 32);
    wordBytes += <usize>(counted & 0xffffffff);
    start = end;
  }

  const out = new BatchWriter();
  const texts = out.string(<i32>words, wordBytes);
  const diffs = out.i64(<i32>words);
  out.open();
  // Pass 2, with the cursors in locals (fields of an object in linear memory would be stored back
  // at every write). A 16-byte store may run past its piece of word: later pieces overwrite it, and
  // it is used only while it stays inside the bytes column.
  const outBytes = texts.bytes.base;
  let boundAt = texts.bounds.base;
  let diffAt = diffs.ptr;
  let written: usize = 0;
  start = 0;
  for (let i = 0; i < n; i++) {
    const end = <usize>load<u64>(bounds + ((<usize>i) << 3));
    const d = diff.get(i);
    let inWord = false;
    const stop = bytes + end;
    for (let p = bytes + start; p < stop; p += 16) {
      const valid = <u32>min<usize>(16, stop - p);
      let mask = wordMask(p, valid, readEnd);
      if (inWord && (mask & 1) == 0) {
        store<u64>(boundAt, <u64>written);
        store<i64>(diffAt, d);
        boundAt += 8;
        diffAt += 8;
        inWord = false;
      }
      while (mask != 0) {
        const runStart = ctz(mask);
        const runLength = ctz(~(mask >> runStart));
        const src = p + runStart;
        const dst = outBytes + written;
        if (written + 16 <= wordBytes && src + 16 <= readEnd) {
          v128.store(dst, v128.load(src));
        } else {
          memory.copy(dst, src, runLength);
        }
        written += runLength;
        mask &= ~(((<u32>1 << runLength) - 1) << runStart);
        // a run that touches the step's end may go on in the next step
        inWord = runStart + runLength == valid;
        if (!inWord) {
          store<u64>(boundAt, <u64>written);
          store<i64>(diffAt, d);
          boundAt += 8;
          diffAt += 8;
        }
      }
    }
    if (inWord) {
      store<u64>(boundAt, <u64>written);
      store<i64>(diffAt, d);
      boundAt += 8;
      diffAt += 8;
    }
    start = end;
  }
  texts.bounds.cursor = boundAt;
  texts.bytes.cursor = outBytes + written;
  diffs.setLength(<i32>words);
  return out.finish();
}
