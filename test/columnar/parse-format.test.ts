// parseFormat() against spec/columnar-format.md §2.1: exact match after trimming spaces and tabs.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseFormat } from "../../src/columnar/index.ts";
import { assertBatchError } from "../support/assert-batch-error.ts";

describe("parseFormat()", () => {
  it("parseFormat() reads 0.1 and 0.12", () => {
    assert.equal(parseFormat("0.1"), "0.1");
    assert.equal(parseFormat("0.12"), "0.12");
  });

  it("parseFormat() trims surrounding spaces and tabs", () => {
    assert.equal(parseFormat(" 0.12\t"), "0.12");
    assert.equal(parseFormat("\t 0.1 "), "0.1");
  });

  it("parseFormat() defaults an absent header to 0.1", () => {
    assert.equal(parseFormat(undefined), "0.1");
    assert.equal(parseFormat(null), "0.1");
  });

  it("parseFormat() rejects every other value (unsupported-format)", () => {
    for (const value of ["0.2", "0.12.1", "1", "", " ", "0.10", "0.1\n", "v0.1", "0 .1"]) {
      assertBatchError(() => parseFormat(value), "unsupported-format");
    }
  });
});
