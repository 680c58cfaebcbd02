// InlineFirstExecutor: small segments of fuel-metered operators run inline under a small fuel
// budget; whatever spends it, is unmetered or is large goes to the fallback (here an inline
// executor with the full budget, counted), and an operator that spent it runs inline again only on
// much smaller inputs, and never after a few such runs.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { OperatorStage, SegmentExecutor } from "../../src/chain/index.ts";
import { InlineExecutor } from "../../src/chain/index.ts";
import {
  columnToRows,
  decodeBatch,
  encodeBatch,
  parseSchema,
  rowsToColumn,
} from "../../src/columnar/index.ts";
import { DetachedInlineExecutor, InlineFirstExecutor } from "../../src/registry/index.ts";
import { MAX_RUN_OUTS } from "../../src/registry/inline-first-executor.ts";
import {
  capModuleLimits,
  fuelForDeadline,
  type HostedOperator,
  meterFuel,
  type OperatorBatch,
  OperatorError,
  prepareOperator,
} from "../../src/wasm/index.ts";
import { builtWasm, kernelModule } from "../support/operators.ts";
import { wat } from "../support/wat.ts";

const SCHEMA = parseSchema("(String, i64)");
const LIMITS = {
  deadlineMs: 1000,
  maxMemoryPages: 256,
  maxOutputBytes: 1 << 24,
  fuel: fuelForDeadline(1000),
};
const HEADERS = { abi: "colwasm/1", input: "(String, i64)", output: "(String, i64)" } as const;

/** `wasm` as a host that meters fuel prepares it (or without fuel, `metered: false`). */
function hosted(name: string, wasm: Uint8Array, options: { metered?: boolean } = {}): HostedOperator {
  const capped = capModuleLimits(wasm, LIMITS.maxMemoryPages);
  const bytes = options.metered === false ? capped : meterFuel(capped);
  return prepareOperator(name, new WebAssembly.Module(bytes), { headers: HEADERS });
}

/**
 * Identity that spins `iterations` loop turns, slow but finishing: in `act` on every batch, or in
 * its start function once per instance (a table built at instantiation, say).
 */
function slowIdentity(iterations: number | "per-byte", where: "act" | "start" = "act"): Uint8Array {
  // "per-byte": PER_BYTE_TURNS turns per input byte, a cost that grows with the batch
  const turns =
    iterations === "per-byte"
      ? `(i32.mul (global.get $len) (i32.const ${PER_BYTE_TURNS}))`
      : `(i32.const ${iterations})`;
  return wat(`(module
    (memory (export "memory") 1)
    (global $top (mut i32) (i32.const 1024))
    (global $len (mut i32) (i32.const 0))
    (func $spin
      (local $i i32)
      (loop $turn
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $turn (i32.lt_u (local.get $i) ${turns}))))
    ${where === "start" ? "(start $spin)" : ""}
    (func (export "alloc") (param $size i32) (result i32)
      (local $at i32)
      (local.set $at (global.get $top))
      (if (i32.lt_s (memory.grow (i32.add (i32.shr_u (local.get $size) (i32.const 16)) (i32.const 1))) (i32.const 0))
        (then (return (i32.const 0))))
      (global.set $top (i32.add (local.get $at) (i32.and (i32.add (local.get $size) (i32.const 7)) (i32.const -8))))
      (local.get $at))
    (func (export "reset") (global.set $top (i32.const 1024)))
    (func (export "act") (param $ptr i32) (param $len i32) (result i32)
      (global.set $len (local.get $len))
      ${where === "act" ? "(call $spin)" : ""}
      (local.get $ptr)))`);
}

/** Loop turns per input byte of slowIdentity("per-byte"): ~2 KiB spend the 2 ms budget, ~200 bytes do not. */
const PER_BYTE_TURNS = 1500;

function stagesOf(...ops: HostedOperator[]): OperatorStage[] {
  return ops.map((operator, index) => ({
    kind: "operator",
    name: operator.name,
    operator,
    input: SCHEMA,
    output: SCHEMA,
    index,
  }));
}

function batchOf(rows: [string, number][]): OperatorBatch {
  return decodeBatch(encodeBatch(rowsToColumn(SCHEMA, rows)), SCHEMA);
}

/** An executor with the full limits that counts the segments it is given. */
function countingFallback(): SegmentExecutor & { calls: number } {
  const inner = new DetachedInlineExecutor(new InlineExecutor(LIMITS, { kernelModule: kernelModule() }));
  const fallback = {
    calls: 0,
    runSegment(stages: readonly OperatorStage[], input: OperatorBatch) {
      fallback.calls++;
      return inner.runSegment(stages, input);
    },
  };
  return fallback;
}

function executorWith(fallback: SegmentExecutor, maxInlineBytes = 64 * 1024) {
  const inline = new InlineExecutor(
    { ...LIMITS, fuel: fuelForDeadline(2) },
    { kernelModule: kernelModule() },
  );
  return new InlineFirstExecutor({ inline: new DetachedInlineExecutor(inline), fallback, maxInlineBytes });
}

const ROWS: [string, number][] = [
  ["hello", 1],
  ["world", -2],
];

