// The shortest decimal that reads back to the same f32 (spec §8 floats), the digits Rust's `{:?}`
// prints. `toPrecision(p)` gives the p-digit decimal nearest to the value, but at a power of two
// the f32 rounding interval is narrower below the value than above it, so the nearest p-digit
// decimal can fall outside while its neighbour above still rounds back: both neighbours are tried.

/**
 * The shortest decimal (as a number) that rounds back to the f32 `v`; among equally short ones,
 * the closest to `v`. `v` must be an f32 value (e.g. read from a Float32Array).
 */
export function shortestF32(v: number): number {
  if (!Number.isFinite(v) || v === 0) return v;
  for (let digits = 1; digits <= 9; digits++) {
    const [mantissa, exponent] = v.toExponential(digits - 1).split("e");
    const scaled = BigInt(mantissa.replace(".", "")); // the p digits, signed
    const shift = Number(exponent) - (digits - 1);
    let best: number | undefined;
    for (const step of [0n, -1n, 1n]) {
      const candidate = Number(`${scaled + step}e${shift}`);
      if (Math.fround(candidate) !== v) continue;
      if (best === undefined || Math.abs(candidate - v) < Math.abs(best - v)) best = candidate;
    }
    if (best !== undefined) return best;
  }
  return v;
}
