// split_words: (String, i64) -> (String, i64), flat_map: each text splits on ASCII whitespace
// (space, \t, \n, \v, \f, \r), empty pieces are dropped, every word keeps its record's diff.
// Two passes over the bytes: count words and word bytes, then write into exactly-sized columns.

import { BatchReader, BatchWriter } from "../../../sdk/assembly";
export { alloc, reset, error } from "../../../sdk/assembly";

// 256-entry table in static data (not the heap, which reset rewinds): 1 for the six spaces.
const SPACE_TABLE: usize = memory.data<u8>([
  0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
]);

/** Space, or \t \n \v \f \r (0x09..0x0d). */
@inline
function isSpace(c: u32): bool {
  return load<u8>(SPACE_TABLE + c) != 0;
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

  // Pass 1: a word starts at each non-space byte that follows a space or a record start.
  let words: u32 = 0;
  let wordBytes: usize = 0;
  let start: usize = 0;
  for (let i = 0; i < n; i++) {
    const end = <usize>load<u64>(bounds + ((<usize>i) << 3));
    let wasSpace: u32 = 1;
    for (let p = start; p < end; p++) {
      const space = <u32>load<u8>(SPACE_TABLE + <usize>load<u8>(bytes + p));
      wordBytes += 1 - space;
      words += wasSpace & (space ^ 1);
      wasSpace = space;
    }
    start = end;
  }

  const out = new BatchWriter();
  const texts = out.string(<i32>words, wordBytes);
  const diffs = out.i64(<i32>words);
  out.open();

  // Pass 2: copy each word's bytes and write its bound and diff.
  let boundAt = texts.bounds.base;
  let diffAt = diffs.ptr;
  const outBytes = texts.bytes.base;
  let written: usize = 0;
  start = 0;
  for (let i = 0; i < n; i++) {
    const end = <usize>load<u64>(bounds + ((<usize>i) << 3));
    const d = diff.get(i);
    let p = start;
    while (p < end) {
      while (p < end && isSpace(load<u8>(bytes + p))) p++;
      if (p == end) break;
      const wordStart = p;
      while (p < end && !isSpace(load<u8>(bytes + p))) p++;
      const length = p - wordStart;
      const dst = outBytes + written;
      for (let k: usize = 0; k < length; k++) store<u8>(dst + k, load<u8>(bytes + wordStart + k));
      written += length;
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
