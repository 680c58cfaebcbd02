// Runs a manifest's `examples` through a fresh instance (spec/operator-abi.md: a mismatch rejects
// the upload), comparing rows in the normalized JSON mapping.
import { columnToRows, decodeBatch, encodeBatch, rowsToColumn, stringifyJson } from "../columnar/index.ts";
import { ColwasmError } from "../error.ts";
import { CopyMeter } from "./copy-meter.ts";
import { InvalidOperatorError } from "./operator-error.ts";
import { type HostedOperator, OperatorInstance } from "./operator-instance.ts";
import type { OperatorLimits } from "./operator-limits.ts";

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
