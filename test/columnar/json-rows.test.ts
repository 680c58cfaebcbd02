// parseJsonLines() / formatJsonLines() / stringifyJson() against spec/columnar-format.md §8 JSONL rules.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatJsonLines, parseJsonLines, parseJsonRow, stringifyJson } from "../../src/columnar/index.ts";
import { assertBatchError } from "../support/assert-batch-error.ts";

describe("parseJsonLines()", () => {
  it("parseJsonLines() splits on \\n and drops a \\r before it", () => {
    assert.deepEqual(parseJsonLines('["a",1]\r\n["b",2]\n'), [
      ["a", 1],
      ["b", 2],
    ]);
  });

  it("parseJsonLines() ignores a leading BOM", () => {
    assert.deepEqual(parseJsonLines("\ufeff[1]\n[2]"), [[1], [2]]);
  });

  it("parseJsonLines() skips blank and whitespace-only lines", () => {
    assert.deepEqual(parseJsonLines("\n1\n \t\n\r\n2\n\n"), [1, 2]);
    assert.deepEqual(parseJsonLines(""), []);
  });

  it("parseJsonLines() rejects a line that is not JSON with the row index (row-syntax)", () => {
    assertBatchError(() => parseJsonLines("[1]\n\n[2]\n[3,\n"), "row-syntax", { row: 2 });
    assertBatchError(() => parseJsonLines("1\n2\nnope", 10), "row-syntax", { row: 12 });
  });

  it("parseJsonRow() rejects two JSON texts on one line (row-syntax)", () => {
    assertBatchError(() => parseJsonRow("[1] [2]", 4), "row-syntax", { row: 4 });
  });
});

describe("formatJsonLines() and stringifyJson()", () => {
  it("formatJsonLines() writes one compact text per row, each followed by \\n", () => {
    assert.equal(formatJsonLines([["a", 1], { b: [true, null] }]), '["a",1]\n{"b":[true,null]}\n');
    assert.equal(formatJsonLines([]), "");
  });

  it("stringifyJson() prints negative zero as -0", () => {
    assert.equal(stringifyJson([-0, 0, { x: -0 }]), '[-0,0,{"x":-0}]');
  });
});
