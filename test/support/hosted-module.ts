// A module hosted as an upload would be (memory capped, memory.grow watched, fuel-metered when
// asked, (String, i64) -> (String, i64) colwasm/1 given as headers), and rows run through it:
// for tests of what the host does with modules built outside operators/ (WAT, other toolchains).
import assert from "node:assert/strict";
import {
  columnToRows,
  decodeBatch,
  encodeBatch,
  parseSchema,
  rowsToColumn,
} from "../../src/columnar/index.ts";
import {
  capModuleLimits,
  CopyMeter,
  type HostedOperator,
  type InstancePool,
  instrumentOperator,
  meterFuel,
  OperatorError,
  type OperatorLimits,
  prepareOperator,
} from "../../src/wasm/index.ts";
import { TEST_LIMITS } from "./operators.ts";

const schema = parseSchema("(String, i64)");
const HEADERS = { abi: "colwasm/1", input: "(String, i64)", output: "(String, i64)" } as const;

/** `bytes` hosted as the registry would, under `limits` (TEST_LIMITS by default). */
export function hostModule(
  name: string,
  bytes: Uint8Array,
  options: { fuel?: boolean; limits?: OperatorLimits } = {},
): HostedOperator {
  const limits = options.limits ?? TEST_LIMITS;
  const capped = capModuleLimits(bytes, limits.maxMemoryPages);
  const prepared = options.fuel === true ? meterFuel(capped) : instrumentOperator(capped, { fuel: false });
  return prepareOperator(name, new WebAssembly.Module(prepared), { headers: HEADERS });
}

/** `rows` of (String, i64) through an instance of `op` from `pool`; it goes back unless it failed. */
export function runRows(pool: InstancePool, op: HostedOperator, rows: unknown[]): unknown[] {
  const instance = pool.take(op);
  const input = decodeBatch(encodeBatch(rowsToColumn(schema, rows)), schema);
  const output = instance.run(input, new CopyMeter()); // a failed instance is not given back
  pool.give(op, instance);
  return columnToRows(schema, output.column);
}

/** The OperatorError that running `rows` through `op` throws (fails the test when it runs). */
export function failureOf(pool: InstancePool, op: HostedOperator, rows: unknown[]): OperatorError {
  try {
    runRows(pool, op, rows);
  } catch (error) {
    assert.ok(error instanceof OperatorError, String(error));
    return error;
  }
  assert.fail("the batch ran");
}
