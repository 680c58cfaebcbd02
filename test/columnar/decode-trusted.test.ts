// decodeBatch({ isTrusted }) — for bytes this process already validated (thread hand-offs): the same
// views and rows, framing and sizes still checked, per-record scans skipped.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  BatchError,
  columnToRows,
  decodeBatch,
  encodeBatch,
  rowsToColumn,
} from "../../src/columnar/index.ts";
import { batchArbitrary } from "../support/arbitraries.ts";

describe("decodeBatch() with isTrusted", () => {
  it("gives the same rows as a validating decode for valid bodies", () => {
    fc.assert(
      fc.property(batchArbitrary(), ({ schema, rows }) => {
        const body = encodeBatch(rowsToColumn(schema, rows));
        const trusted = decodeBatch(body, schema, { isTrusted: true });
        assert.deepEqual(
          columnToRows(schema, trusted.column),
          columnToRows(schema, decodeBatch(body, schema).column),
        );
      }),
      { numRuns: 300 },
    );
  });

  it("still rejects framing and size defects", () => {
    const body = encodeBatch(rowsToColumn({ kind: "string" }, ["ab"]));
    assert.throws(
      () => decodeBatch(body.subarray(0, 16), { kind: "string" }, { isTrusted: true }),
      (e: unknown) => e instanceof BatchError && e.rule === "missing-slices",
    );
  });
});
