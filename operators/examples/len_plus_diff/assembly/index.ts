// len_plus_diff: (String, i64) -> (String, i64), diff := byte_length(text) + diff (wrapping i64).
// Works in place: the output batch is the input buffer with its i64 column rewritten, so no copy.
// Lengths are bound(i) - bound(i-1): with SIMD, two records a step from one aligned load of
// [b(i), b(i+1)] and one unaligned load 8 bytes earlier (record 0's predecessor is 0, done apart).

import { BatchReader } from "../../../sdk/assembly";
export { alloc, reset, error } from "../../../sdk/assembly";

/** colwasm/1 `act`: returns `ptr` itself, the batch now holding the new diffs. */
export function act(ptr: i32, len: i32): i32 {
  const input = new BatchReader(ptr, len);
  const text = input.string();
  const diff = input.i64();
  if (!input.finish()) return 0;
  const bounds = text.boundsPtr;
  const diffs = diff.ptr;
  const n = <usize>text.length;
  if (n == 0) return ptr;
  store<i64>(diffs, load<i64>(diffs) + load<i64>(bounds));
  let i: usize = 1;
  for (; i + 8 <= n; i += 8) {
    const b = bounds + (i << 3);
    const d = diffs + (i << 3);
    v128.store(d, i64x2.add(v128.load(d), i64x2.sub(v128.load(b), v128.load(b - 8))));
    v128.store(d, i64x2.add(v128.load(d, 16), i64x2.sub(v128.load(b, 16), v128.load(b, 8))), 16);
    v128.store(d, i64x2.add(v128.load(d, 32), i64x2.sub(v128.load(b, 32), v128.load(b, 24))), 32);
    v128.store(d, i64x2.add(v128.load(d, 48), i64x2.sub(v128.load(b, 48), v128.load(b, 40))), 48);
  }
  for (; i < n; i++) {
    const at = diffs + (i << 3);
    const b = bounds + (i << 3);
    store<i64>(at, load<i64>(at) + <i64>(load<u64>(b) - load<u64>(b - 8)));
  }
  return ptr;
}
