// Seeded fuzz of decodeBatch() (spec/columnar-format.md §6: "MUST NOT throw anything else"): valid
// bodies of random schemas, mutated, must either decode to a view that re-encodes and decodes again,
// or throw BatchError. fast-check prints the seed and the shrunk case on failure.
// COLWASM_FUZZ_RUNS scales the run count (default 10000, about 5 s).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  BatchError,
  columnSlices,
  columnToRows,
  decodeBatch,
  encodeBatch,
  encodeSlices,
  type Format,
  rowsToColumn,
  type Schema,
} from "../../src/columnar/index.ts";
import { batchArbitrary } from "../support/arbitraries.ts";

const RUNS = Number(process.env.COLWASM_FUZZ_RUNS ?? 10000);

/** Length and offset values that sit on every boundary a framing check has. */
const NASTY_WORDS = [
  0n,
  1n,
  7n,
  8n,
  15n,
  16n,
  63n,
  64n,
  1024n,
  2n ** 31n,
  2n ** 32n,
  2n ** 32n + 8n,
  2n ** 40n,
  2n ** 53n - 1n,
  2n ** 53n,
  2n ** 63n,
  2n ** 64n - 1n,
];

type Mutation =
  | { kind: "flip"; at: number; mask: number }
  | { kind: "truncate"; at: number }
  | { kind: "append"; words: bigint[] }
  | { kind: "word"; at: number; value: bigint; delta: number }
  | { kind: "swap"; a: number; b: number }
  | { kind: "other-format" };

const mutationArbitrary: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant("append" as const),
    words: fc.array(fc.bigInt(0n, 2n ** 64n - 1n), { minLength: 1, maxLength: 3 }),
  }),
  fc.record({
    kind: fc.constant("word" as const),
    at: fc.nat(),
    value: fc.oneof(fc.constantFrom(...NASTY_WORDS), fc.bigInt(0n, 2n ** 64n - 1n), fc.bigInt(0n, 256n)),
    delta: fc.integer({ min: -9, max: 9 }),
  }),
  fc.record({ kind: fc.constant("swap" as const), a: fc.nat(), b: fc.nat() }),
  fc.constant({ kind: "other-format" as const }),
);

/** Applies `m` to a body; `slices` are the valid batch's slices (for swaps). */
function mutate(body: Uint8Array, m: Mutation, slices: Uint8Array[], format: Format): Uint8Array {
  switch (m.kind) {
    case "flip": {
      if (body.length === 0) return body;
      const out = body.slice();
      out[m.at % out.length] ^= m.mask;
      return out;
    }
    case "truncate":
      return body.slice(0, m.at % (body.length + 1));
    case "append": {
      const out = new Uint8Array(body.length + 8 * m.words.length);
      out.set(body);
      const view = new DataView(out.buffer);
      m.words.forEach((w, k) => view.setBigUint64(body.length + 8 * k, w, true));
      return out;
    }
    case "word": {
      if (body.length < 8) return body;
      const out = body.slice();
      const at = 8 * (m.at % (out.length >>> 3));
      const view = new DataView(out.buffer);
      // The body's own length (plus a small delta) is the most interesting "almost right" value.
      const value = m.value === 1024n ? BigInt(Math.max(0, out.length + m.delta)) : m.value;
      view.setBigUint64(at, value, true);
      return out;
    }
    case "swap": {
      if (slices.length < 2) return body;
      const swapped = [...slices];
      const [a, b] = [m.a % swapped.length, m.b % swapped.length];
      [swapped[a], swapped[b]] = [swapped[b], swapped[a]];
      return encodeSlices(swapped, format);
    }
    case "other-format":
      return body;
  }
}

/** decodeBatch either throws BatchError or returns a view that survives re-encoding. */
function checkBody(body: Uint8Array, schema: Schema, format: Format): void {
  let view;
  try {
    view = decodeBatch(body, schema, { format });
  } catch (error) {
    if (error instanceof BatchError) return;
    throw error;
  }
  const again = encodeBatch(view.column, { format });
  const second = decodeBatch(again, schema, { format });
  assert.equal(second.length, view.length);
  assert.deepEqual(encodeBatch(second.column, { format }), again);
  columnToRows(schema, second.column);
}

describe("decodeBatch() fuzz", () => {
  it(`decodeBatch() returns a view or throws BatchError for ${RUNS} mutated bodies`, () => {
    fc.assert(
      fc.property(
        batchArbitrary(12),
        fc.constantFrom<Format>("0.1", "0.12"),
        fc.array(mutationArbitrary, { minLength: 1, maxLength: 3 }),
        ({ schema, rows }, format, mutations) => {
          const column = rowsToColumn(schema, rows);
          const slices = columnSlices(column, format);
          let body = encodeBatch(column, { format });
          let decodeFormat = format;
          for (const m of mutations) {
            body = mutate(body, m, slices, format);
            if (m.kind === "other-format") decodeFormat = format === "0.1" ? "0.12" : "0.1";
          }
          checkBody(body, schema, decodeFormat);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("decodeBatch() accepts an unaligned copy of a valid body (it copies once)", () => {
    fc.assert(
      fc.property(batchArbitrary(12), fc.constantFrom<Format>("0.1", "0.12"), ({ schema, rows }, format) => {
        const body = encodeBatch(rowsToColumn(schema, rows), { format });
        const shifted = new Uint8Array(body.length + 3);
        shifted.set(body, 3);
        const view = decodeBatch(shifted.subarray(3), schema, { format });
        assert.equal(view.alignmentCopyBytes, body.length);
        assert.deepEqual(encodeBatch(view.column, { format }), body);
      }),
      { numRuns: Math.max(100, RUNS / 20) },
    );
  });
});
