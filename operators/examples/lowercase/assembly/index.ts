// lowercase: (String, i64) -> (String, i64), ASCII A-Z become a-z. Bytes >= 0x80 (the rest of
// UTF-8) are left unchanged, so "ÀB" becomes "Àb": lengths and bounds never change, and the
// bytes column is rewritten in place, 8 bytes at a time, ignoring record boundaries.

import { BatchReader } from "../../../sdk/assembly";
export { alloc, reset, error } from "../../../sdk/assembly";

const ONES: u64 = 0x0101010101010101;
const HIGH: u64 = 0x8080808080808080;

/** colwasm/1 `act`: returns `ptr` itself, the text column now lowercased. */
export function act(ptr: i32, len: i32): i32 {
  const input = new BatchReader(ptr, len);
  const text = input.string();
  input.i64();
  if (!input.finish()) return 0;
  let p = text.bytesPtr;
  const end = p + text.bytesLength;
  // SWAR: for each byte, flag 0x80 when it is ASCII and in 'A'..'Z', then OR in 0x20 there.
  for (; p + 8 <= end; p += 8) {
    const x = load<u64>(p);
    const low = x & ~HIGH;
    const atLeastA = low + ONES * (0x80 - 0x41);
    const aboveZ = low + ONES * (0x80 - 0x5b);
    const upper = atLeastA & ~aboveZ & ~x & HIGH;
    store<u64>(p, x | (upper >> 2));
  }
  for (; p < end; p++) {
    const c = load<u8>(p);
    if (<u32>(c - 0x41) < 26) store<u8>(p, c | 0x20);
  }
  return ptr;
}
