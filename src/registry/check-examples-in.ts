// Runs a manifest's examples through a SegmentExecutor instead of inline, so an upload whose
// example never returns is stopped at the executor's deadline (ThreadExecutor) like any batch.
import type { SegmentExecutor } from "../chain/index.ts";
import { columnToRows, decodeBatch, encodeBatch, rowsToColumn, stringifyJson } from "../columnar/index.ts";
import { ColwasmError } from "../error.ts";
import { type HostedOperator, InvalidOperatorError } from "../wasm/index.ts";
import type { CheckExamples } from "./validate-operator.ts";

/** A CheckExamples that runs each example as a one-stage segment of `executor`. */
export function checkExamplesIn(executor: SegmentExecutor): CheckExamples {
  return async function checkExamples(op: HostedOperator): Promise<void> {
    const { input, output, examples } = op.manifest;
    for (const [k, example] of examples.entries()) {
      const fail = (what: string, cause?: unknown) =>
        new InvalidOperatorError(
          `Example ${k} of operator "${op.name}" ${what}`,
          { operator: op.name, rule: "example" },
          { cause },
        );
      let actual: string;
      let expected: string;
      try {
        const batch = decodeBatch(encodeBatch(rowsToColumn(input, example.in)), input);
        const stage = { kind: "operator", index: 0, name: op.name, operator: op, input, output } as const;
        const result = await executor.runSegment([stage], batch);
        actual = stringifyJson(columnToRows(output, result.output.column));
      } catch (error) {
        if (!(error instanceof ColwasmError)) throw error;
        throw fail(`failed: ${error.message}`, error);
      }
      try {
        expected = stringifyJson(columnToRows(output, rowsToColumn(output, example.out)));
      } catch (error) {
        if (!(error instanceof ColwasmError)) throw error;
        throw fail(`has an invalid "out": ${error.message}`, error);
      }
      if (actual !== expected)
        throw fail(`gave ${actual.slice(0, 200)}, the manifest expects ${expected.slice(0, 200)}`);
    }
  };
}
