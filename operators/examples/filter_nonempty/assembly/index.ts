// filter_nonempty: (String, i64) -> (String, i64), keeps the records whose text is non-empty.
// A record is empty when its bound equals the one before it. Empty strings own no bytes, so the
// bytes column is kept whole and kept bounds keep their values. Bounds and diffs are compacted
// 8 records a step: a step without an empty record moves as eight SIMD loads and stores, a step
// with one is compacted record by record without branches. With nothing to drop, the input
// already is the output: no copy at all.

import { BatchReader, BatchWriter } from "../../../sdk/assembly";
export { alloc, reset, error } from "../../../sdk/assembly";

/** Lanes of -1 where b(k) == b(k-1), for the two records whose bounds start at `b`. */
@inline
function emptyLanes(b: usize, offset: usize): v128 {
  return i64x2.eq(v128.load(b + offset), v128.load(b + offset - 8));
}

/** True when record `i` is empty. */
@inline
function isEmpty(bounds: usize, i: usize): bool {
  const previous: u64 = i == 0 ? 0 : load<u64>(bounds + (i << 3) - 8);
  return load<u64>(bounds + (i << 3)) == previous;
}

/** Number of empty records among the `n` whose bounds start at `bounds`. */
function countEmpty(bounds: usize, n: usize): usize {
  if (n == 0) return 0;
  let empty: usize = load<u64>(bounds) == 0 ? 1 : 0;
  let lanes = i64x2.splat(0);
  let i: usize = 1;
  for (; i + 8 <= n; i += 8) {
    const b = bounds + (i << 3);
    // each equal lane is -1: subtracting counts it
    lanes = i64x2.sub(
      lanes,
      i64x2.add(i64x2.add(emptyLanes(b, 0), emptyLanes(b, 16)), i64x2.add(emptyLanes(b, 32), emptyLanes(b, 48))),
    );
  }
  empty += <usize>(i64x2.extract_lane(lanes, 0) + i64x2.extract_lane(lanes, 1));
  for (; i < n; i++) empty += <usize>isEmpty(bounds, i);
  return empty;
}

/** Copies the bound and diff of records [from, to) to output position `k` when non-empty; returns the new k. */
@inline
function compactRecords(bounds: usize, diffs: usize, from: usize, to: usize, boundsOut: usize, diffsOut: usize, k: usize): usize {
  let previous: u64 = from == 0 ? 0 : load<u64>(bounds + (from << 3) - 8);
  for (let i = from; i < to; i++) {
    const end = load<u64>(bounds + (i << 3));
    store<u64>(boundsOut + (k << 3), end);
    store<i64>(diffsOut + (k << 3), load<i64>(diffs + (i << 3)));
    k += <usize>(end != previous);
    previous = end;
  }
  return k;
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
  // Compaction writes record i's bound and diff at k before knowing whether it is kept, so only
  // up to the last kept record (a later kept one overwrites each such write, keeping k < kept).
  // Record 0 first (its predecessor is 0, outside the slice), then steps of 8; a full step
  // without an empty record has k + 8 <= kept, so its stores stay in bounds.
  let end = n;
  while (end > 0 && isEmpty(bounds, end - 1)) end--;
  let k = compactRecords(bounds, diffs, 0, end < 1 ? end : 1, boundsOut, diffsOut, 0);
  let i: usize = 1;
  for (; i + 8 <= end; i += 8) {
    const b = bounds + (i << 3);
    const d = diffs + (i << 3);
    const v0 = v128.load(b);
    const v1 = v128.load(b, 16);
    const v2 = v128.load(b, 32);
    const v3 = v128.load(b, 48);
    const hasEmpty = v128.any_true(
      v128.or(
        v128.or(i64x2.eq(v0, v128.load(b - 8)), i64x2.eq(v1, v128.load(b, 8))),
        v128.or(i64x2.eq(v2, v128.load(b, 24)), i64x2.eq(v3, v128.load(b, 40))),
      ),
    );
    if (hasEmpty) {
      k = compactRecords(bounds, diffs, i, i + 8, boundsOut, diffsOut, k);
      continue;
    }
    const bo = boundsOut + (k << 3);
    const dout = diffsOut + (k << 3);
    v128.store(bo, v0);
    v128.store(bo, v1, 16);
    v128.store(bo, v2, 32);
    v128.store(bo, v3, 48);
    v128.store(dout, v128.load(d));
    v128.store(dout, v128.load(d, 16), 16);
    v128.store(dout, v128.load(d, 32), 32);
    v128.store(dout, v128.load(d, 48), 48);
    k += 8;
  }
  k = compactRecords(bounds, diffs, i, end, boundsOut, diffsOut, k);
  texts.bounds.cursor = boundsOut + (k << 3);
  keptDiffs.setLength(<i32>k);
  return out.finish();
}
