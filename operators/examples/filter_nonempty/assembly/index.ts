// filter_nonempty: (String, i64) -> (String, i64), keeps the records whose text is non-empty.
// A record is empty when its bound equals the one before it. Empty strings own no bytes, so the
// bytes column is kept whole and kept bounds keep their values. The output is written over the
// input, in place: bounds and diffs are compacted 8 records a step (a step without an empty
// record moves as SIMD loads and stores, or not at all before the first empty one; a step with
// one empty record as a SIMD blend of each record and its successor; a step with more record by
// record without branches), then the bytes and diffs move down behind the kept bounds. With
// nothing to drop, the input already is the output: nothing is written.
// (Tried and measured slower at 100k records with 1 in 25 empty: compacting the bounds toward the
// end of their slice so the bytes never move, which takes a second, backward pass: 1.49x against
// 1.44x memcpy recomputing empties in it, 1.85x against 1.60x with the first pass noting them.)

import { BatchReader, straddle } from "../../../sdk/assembly";
export { alloc, reset, error } from "../../../sdk/assembly";

/** True when record `i` is empty. */
@inline
function isEmpty(bounds: usize, i: usize): bool {
  const previous: u64 = i == 0 ? 0 : load<u64>(bounds + (i << 3) - 8);
  return load<u64>(bounds + (i << 3)) == previous;
}

/**
 * Moves the bound and diff of records [from, to) to slot `k` on when non-empty; returns the new k.
 * `previous` is the bound of record from - 1 as read (its slot may hold another record's by now).
 */
@inline
function compactRecords(bounds: usize, diffs: usize, from: usize, to: usize, previous: u64, k: usize): usize {
  for (let i = from; i < to; i++) {
    const end = load<u64>(bounds + (i << 3));
    store<u64>(bounds + (k << 3), end);
    store<i64>(diffs + (k << 3), load<i64>(diffs + (i << 3)));
    k += <usize>(end != previous);
    previous = end;
  }
  return k;
}

/** colwasm/1 `act`: the kept records, written over the input in place (returns `ptr`). */
export function act(ptr: i32, len: i32): i32 {
  const input = new BatchReader(ptr, len);
  const text = input.string();
  const diff = input.i64();
  if (!input.finish()) return 0;
  const n = <usize>text.length;
  const bounds = text.boundsPtr;
  const diffs = diff.ptr;
  const bytesLength = text.bytesLength;
  if (n == 0) return ptr;
  // Compaction writes record i's bound and diff at k <= i before knowing whether it is kept, so
  // only up to the last kept record (a later kept one overwrites each such write). Written slots
  // never run ahead of the ones still to be read, so the input can be compacted in place.
  let end = n;
  while (end > 0 && isEmpty(bounds, end - 1)) end--;
  // records 0 and 1 one by one, then steps of 8 whose bounds are loaded once each: [b(i-1), b(i)]
  // pairs are shuffled out of a vector and the one before it
  let prev = v128.load(bounds); // [b(0), b(1)] (used only when n >= 2)
  let k = compactRecords(bounds, diffs, 0, end < 2 ? end : 2, 0, 0);
  let i: usize = 2;
  for (; i + 8 <= end; i += 8) {
    const b = bounds + (i << 3);
    const d = diffs + (i << 3);
    const v0 = v128.load(b);
    const v1 = v128.load(b, 16);
    const v2 = v128.load(b, 32);
    const v3 = v128.load(b, 48);
    const before = prev; // [b(i-2), b(i-1)], as read: their slots may be overwritten by now
    const q0 = i64x2.eq(v0, straddle(before, v0));
    const q1 = i64x2.eq(v1, straddle(v0, v1));
    const q2 = i64x2.eq(v2, straddle(v1, v2));
    const q3 = i64x2.eq(v3, straddle(v2, v3));
    const hasEmpty = v128.any_true(v128.or(v128.or(q0, q1), v128.or(q2, q3)));
    prev = v3;
    if (hasEmpty) {
      const mask =
        i64x2.bitmask(q0) | (i64x2.bitmask(q1) << 2) | (i64x2.bitmask(q2) << 4) | (i64x2.bitmask(q3) << 6);
      if (popcnt(mask) == 1 && i + 10 <= n) {
        // one empty record e: lanes from e on take their successor, so the first 7 slots hold the
        // step without e (records i + 8 and i + 9 exist; slot k + 7 is overwritten later or unused)
        const e = i64x2.splat(<i64>ctz(mask));
        const s0 = i64x2.ge_s(i64x2(0, 1), e);
        const s1 = i64x2.ge_s(i64x2(2, 3), e);
        const s2 = i64x2.ge_s(i64x2(4, 5), e);
        const s3 = i64x2.ge_s(i64x2(6, 7), e);
        const v4 = v128.load(b, 64);
        const d0 = v128.load(d);
        const d1 = v128.load(d, 16);
        const d2 = v128.load(d, 32);
        const d3 = v128.load(d, 48);
        const d4 = v128.load(d, 64);
        const bo = bounds + (k << 3);
        const dout = diffs + (k << 3);
        v128.store(bo, v128.bitselect(straddle(v0, v1), v0, s0));
        v128.store(bo, v128.bitselect(straddle(v1, v2), v1, s1), 16);
        v128.store(bo, v128.bitselect(straddle(v2, v3), v2, s2), 32);
        v128.store(bo, v128.bitselect(straddle(v3, v4), v3, s3), 48);
        v128.store(dout, v128.bitselect(straddle(d0, d1), d0, s0));
        v128.store(dout, v128.bitselect(straddle(d1, d2), d1, s1), 16);
        v128.store(dout, v128.bitselect(straddle(d2, d3), d2, s2), 32);
        v128.store(dout, v128.bitselect(straddle(d3, d4), d3, s3), 48);
        k += 7;
        continue;
      }
      k = compactRecords(bounds, diffs, i, i + 8, <u64>i64x2.extract_lane(before, 1), k);
      continue;
    }
    if (k != i) {
      const bo = bounds + (k << 3);
      const dout = diffs + (k << 3);
      v128.store(bo, v0);
      v128.store(bo, v1, 16);
      v128.store(bo, v2, 32);
      v128.store(bo, v3, 48);
      v128.store(dout, v128.load(d));
      v128.store(dout, v128.load(d, 16), 16);
      v128.store(dout, v128.load(d, 32), 32);
      v128.store(dout, v128.load(d, 48), 48);
    }
    k += 8;
  }
  k = compactRecords(bounds, diffs, i, end, <u64>i64x2.extract_lane(prev, 1), k);
  if (k == n) return ptr; // nothing dropped: the input already is the output
  // Frame the output over the input: bounds stay where they are; the bytes, then the diffs, move
  // down to follow them (memory.copy copies overlapping ranges correctly).
  store<u64>(<usize>ptr, <u64>(k << 3));
  const bytesAt = bounds + (k << 3) + 8;
  store<u64>(bytesAt - 8, <u64>bytesLength);
  memory.copy(bytesAt, text.bytesPtr, bytesLength);
  const padded = (bytesLength + 7) & ~(<usize>7);
  memory.fill(bytesAt + bytesLength, 0, padded - bytesLength);
  const diffsAt = bytesAt + padded + 8;
  store<u64>(diffsAt - 8, <u64>(k << 3));
  memory.copy(diffsAt, diffs, k << 3);
  return ptr;
}