describe("InlineFirstExecutor", () => {
  test("runs a small batch of metered operators inline, and its output outlives the next run", async () => {
    const fallback = countingFallback();
    const executor = executorWith(fallback);
    const lowercase = hosted("lowercase", builtWasm("lowercase"));
    const first = await executor.runSegment(stagesOf(lowercase, lowercase), batchOf([["HeLLo", 1]]));
    await executor.runSegment(stagesOf(lowercase, lowercase), batchOf([["OTHER", 2]]));
    assert.deepEqual(columnToRows(first.output.schema, first.output.column), [["hello", 1]]);
    assert.deepEqual(executor.counts, { inline: 2, retried: 0 });
    assert.equal(fallback.calls, 0);
  });

  test("sends a batch over the size bound, or an unmetered operator, to the fallback", async () => {
    const fallback = countingFallback();
    const executor = executorWith(fallback, 64);
    const identity = hosted("identity", builtWasm("identity"));
    const big = await executor.runSegment(stagesOf(identity), batchOf(ROWS.concat(ROWS, ROWS)));
    assert.equal(big.output.length, 6);
    const unmetered = hosted("plain", builtWasm("identity"), { metered: false });
    await executorWith(fallback).runSegment(stagesOf(unmetered), batchOf(ROWS));
    assert.equal(fallback.calls, 2);
    assert.deepEqual(executor.counts, { inline: 0, retried: 0 });
  });

  test("runs again in the fallback what spent the inline fuel, and does not try it inline on a batch that size", async () => {
    const fallback = countingFallback();
    const executor = executorWith(fallback);
    const identity = hosted("identity", builtWasm("identity"));
    // ~30M loop turns: far past 2 ms of fuel, well within the full budget
    const slow = hosted("slow", slowIdentity(30_000_000));
    const result = await executor.runSegment(stagesOf(identity, slow), batchOf(ROWS));
    assert.deepEqual(columnToRows(result.output.schema, result.output.column), ROWS);
    assert.deepEqual(executor.counts, { inline: 0, retried: 1 });
    assert.equal(fallback.calls, 1);
    await executor.runSegment(stagesOf(slow), batchOf(ROWS));
    assert.equal(fallback.calls, 2, "straight to the fallback");
    assert.deepEqual(executor.counts, { inline: 0, retried: 1 });
    // the fast operator of that segment still runs inline
    await executor.runSegment(stagesOf(identity), batchOf(ROWS));
    assert.deepEqual(executor.counts, { inline: 1, retried: 1 });
  });

  test("an operator that ran out on a large batch is still tried inline on batches a quarter that size", async () => {
    const fallback = countingFallback();
    const executor = executorWith(fallback);
    const heavy = hosted("heavy", slowIdentity("per-byte"));
    const large = batchOf(Array.from({ length: 60 }, (_, i): [string, number] => [`word number ${i}`, i]));
    const small = batchOf(ROWS);
    const first = await executor.runSegment(stagesOf(heavy), large);
    assert.equal(first.output.length, 60);
    assert.deepEqual(executor.counts, { inline: 0, retried: 1 });
    const again = await executor.runSegment(stagesOf(heavy), small);
    assert.deepEqual(columnToRows(again.output.schema, again.output.column), ROWS);
    assert.deepEqual(executor.counts, { inline: 1, retried: 1 }, "the small batch ran inline");
    await executor.runSegment(stagesOf(heavy), large);
    assert.deepEqual(
      executor.counts,
      { inline: 1, retried: 1 },
      "the large one went straight to the fallback",
    );
    assert.equal(fallback.calls, 2);
  });

  test(`an operator that runs out ${MAX_RUN_OUTS} times is never tried inline again, whatever the size`, async () => {
    const fallback = countingFallback();
    const executor = executorWith(fallback);
    const slow = hosted("slow", slowIdentity(30_000_000));
    const rowsOf = (n: number) =>
      Array.from({ length: n }, (_, i): [string, number] => [`${i}`.repeat(8), i]);
    // each run-out allows only batches under a quarter of its size: shrink by more than that each time
    for (const n of [400, 80, 16]) await executor.runSegment(stagesOf(slow), batchOf(rowsOf(n)));
    assert.deepEqual(executor.counts, { inline: 0, retried: MAX_RUN_OUTS });
    await executor.runSegment(stagesOf(slow), batchOf([]));
    assert.deepEqual(executor.counts, { inline: 0, retried: MAX_RUN_OUTS }, "not tried inline");
    assert.equal(fallback.calls, MAX_RUN_OUTS + 1);
  });

  test("an operator whose start function outspends the inline fuel falls back, and only it is marked", async () => {
    const fallback = countingFallback();
    const executor = executorWith(fallback);
    const identity = hosted("identity", builtWasm("identity"));
    const slow = hosted("slow_start", slowIdentity(30_000_000, "start"));
    const result = await executor.runSegment(stagesOf(identity, slow), batchOf(ROWS));
    assert.deepEqual(columnToRows(result.output.schema, result.output.column), ROWS);
    assert.deepEqual(executor.counts, { inline: 0, retried: 1 });
    await executor.runSegment(stagesOf(identity), batchOf(ROWS));
    assert.deepEqual(executor.counts, { inline: 1, retried: 1 }, "identity was not marked");
    assert.equal(fallback.calls, 1);
  });

  test("a runaway fails with the fallback's deadline; a trap fails at once, without a second run", async () => {
    const fallback = countingFallback();
    const executor = executorWith(fallback);
    const spin = hosted("spin", builtWasm("infinite_loop", "fixture"));
    await assert.rejects(
      executor.runSegment(stagesOf(spin), batchOf(ROWS)),
      (error: unknown) =>
        error instanceof OperatorError && error.reason === "deadline" && error.operator === "spin",
    );
    assert.equal(fallback.calls, 1);
    const trap = hosted("trap", builtWasm("trap", "fixture"));
    await assert.rejects(
      executor.runSegment(stagesOf(trap), batchOf(ROWS)),
      (error: unknown) => error instanceof OperatorError && error.reason === "trap",
    );
    assert.equal(fallback.calls, 1, "a trap is not run again");
  });
});
