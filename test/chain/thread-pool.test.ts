// ThreadPool spreads concurrent segments over its threads, and starts spares when all are busy: a
// runaway loop occupying a thread until its deadline does not hold up a batch that arrives meanwhile.
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import {
  columnToRows,
  decodeBatch,
  encodeBatch,
  parseSchema,
  rowsToColumn,
} from "../../src/columnar/index.ts";
import { parseChain, planChain, runChain, ThreadExecutor, ThreadPool } from "../../src/chain/index.ts";
import { nodeSandbox, TSX_PRELOAD } from "../../src/chain/node-sandbox.node.ts";
import { OperatorError } from "../../src/wasm/index.ts";
import { loadOperator, resolverOf, TEST_LIMITS } from "../support/operators.ts";

const schema = parseSchema("(String, i64)");
const batchOf = (rows: unknown[]) => decodeBatch(encodeBatch(rowsToColumn(schema, rows)), schema);
const ops = [loadOperator("lowercase"), loadOperator("infinite_loop", { kind: "fixture" })];

describe("ThreadPool", () => {
  const limits = { ...TEST_LIMITS, deadlineMs: 3000 };
  const pool = new ThreadPool(
    [0, 1].map(() => new ThreadExecutor(limits, { spawn: nodeSandbox({ preload: TSX_PRELOAD }) })),
  );
  after(() => pool.close());

  it("runs a batch on a free thread while another thread spins until its deadline", async () => {
    const warm = await planChain(parseChain("lowercase"), schema, resolverOf(ops));
    await Promise.all([
      runChain(warm, batchOf([["A", 1]]), { segments: pool }),
      runChain(warm, batchOf([["B", 1]]), { segments: pool }),
    ]);
    const loop = await planChain(parseChain("infinite_loop"), schema, resolverOf(ops));
    const looping = runChain(loop, batchOf([["x", 1]]), { segments: pool });
    const started = Date.now();
    const result = await runChain(warm, batchOf([["Quick", 2]]), { segments: pool });
    const quickMs = Date.now() - started;
    assert.deepEqual(columnToRows(warm.output, result.output.column), [["quick", 2]]);
    await assert.rejects(looping, (e: unknown) => e instanceof OperatorError && e.reason === "deadline");
    // the quick batch did not wait for the 3 s deadline of the loop on the other thread
    assert.ok(quickMs < limits.deadlineMs, `quick batch took ${quickMs} ms`);
  });

  it("starts a spare thread when every thread is busy, and stops it once idle", async () => {
    const spawn = () => new ThreadExecutor(limits, { spawn: nodeSandbox({ preload: TSX_PRELOAD }) });
    const elastic = new ThreadPool([spawn()], { spares: { spawn, max: 1, idleMs: 300 } });
    try {
      const quick = await planChain(parseChain("lowercase"), schema, resolverOf(ops));
      await runChain(quick, batchOf([["A", 1]]), { segments: elastic });
      assert.equal(elastic.size, 1, "an idle core thread takes the batch: no spare");
      const loop = await planChain(parseChain("infinite_loop"), schema, resolverOf(ops));
      const looping = runChain(loop, batchOf([["x", 1]]), { segments: elastic });
      const started = Date.now();
      const result = await runChain(quick, batchOf([["Quick", 2]]), { segments: elastic });
      const quickMs = Date.now() - started;
      assert.deepEqual(columnToRows(quick.output, result.output.column), [["quick", 2]]);
      assert.ok(quickMs < limits.deadlineMs, `quick batch took ${quickMs} ms behind the loop`);
      assert.equal(elastic.size, 2, "one spare started");
      await assert.rejects(looping, (e: unknown) => e instanceof OperatorError && e.reason === "deadline");
      await new Promise((resolve) => setTimeout(resolve, 600));
      assert.equal(elastic.size, 1, "the idle spare stopped");
    } finally {
      await elastic.close();
    }
  });
});
