// Property tests: random schemas and values survive encode -> decode -> encode in both formats.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  columnToRows,
  decodeBatch,
  encodeBatch,
  FORMATS,
  formatSchema,
  parseSchema,
  rowsToColumn,
} from "../../src/columnar/index.ts";
import { batchArbitrary, schemaArbitrary } from "../support/arbitraries.ts";

const RUNS = Number(process.env.COLWASM_PROPERTY_RUNS ?? 1000);

describe("round trip", () => {
  for (const format of FORMATS) {
    it(`decodeBatch(encodeBatch(rows)) gives the rows back in format ${format}`, () => {
      fc.assert(
        fc.property(batchArbitrary(), ({ schema, rows }) => {
          const body = encodeBatch(rowsToColumn(schema, rows), { format });
          const view = decodeBatch(body, schema, { format });
          assert.equal(view.length, rows.length);
          assert.deepEqual(columnToRows(schema, view.column), rows);
          assert.deepEqual(encodeBatch(view.column, { format }), body);
        }),
        { numRuns: RUNS },
      );
    });
  }

  it("parseSchema(formatSchema(s)) is s", () => {
    fc.assert(
      fc.property(schemaArbitrary(4), (schema) => {
        assert.deepEqual(parseSchema(formatSchema(schema)), schema);
      }),
      { numRuns: RUNS },
    );
  });

  it("rank counts hold past 1024 bits: Option<u8> with 2500 records round-trips in both formats", () => {
    const schema = parseSchema("Option<u8>");
    const rows = Array.from({ length: 2500 }, (_, i) => (i % 3 === 0 ? null : i % 256));
    for (const format of FORMATS) {
      const view = decodeBatch(encodeBatch(rowsToColumn(schema, rows), { format }), schema, { format });
      assert.equal(view.column.kind === "option" && view.column.counts.length, 2);
      assert.deepEqual(columnToRows(schema, view.column), rows);
    }
  });
});
