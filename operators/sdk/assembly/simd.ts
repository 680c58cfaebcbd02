// SIMD helpers for operators that walk 8-byte columns (bounds, i64 values) two lanes per v128.

/**
 * [lo.lane1, hi.lane0]: the pair straddling two neighbouring vectors. Over bounds loaded as
 * [b(k-2), b(k-1)] and [b(k), b(k+1)] it is [b(k-1), b(k)], the starts of records k and k+1, so each
 * bound is loaded once; over [x(k), x(k+1)] and [x(k+2), x(k+3)] it is each lane's successor.
 */
@inline
export function straddle(lo: v128, hi: v128): v128 {
  return i8x16.shuffle(lo, hi, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23);
}
