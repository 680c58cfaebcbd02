// rowsToColumn() input rules of spec/columnar-format.md §8: every rejection is `row-type` naming the
// row index and the schema path (§4.8).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  columnToRows,
  encodeBatch,
  decodeBatch,
  parseSchema,
  rowsToColumn,
} from "../../src/columnar/index.ts";
import { assertBatchError } from "../support/assert-batch-error.ts";

const build = (schemaText: string, rows: unknown[]) => () => rowsToColumn(parseSchema(schemaText), rows);
/** Rows after a round trip: the normalized §8 output form. */
const normalized = (schemaText: string, rows: unknown[]): unknown[] => {
  const schema = parseSchema(schemaText);
  return columnToRows(schema, decodeBatch(encodeBatch(rowsToColumn(schema, rows)), schema).column);
};

describe("rowsToColumn() tuples and structs", () => {
  it("rowsToColumn() rejects a tuple row of the wrong arity", () => {
    assertBatchError(build("(String, i64)", [["a", 1], ["b"]]), "row-type", { row: 1, path: "$" });
    assertBatchError(build("(String, i64)", [["a", 1, 2]]), "row-type", { row: 0, path: "$" });
    assertBatchError(
      build("(u8, (u8, u8))", [
        [1, [2, 3]],
        [1, [2]],
      ]),
      "row-type",
      { row: 1, path: "$.1" },
    );
    assertBatchError(build("(String, i64)", [{ 0: "a", 1: 1 }]), "row-type", { row: 0, path: "$" });
  });

  it("rowsToColumn() rejects a struct row with a missing key", () => {
    assertBatchError(build("{text: String, diff: i64}", [{ text: "a" }]), "row-type", { row: 0, path: "$" });
  });

  it("rowsToColumn() rejects a struct row with an unknown key", () => {
    assertBatchError(build("{text: String, diff: i64}", [{ text: "a", diff: 1, extra: 2 }]), "row-type", {
      row: 0,
      path: "$",
    });
    assertBatchError(build("{text: String, diff: i64}", [{ text: "a", dif: 1 }]), "row-type", {
      row: 0,
      path: "$",
    });
    assertBatchError(build("{a: {b: u8}}", [{ a: { b: 1 } }, { a: { c: 1 } }]), "row-type", {
      row: 1,
      path: "$.a",
    });
  });

  it("rowsToColumn() accepts struct keys in any order and returns them in declaration order", () => {
    assert.deepEqual(normalized("{text: String, diff: i64}", [{ diff: 1, text: "a" }]), [
      { text: "a", diff: 1 },
    ]);
  });
});

describe("rowsToColumn() integers", () => {
  it("rowsToColumn() rejects out-of-range integers with the path of the field", () => {
    assertBatchError(build("u8", [255, 256]), "row-type", { row: 1, path: "$" });
    assertBatchError(build("i8", [-129]), "row-type", { row: 0, path: "$" });
    assertBatchError(build("u64", [-1]), "row-type", { row: 0, path: "$" });
    assertBatchError(build("u64", ["18446744073709551616"]), "row-type", { row: 0, path: "$" });
    assertBatchError(build("i64", ["-9223372036854775809"]), "row-type", { row: 0, path: "$" });
    assertBatchError(build("{text: String, diff: i32}", [{ text: "a", diff: 2 ** 31 }]), "row-type", {
      row: 0,
      path: "$.diff",
    });
  });

  it("rowsToColumn() rejects 1.5 for i64", () => {
    assertBatchError(
      build("(String, i64)", [
        ["a", 1],
        ["b", 1.5],
      ]),
      "row-type",
      { row: 1, path: "$.1" },
    );
  });

  it("rowsToColumn() rejects integer numbers beyond 2^53-1 (they must be strings)", () => {
    assertBatchError(build("u64", [2 ** 53]), "row-type", { row: 0, path: "$" });
    assertBatchError(build("i64", [-(2 ** 53)]), "row-type", { row: 0, path: "$" });
    assert.deepEqual(normalized("u64", ["9007199254740992", 9007199254740991]), [
      "9007199254740992",
      9007199254740991,
    ]);
  });

  it("rowsToColumn() accepts decimal strings only in the form -?(0|[1-9][0-9]*)", () => {
    assert.deepEqual(normalized("i64", ["-5", "0", "12"]), [-5, 0, 12]);
    for (const bad of ["+1", "01", " 1", "1e3", "1.0", "", "0x10"]) {
      assertBatchError(build("i64", [bad]), "row-type", { row: 0, path: "$" });
    }
  });

  it("rowsToColumn()'s integer refusals say what is taken, suggesting the decimal string form (§8)", () => {
    const cases: [string, unknown, RegExp][] = [
      ["i64", 1.5, /got 1\.5 \(write a whole number, as a JSON integer or a decimal string such as "-12"\)$/],
      ["u64", 2 ** 53, /integers beyond 2\^53-1 must be written as decimal strings\)$/],
      [
        "i64",
        "9223372036854775808",
        /\(i64 holds -9223372036854775808 to 9223372036854775807, written as decimal strings beyond 2\^53-1\)$/,
      ],
      ["u8", 256, /\(u8 holds 0 to 255, as a JSON integer or a decimal string\)$/],
      ["i32", "+1", /\(a decimal string is digits with an optional leading "-": no "\+", leading zeros/],
      ["i32", true, /\(write a JSON integer, or a decimal string such as "12"\)$/],
    ];
    for (const [type, value, message] of cases) {
      assert.throws(
        build(type, [value]),
        (error: unknown) => error instanceof Error && message.test(error.message),
      );
    }
  });

  it("rowsToColumn() rejects booleans, null and floats for integers", () => {
    for (const bad of [true, null, 0.5, "NaN", [], {}]) {
      assertBatchError(build("i32", [1, bad]), "row-type", { row: 1, path: "$" });
    }
  });
});

