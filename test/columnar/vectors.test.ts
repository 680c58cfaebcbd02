// The crate's vectors must hold in both directions, byte for byte (spec/vectors/README.md): the
// shared ones, and the 113 per format generated here with the same crate builds for every type.
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
  type Schema,
} from "../../src/columnar/index.ts";
import { bytesToHex, hexToBytes, loadCrateVectors, loadVectors, type Vector } from "../support/vectors.ts";

const vectors = loadVectors();

/** Decodes a vector's body in the other format: a BatchError, or (a coincidence) a valid batch. */
function checkOtherFormat(v: Vector, schema: Schema): void {
  const other: Format = v.format === "0.1" ? "0.12" : "0.1";
  try {
    const view = decodeBatch(hexToBytes(v.hex), schema, { format: other });
    // A body may frame in both formats only by coincidence; then it must still be a valid batch.
    assert.ok(view.length >= 0);
  } catch (error) {
    assert.ok(error instanceof BatchError, String(error));
  }
}

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
        checkOtherFormat(v, schema);
      });
    });
  }
});

describe("vectors generated with the crate (test/fixtures/crate-vectors)", () => {
  const generated = loadCrateVectors();

  it("cover both formats with the same vectors, the shared ones included byte for byte", () => {
    const names = (format: Format) => generated.filter((v) => v.format === format).map((v) => v.name);
    assert.ok(names("0.1").length >= 100);
    assert.deepEqual(names("0.12"), names("0.1"));
    for (const shared of vectors) {
      const same = generated.find((v) => v.name === shared.name && v.format === shared.format);
      assert.deepEqual(same, shared, shared.name);
    }
  });

  for (const v of generated) {
    it(`${v.name} (format ${v.format}, ${v.schema}): decode, encode and re-encode agree with the crate`, () => {
      const schema = parseSchema(v.schema);
      assert.equal(formatSchema(schema), v.schema);
      const view = decodeBatch(hexToBytes(v.hex), schema, { format: v.format });
      assert.equal(view.length, v.rows.length);
      assert.deepEqual(columnToRows(schema, view.column), v.rows);
      assert.equal(bytesToHex(encodeBatch(rowsToColumn(schema, v.rows), { format: v.format })), v.hex);
      assert.equal(bytesToHex(encodeBatch(view.column, { format: v.format })), v.hex);
      checkOtherFormat(v, schema);
    });
  }
});
