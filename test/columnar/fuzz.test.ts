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
  type Format,
  rowsToColumn,
  type Schema,
} from "../../src/columnar/index.ts";
import { batchArbitrary } from "../support/arbitraries.ts";
import { type BodyMutation, bodyMutationArbitrary, mutateBody } from "../support/body-mutations.ts";

const RUNS = Number(process.env.COLWASM_FUZZ_RUNS ?? 10000);

/** A body mutation, or decoding the body as the other format. */
type Mutation = BodyMutation | { kind: "other-format" };

const mutationArbitrary: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 6, arbitrary: bodyMutationArbitrary },
  { weight: 1, arbitrary: fc.constant({ kind: "other-format" as const }) },
);

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
            if (m.kind === "other-format") decodeFormat = format === "0.1" ? "0.12" : "0.1";
            else body = mutateBody(body, m, slices, format);
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
