// len_plus_diff: (String, i64) -> (String, i64), diff := byte_length(text) + diff (wrapping i64).
// Works in place: the output batch is the input buffer with its i64 column rewritten, so no copy.
// Lengths are bound(i) - bound(i-1): with SIMD, 8 records a step from aligned loads of the bounds,
// each vector's predecessors shuffled out of it and the vector before (records 0 and 1 first).

import { BatchReader, straddle } from "../../../sdk/assembly";
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
  if (n == 1) return ptr;
  store<i64>(diffs + 8, load<i64>(diffs + 8) + <i64>(load<u64>(bounds + 8) - load<u64>(bounds)));
  // from record 2 on, each bound is loaded once: [b(i), b(i+1)] at bounds + 8i
  let prev = v128.load(bounds); // [b(0), b(1)]
  let i: usize = 2;
  for (; i + 8 <= n; i += 8) {
    const b = bounds + (i << 3);
    const d = diffs + (i << 3);
    const v0 = v128.load(b);
    const v1 = v128.load(b, 16);
    const v2 = v128.load(b, 32);
    const v3 = v128.load(b, 48);
    v128.store(d, i64x2.add(v128.load(d), i64x2.sub(v0, straddle(prev, v0))));
    v128.store(d, i64x2.add(v128.load(d, 16), i64x2.sub(v1, straddle(v0, v1))), 16);
    v128.store(d, i64x2.add(v128.load(d, 32), i64x2.sub(v2, straddle(v1, v2))), 32);
    v128.store(d, i64x2.add(v128.load(d, 48), i64x2.sub(v3, straddle(v2, v3))), 48);
    prev = v3;
  }
  for (; i < n; i++) {
    const at = diffs + (i << 3);
    const b = bounds + (i << 3);
    store<i64>(at, load<i64>(at) + <i64>(load<u64>(b) - load<u64>(b - 8)));
  }
  return ptr;
}
