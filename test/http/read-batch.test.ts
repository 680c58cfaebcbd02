// readBatch (src/http/read-batch.ts) checks in the order of spec/columnar-format.md §6 (format →
// schema → body) and counts the schema's slices in the request's format (§3.1).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { BatchError, encodeBatch, parseSchema, rowsToColumn, SchemaError } from "../../src/columnar/index.ts";
import { COLUMNAR_MEDIA_TYPE, NDJSON_MEDIA_TYPE } from "../../src/http/index.ts";
import { readBatch } from "../../src/http/read-batch.ts";

/** 342 bools: 684 slices in format 0.12, 1026 in 0.1 (over the 1024 limit). */
const BOOLS = `(${Array.from({ length: 342 }, () => "bool").join(", ")})`;
const ROW = Array.from({ length: 342 }, (_, i) => i % 3 === 0);

const rule = (expected: string) => (e: unknown) =>
  (e instanceof BatchError || e instanceof SchemaError) && e.rule === expected;

describe("readBatch", () => {
  test("an unsupported format is reported before the schema, whatever the schema", () => {
    const body = new Uint8Array(8);
    for (const mediaType of [COLUMNAR_MEDIA_TYPE, NDJSON_MEDIA_TYPE]) {
      for (const schema of ["u8 u8", "(", "usize", BOOLS.repeat(3), undefined]) {
        assert.throws(
          () => readBatch(body, { mediaType, schema, format: "0.2" }),
          rule("unsupported-format"),
          `${mediaType} ${String(schema).slice(0, 20)}`,
        );
      }
    }
  });

  test("with a supported format, a missing or broken schema is still reported", () => {
    const body = new Uint8Array(8);
    assert.throws(
      () => readBatch(body, { mediaType: COLUMNAR_MEDIA_TYPE, format: "0.12" }),
      rule("schema-missing"),
    );
    assert.throws(
      () => readBatch(body, { mediaType: COLUMNAR_MEDIA_TYPE, schema: "u8 u8", format: "0.12" }),
      rule("schema-syntax"),
    );
  });

  test("the slice limit is counted in the request's format", () => {
    const rows = [ROW, ROW.map((b) => !b)];
    const body = encodeBatch(rowsToColumn(parseSchema(BOOLS, { format: "0.12" }), rows), { format: "0.12" });
    const read = readBatch(body, { mediaType: COLUMNAR_MEDIA_TYPE, schema: BOOLS, format: "0.12" });
    assert.equal(read.format, "0.12");
    assert.equal(read.batch.length, 2);
    const ndjson = new TextEncoder().encode(rows.map((r) => JSON.stringify(r)).join("\n"));
    assert.equal(
      readBatch(ndjson, { mediaType: NDJSON_MEDIA_TYPE, schema: BOOLS, format: "0.12" }).batch.length,
      2,
    );
    // 1026 slices in 0.1: over the limit there, with or without the header
    for (const format of ["0.1", undefined])
      assert.throws(
        () => readBatch(body, { mediaType: COLUMNAR_MEDIA_TYPE, schema: BOOLS, format }),
        rule("schema-too-large"),
      );
  });
});
