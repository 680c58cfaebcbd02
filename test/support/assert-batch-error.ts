// One assertion for every rejection test: a BatchError with the spec's rule and location fields.
import assert from "node:assert/strict";
import { BatchError, type BatchErrorLocation, type BatchRule } from "../../src/columnar/index.ts";

/** Asserts that `run` throws a BatchError with `rule` and (each given field of) `location`. */
export function assertBatchError(
  run: () => unknown,
  rule: BatchRule,
  location: BatchErrorLocation = {},
): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof BatchError, `expected a BatchError, got ${String(error)}`);
    assert.equal(error.rule, rule);
    for (const [key, value] of Object.entries(location)) {
      assert.equal(error.location[key as keyof BatchErrorLocation], value, `location.${key}`);
    }
    return true;
  });
}
