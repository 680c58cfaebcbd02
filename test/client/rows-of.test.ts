// rowsOf (src/client/rows-of.ts) and the rows encodeBatch takes: rows typed by the schema text,
// checked against the batch's own schema, and bigints for 64-bit integers.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { encodeBatch, rowsOf } from "../../src/client/index.ts";
import { BatchError, decodeBatch } from "../../src/columnar/index.ts";
import { ColwasmError } from "../../src/error.ts";

describe("rowsOf", () => {
  test("gives the rows of the schema it is told, written in any spacing", () => {
    const sent = encodeBatch("{text: String, diff: i64}", [
      { text: "hello", diff: 1 },
      { text: "", diff: "-9007199254740993" },
    ]);
    const batch = decodeBatch(sent.bytes, sent.schema);
    assert.deepEqual(rowsOf(batch, "{ text :String,diff: i64 , }"), [
      { text: "hello", diff: 1 },
      { text: "", diff: "-9007199254740993" },
    ]);
    assert.deepEqual(rowsOf(batch), rowsOf(batch, "{text: String, diff: i64}"));
  });

  test("refuses another schema, even one with the same bytes, naming both", () => {
    const sent = encodeBatch("(String, i64)", [["a", 1]]);
    const batch = decodeBatch(sent.bytes, sent.schema);
    for (const other of ["(String, u64)", "{text: String, diff: i64}", "((String, i64),)"]) {
      assert.throws(
        () => rowsOf(batch, other),
        (error: unknown) =>
          error instanceof ColwasmError &&
          error.type === "bad-schema" &&
          error.message.includes(`"(String, i64)"`) &&
          error.fields.actual === "(String, i64)",
        other,
      );
    }
  });
});

describe("encodeBatch rows with bigints", () => {
  test("take a u64 or i64 as a bigint, across the whole range", () => {
    const sent = encodeBatch("(u64, i64, u8)", [
      [18446744073709551615n, -9223372036854775808n, 255n],
      [0n, 9223372036854775807n, 0],
    ]);
    assert.deepEqual(rowsOf(decodeBatch(sent.bytes, sent.schema), "(u64, i64, u8)"), [
      ["18446744073709551615", "-9223372036854775808", 255],
      [0, "9223372036854775807", 0],
    ]);
  });

  test("refuse a bigint out of range as a row-type error naming the row", () => {
    assert.throws(
      () =>
        encodeBatch("(String, u64)", [
          ["a", 1n],
          ["b", -1n],
        ]),
      (error: unknown) =>
        error instanceof BatchError &&
        error.rule === "row-type" &&
        /row 1 at \$\.1: expected integer in u64 range/.test(error.message),
    );
    assert.throws(() => encodeBatch("i8", [128n]), BatchError);
  });
});
