// filter_nonempty: (String, i64) -> (String, i64), keeps the records whose text is non-empty.
// A record is empty when its bound equals the one before it. Empty strings own no bytes, so the
// bytes column is kept whole and kept bounds keep their values; bounds and diffs are copied as
// runs of kept records (memory.copy per run, SIMD to skip 8 records at a time), like a columnar
// filter over a selection. With nothing to drop, the input already is the output: no copy at all.

import { BatchReader, BatchWriter } from "../../../sdk/assembly";
export { alloc, reset, error } from "../../../sdk/assembly";

/** True when one of the 8 records from `i` (>= 1) is empty: b(k) == b(k-1) for some k. */
@inline
function anyEmpty8(bounds: usize, i: usize): bool {
  const b = bounds + (i << 3);
  return v128.any_true(
    v128.or(
      v128.or(i64x2.eq(v128.load(b), v128.load(b - 8)), i64x2.eq(v128.load(b, 16), v128.load(b, 8))),
      v128.or(i64x2.eq(v128.load(b, 32), v128.load(b, 24)), i64x2.eq(v128.load(b, 48), v128.load(b, 40))),
    ),
  );
}

/** Number of empty records among the `n` whose bounds start at `bounds`. */
function countEmpty(bounds: usize, n: usize): usize {
  if (n == 0) return 0;
  let empty: usize = load<u64>(bounds) == 0 ? 1 : 0;
  let i: usize = 1;
  for (; i + 8 <= n; i += 8) {
    if (!anyEmpty8(bounds, i)) continue;
    for (let k = i; k < i + 8; k++) empty += <usize>(load<u64>(bounds + (k << 3)) == load<u64>(bounds + (k << 3) - 8));
  }
  for (; i < n; i++) empty += <usize>(load<u64>(bounds + (i << 3)) == load<u64>(bounds + (i << 3) - 8));
  return empty;
}

/** colwasm/1 `act`: the input itself when every text is non-empty, else a new batch of the kept records. */
export function act(ptr: i32, len: i32): i32 {
  const input = new BatchReader(ptr, len);
  const text = input.string();
  const diff = input.i64();
  if (!input.finish()) return 0;
  const n = <usize>text.length;
  const bounds = text.boundsPtr;
  const diffs = diff.ptr;
  const empty = countEmpty(bounds, n);
  if (empty == 0) return ptr;
  const kept = n - empty;

  const out = new BatchWriter();
  const texts = out.string(<i32>kept, text.bytesLength);
  const keptDiffs = out.i64(<i32>kept);
  out.open();
  texts.appendBytes(text.bytesPtr, text.bytesLength);
  const boundsOut = texts.bounds.base;
  const diffsOut = keptDiffs.ptr;
  let k: usize = 0; // records written
  let run: usize = 0; // first record of the current run of kept ones
  let previous: u64 = 0;
  let i: usize = 0;
  while (i < n) {
    // skip 8 records at a time while none of them is empty
    if (i > 0 && i + 8 <= n && !anyEmpty8(bounds, i)) {
      i += 8;
      continue;
    }
    const end = load<u64>(bounds + (i << 3));
    previous = i == 0 ? 0 : load<u64>(bounds + (i << 3) - 8);
    if (end == previous) {
      const length = i - run;
      memory.copy(boundsOut + (k << 3), bounds + (run << 3), length << 3);
      memory.copy(diffsOut + (k << 3), diffs + (run << 3), length << 3);
      k += length;
      run = i + 1;
    }
    i++;
  }
  const length = n - run;
  memory.copy(boundsOut + (k << 3), bounds + (run << 3), length << 3);
  memory.copy(diffsOut + (k << 3), diffs + (run << 3), length << 3);
  k += length;
  texts.bounds.cursor = boundsOut + (k << 3);
  keptDiffs.setLength(<i32>k);
  return out.finish();
}
