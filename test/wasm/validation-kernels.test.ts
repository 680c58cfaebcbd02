// The WASM validation kernels agree exactly with the JS loops they replace, and a decoder using
// them accepts and rejects exactly what the JS decoder does (same rule), whatever the bytes.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { BatchError, decodeBatch, encodeBatch, rowsToColumn, scanUtf8 } from "../../src/columnar/index.ts";
import { bindValidationKernels } from "../../src/wasm/index.ts";
import { batchArbitrary } from "../support/arbitraries.ts";
import { kernelModule } from "../support/operators.ts";

const memory = new WebAssembly.Memory({ initial: 4 }); // 256 KiB: room for 3000 bounds at 64
const kernels = bindValidationKernels(kernelModule(), memory);

/** `bytes` placed at an 8-aligned address > 0 in the kernels' memory. */
function inMemory(bytes: Uint8Array, at = 64): Uint8Array {
  const view = new Uint8Array(memory.buffer, at, bytes.length);
  view.set(bytes);
  return view;
}

const utf8ish = fc.oneof(
  fc.string({ unit: "binary", maxLength: 200 }).map((s) => new TextEncoder().encode(s)),
  fc.uint8Array({ maxLength: 200 }),
  fc
    .array(fc.constantFrom(0x41, 0x80, 0xbf, 0xc0, 0xc2, 0xe0, 0xed, 0xa0, 0xf0, 0xf4, 0x90, 0x8f, 0xff), {
      maxLength: 80,
    })
    .map((a) => Uint8Array.from(a)),
);

describe("bindValidationKernels()", () => {
  it("scanUtf8 matches the JS scan on random and adversarial bytes", () => {
    fc.assert(
      fc.property(utf8ish, fc.integer({ min: 0, max: 7 }), (bytes, shift) => {
        const view = inMemory(bytes, 64 + shift);
        assert.deepEqual(kernels.scanUtf8(view), scanUtf8(view));
      }),
      { numRuns: 3000 },
    );
  });

  it("scanUtf8 matches the JS scan after ASCII prefixes spanning several 1 KiB chunks", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5000 }),
        utf8ish,
        fc.integer({ min: 0, max: 7 }),
        (n, tail, shift) => {
          const bytes = new Uint8Array(n + tail.length);
          for (let i = 0; i < n; i++) bytes[i] = 0x20 + (i % 95);
          bytes.set(tail, n);
          const view = inMemory(bytes, 64 + shift);
          assert.deepEqual(kernels.scanUtf8(view), scanUtf8(view));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("firstBadBound finds the first decreasing or >= 2^32 bound", () => {
    fc.assert(
      fc.property(
        fc.array(fc.bigInt({ min: 0n, max: 2n ** 33n }), { maxLength: 200 }),
        fc.boolean(),
        (values, sorted) => {
          const bounds = BigUint64Array.from(
            sorted ? [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)) : values,
          );
          const view = inMemory(new Uint8Array(bounds.buffer));
          let expected = -1;
          let prev = 0n;
          for (let i = 0; i < bounds.length; i++) {
            if (bounds[i] >= 2n ** 32n || bounds[i] < prev) {
              expected = i;
              break;
            }
            prev = bounds[i];
          }
          assert.equal(kernels.firstBadBound(view), expected);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("firstBadBound agrees on long sorted runs with one defect anywhere", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 300 }),
        fc.nat(),
        fc.constantFrom("decrease", "high"),
        (n, at, kind) => {
          const bounds = BigUint64Array.from({ length: n }, (_, i) => BigInt(3 * i));
          const k = at % n;
          bounds[k] = kind === "high" ? 2n ** 32n + BigInt(3 * k) : k === 0 ? 0n : BigInt(3 * k - 4);
          const expected = kind === "high" ? k : k === 0 ? -1 : k;
          assert.equal(kernels.firstBadBound(inMemory(new Uint8Array(bounds.buffer))), expected);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("firstBadBound agrees over several SIMD chunks, for defects its difference test must catch", () => {
    // Rising by up to 2^31 a bound keeps every difference below 2^32 while the values pass 2^32;
    // a bound near 2^64 wraps its difference: both must be found, at their exact index.
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3000 }),
        fc.nat(),
        fc.constantFrom("decrease", "high", "near-2^64", "climb", "none"),
        (n, at, kind) => {
          const bounds = BigUint64Array.from({ length: n }, (_, i) => BigInt(5 * i));
          const k = at % n;
          if (kind === "decrease" && k > 0) bounds[k] = bounds[k - 1] - 1n;
          if (kind === "high") bounds[k] = 2n ** 32n + BigInt(5 * k);
          if (kind === "near-2^64") bounds[k] = 2n ** 64n - 1n - BigInt(at % 7);
          if (kind === "climb")
            for (let i = k; i < n; i++) bounds[i] = BigInt(5 * k) + BigInt(i - k + 1) * 2n ** 31n;
          let expected = -1;
          let prev = 0n;
          for (let i = 0; i < n; i++) {
            if (bounds[i] >= 2n ** 32n || bounds[i] < prev) {
              expected = i;
              break;
            }
            prev = bounds[i];
          }
          assert.equal(kernels.firstBadBound(inMemory(new Uint8Array(bounds.buffer))), expected);
        },
      ),
      { numRuns: 1500 },
    );
  });

  it("firstSplitBound finds a bound inside a multi-byte character", () => {
    const bytes = inMemory(new TextEncoder().encode("aé€b"), 512); // a, é (2 bytes), € (3 bytes), b
    const good = inMemory(new Uint8Array(BigUint64Array.from([1n, 3n, 6n, 7n]).buffer), 64);
    assert.equal(kernels.firstSplitBound(good, bytes), -1);
    const bad = inMemory(new Uint8Array(BigUint64Array.from([1n, 2n, 6n, 7n]).buffer), 64);
    assert.equal(kernels.firstSplitBound(bad, bytes), 1);
  });

  it("covers only views of its own memory, also after memory grows", () => {
    assert.equal(kernels.covers(new Uint8Array(8)), false);
    memory.grow(1);
    assert.equal(kernels.covers(new Uint8Array(memory.buffer, 8, 8)), true);
  });

  it("decodeBatch() with kernels accepts and rejects exactly like without", () => {
    fc.assert(
      fc.property(
        batchArbitrary(20),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
        ({ schema, rows }, flips) => {
          const body = encodeBatch(rowsToColumn(schema, rows));
          for (const [at, value] of flips) if (body.length > 0) body[at % body.length] = value;
          const region = inMemory(body, 1024);
          const outcome = (kernelsOn: boolean) => {
            try {
              return `ok ${decodeBatch(region, schema, { kernels: kernelsOn ? kernels : undefined }).length}`;
            } catch (error) {
              if (!(error instanceof BatchError)) throw error;
              return `${error.rule} ${error.location.slice ?? ""}`;
            }
          };
          assert.equal(outcome(true), outcome(false));
        },
      ),
      { numRuns: 1500 },
    );
  });
});
