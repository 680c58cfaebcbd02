// lowercase: (String, i64) -> (String, i64), ASCII A-Z become a-z. Bytes >= 0x80 (the rest of
// UTF-8) are left unchanged, so "ÀB" becomes "Àb": lengths and bounds never change, and the
// bytes column is rewritten in place, 16 bytes a SIMD step, ignoring record boundaries.

import { BatchReader } from "../../../sdk/assembly";
export { alloc, reset, error } from "../../../sdk/assembly";

/** 16 bytes lowercased: c - 'A' < 26 (unsigned, so bytes >= 0x80 never match) gains 0x20. */
@inline
function lower16(x: v128): v128 {
  const upper = i8x16.lt_u(i8x16.sub(x, i8x16.splat(0x41)), i8x16.splat(26));
  return v128.or(x, v128.and(upper, i8x16.splat(0x20)));
}

/** colwasm/1 `act`: returns `ptr` itself, the text column now lowercased. */
export function act(ptr: i32, len: i32): i32 {
  const input = new BatchReader(ptr, len);
  const text = input.string();
  input.i64();
  if (!input.finish()) return 0;
  let p = text.bytesPtr;
  const end = p + text.bytesLength;
  for (; p + 64 <= end; p += 64) {
    v128.store(p, lower16(v128.load(p)));
    v128.store(p, lower16(v128.load(p, 16)), 16);
    v128.store(p, lower16(v128.load(p, 32)), 32);
    v128.store(p, lower16(v128.load(p, 48)), 48);
  }
  for (; p + 16 <= end; p += 16) v128.store(p, lower16(v128.load(p)));
  for (; p < end; p++) {
    const c = load<u8>(p);
    if (<u32>(c - 0x41) < 26) store<u8>(p, c | 0x20);
  }
  return ptr;
}
