// The crate's vectors must hold in both directions, byte for byte (spec/vectors/README.md).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  BatchError,
  columnToRows,
  decodeBatch,
  encodeBatch,
  type Format,
  formatSchema,
  parseSchema,
  rowsToColumn,
} from "../../src/columnar/index.ts";
import { bytesToHex, hexToBytes, loadVectors } from "../support/vectors.ts";

const vectors = loadVectors();

describe("shared vectors", () => {
  it("loads vectors of both formats", () => {
    assert.ok(vectors.some((v) => v.format === "0.1"));
    assert.ok(vectors.some((v) => v.format === "0.12"));
  });

  for (const v of vectors) {
    describe(`${v.name} (format ${v.format})`, () => {
      const schema = parseSchema(v.schema);

      it("decodeBatch() reads the crate's bytes as the vector's rows", () => {
        const view = decodeBatch(hexToBytes(v.hex), schema, { format: v.format });
        assert.equal(view.length, v.rows.length);
        assert.deepEqual(columnToRows(schema, view.column), v.rows);
      });

      it("encodeBatch() writes the vector's rows as the crate's bytes", () => {
        assert.equal(bytesToHex(encodeBatch(rowsToColumn(schema, v.rows), { format: v.format })), v.hex);
      });

      it("encodeBatch() re-encodes the decoded columns to the same bytes", () => {
        const view = decodeBatch(hexToBytes(v.hex), schema, { format: v.format });
        assert.equal(bytesToHex(encodeBatch(view.column, { format: v.format })), v.hex);
      });

      it("the schema text is canonical", () => {
        assert.equal(formatSchema(schema), v.schema);
      });

      it("decodeBatch() rejects the body in the other format with a BatchError", () => {
        const other: Format = v.format === "0.1" ? "0.12" : "0.1";
        try {
          const view = decodeBatch(hexToBytes(v.hex), schema, { format: other });
          // A body may frame in both formats only by coincidence; then it must still be a valid batch.
          assert.ok(view.length >= 0);
        } catch (error) {
          assert.ok(error instanceof BatchError, String(error));
        }
      });
    });
  }
});
