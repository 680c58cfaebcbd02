// shortestF32() against spec/columnar-format.md §8 floats: the shortest decimal that rounds back to
// the same f32, as Rust's `{:?}` prints it (the digits below are Rust's).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { shortestF32 } from "../../src/columnar/index.ts";

const f32 = (bits: number): number => new Float32Array(new Uint32Array([bits]).buffer)[0];

describe("shortestF32()", () => {
  it("shortestF32() takes the decimal above a power of two when the nearest one below does not round back", () => {
    // the rounding interval below a power of two is half as wide as above it
    assert.equal(shortestF32(f32(0x0f800000)), 1.2621775e-29);
    assert.equal(shortestF32(f32(0x6b000000)), 1.5474251e26);
    assert.equal(shortestF32(f32(0x6c800000)), 1.2379401e27);
    assert.equal(shortestF32(-f32(0x6c800000)), -1.2379401e27);
  });

  it("shortestF32() prints Rust's digits for landmark values", () => {
    assert.equal(shortestF32(f32(0x3dcccccd)), 0.1);
    assert.equal(shortestF32(f32(0x7f7fffff)), 3.4028235e38); // f32::MAX
    assert.equal(shortestF32(f32(0x00800000)), 1.1754944e-38); // f32::MIN_POSITIVE
    assert.equal(shortestF32(f32(0x00000001)), 1e-45); // the smallest subnormal
    assert.equal(shortestF32(f32(0x4b800000)), 16777216);
    assert.equal(shortestF32(f32(0x3eaaaaab)), 0.33333334);
    assert.ok(Object.is(shortestF32(-0), -0));
  });

  it("shortestF32() reads back to the same f32 for every power of two and random values", () => {
    for (let exponent = -149; exponent <= 127; exponent++) {
      const v = Math.fround(2 ** exponent);
      assert.equal(Math.fround(shortestF32(v)), v, `2^${exponent}`);
    }
    fc.assert(
      fc.property(fc.float({ noNaN: true, noDefaultInfinity: true }), (v) => {
        const shortest = shortestF32(v);
        assert.ok(Object.is(Math.fround(shortest), v));
        // no decimal with fewer significant digits rounds back
        const digits =
          shortest === 0 ? 1 : shortest.toExponential().split("e")[0].replace(/[-.]/g, "").length;
        if (digits > 1) {
          const fewer = Number(v.toPrecision(digits - 1));
          assert.notEqual(Math.fround(fewer), v);
        }
      }),
      { numRuns: 20_000 },
    );
  });
});