describe("rowsToColumn() strings, floats and bools", () => {
  it("rowsToColumn() rejects strings with lone surrogates", () => {
    assertBatchError(build("Vec<String>", [["ok"], ["a", "\ud800"]]), "row-type", { row: 1, path: "$[]" });
    assertBatchError(build("String", ["\udc00x"]), "row-type", { row: 0, path: "$" });
    assert.deepEqual(normalized("String", ["\ud834\udd1e"]), ["𝄞"]);
  });

  it("rowsToColumn() rejects a finite f32 input that rounds to infinity", () => {
    assertBatchError(build("f32", [1e39]), "row-type", { row: 0, path: "$" });
    assert.deepEqual(normalized("f32", ["Infinity", 0.1]), ["Infinity", 0.1]);
  });

  it("rowsToColumn() accepts only true/false for bool", () => {
    for (const bad of [0, 1, "true", null])
      assertBatchError(build("bool", [bad]), "row-type", { row: 0, path: "$" });
  });
});

describe("rowsToColumn() Option and Result", () => {
  it("rowsToColumn() rejects a Result object with two keys", () => {
    assertBatchError(build("Result<u8, String>", [{ Ok: 1 }, { Ok: 1, Err: "x" }]), "row-type", {
      row: 1,
      path: "$",
    });
    assertBatchError(build("Result<u8, String>", [{ ok: 1 }]), "row-type", { row: 0, path: "$" });
    assertBatchError(build("Result<u8, String>", [{}]), "row-type", { row: 0, path: "$" });
    assertBatchError(build("Result<u8, String>", [{ Err: 5 }]), "row-type", { row: 0, path: "$.Err" });
  });

  it('rowsToColumn() reads nested Option Somes as {"Some": v}', () => {
    const rows = [null, { Some: null }, { Some: 5 }];
    assert.deepEqual(normalized("Option<Option<u8>>", rows), rows);
  });

  it("rowsToColumn() rejects a bare payload for a nested Option", () => {
    assertBatchError(build("Option<Option<u8>>", [5]), "row-type", { row: 0, path: "$" });
    assertBatchError(build("Option<Option<u8>>", [{ Some: 5, x: 1 }]), "row-type", { row: 0, path: "$" });
    assertBatchError(build("Option<Option<u8>>", [{ Some: 256 }]), "row-type", {
      row: 0,
      path: "$.Some.Some",
    });
  });

  it("rowsToColumn() uses the plain form for a non-nested Option", () => {
    assertBatchError(build("Option<u8>", [{ Some: 5 }]), "row-type", { row: 0, path: "$.Some" });
    assert.deepEqual(normalized("Option<Vec<u8>>", [null, [], [1]]), [null, [], [1]]);
  });
});
