// Runs a manifest's `examples` through a fresh instance (spec/operator-abi.md: a mismatch rejects
// the upload), comparing rows in the normalized JSON mapping; and checks that a module
// instantiates at all, which uploads do before its examples run (or when it has none).
import { columnToRows, decodeBatch, encodeBatch, rowsToColumn, stringifyJson } from "../columnar/index.ts";
import { ColwasmError } from "../error.ts";
import { CopyMeter } from "./copy-meter.ts";
import { InvalidOperatorError } from "./operator-error.ts";
import { type HostedOperator, OperatorInstance } from "./operator-instance.ts";
import type { OperatorLimits } from "./operator-limits.ts";

/**
 * Throws `InvalidOperatorError` (rule "instantiate") unless `op` instantiates: its data and element
 * segments fit, its start function returns within the deadline. Checked at upload whether or not
 * the manifest has examples, so such a module is refused there instead of failing every run.
 */
export function checkInstantiates(op: HostedOperator, limits: OperatorLimits): void {
  try {
    OperatorInstance.create(op, limits);
  } catch (error) {
    if (!(error instanceof ColwasmError)) throw error;
    throw new InvalidOperatorError(
      `Operator "${op.name}" cannot be instantiated: ${error.message}`,
      { operator: op.name, rule: "instantiate" },
      { cause: error },
    );
  }
}

/** Throws `InvalidOperatorError` naming the first example whose output differs or fails. */
export function runExamples(op: HostedOperator, limits: OperatorLimits): void {
  const { input, output, examples } = op.manifest;
  examples.forEach((example, k) => {
    let actual: string;
    try {
      const body = encodeBatch(rowsToColumn(input, example.in));
      const result = OperatorInstance.create(op, limits).run(decodeBatch(body, input), new CopyMeter());
      actual = stringifyJson(columnToRows(output, result.column));
    } catch (error) {
      if (!(error instanceof ColwasmError)) throw error;
      throw new InvalidOperatorError(
        `Example ${k} of operator "${op.name}" failed: ${error.message}`,
        { operator: op.name, rule: "example" },
        { cause: error },
      );
    }
    let expected: string;
    try {
      expected = stringifyJson(columnToRows(output, rowsToColumn(output, example.out)));
    } catch (error) {
      if (!(error instanceof ColwasmError)) throw error;
      throw new InvalidOperatorError(
        `Example ${k} of operator "${op.name}" has an invalid "out": ${error.message}`,
        { operator: op.name, rule: "example" },
      );
    }
    if (actual !== expected) {
      throw new InvalidOperatorError(
        `Example ${k} of operator "${op.name}" gave ${actual.slice(0, 200)}, the manifest expects ${expected.slice(0, 200)}`,
        { operator: op.name, rule: "example" },
      );
    }
  });
}
