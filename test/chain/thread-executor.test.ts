// The thread executor stops a runaway loop at its deadline and keeps serving afterwards.
import assert from "node:assert/strict";
import { after, describe, it, mock } from "node:test";
import {
  columnToRows,
  decodeBatch,
  encodeBatch,
  parseSchema,
  rowsToColumn,
} from "../../src/columnar/index.ts";
import { parseChain, planChain, runChain } from "../../src/chain/index.ts";
import { type SandboxThread, ThreadExecutor } from "../../src/chain/index.ts";
import { nodeSandbox, TSX_PRELOAD } from "../../src/chain/node-sandbox.node.ts";
import { OperatorError } from "../../src/wasm/index.ts";
import { kernelModule, loadOperator, resolverOf, TEST_LIMITS } from "../support/operators.ts";

const schema = parseSchema("(String, i64)");
const batchOf = (rows: unknown[]) => decodeBatch(encodeBatch(rowsToColumn(schema, rows)), schema);
const ops = [
  loadOperator("split_words"),
  loadOperator("lowercase"),
  loadOperator("infinite_loop", { kind: "fixture" }),
  loadOperator("trap", { kind: "fixture" }),
];

describe("ThreadExecutor", () => {
  const executor = new ThreadExecutor(
    { ...TEST_LIMITS, deadlineMs: 300 },
    { spawn: nodeSandbox({ preload: TSX_PRELOAD }), kernelModule: kernelModule() },
  );
  after(() => executor.close());

  it("runs a chain in the sandbox thread with the same result as inline", async () => {
    const plan = await planChain(parseChain("split_words,lowercase"), schema, resolverOf(ops));
    const result = await runChain(plan, batchOf([["A b", 1]]), { segments: executor });
    assert.deepEqual(columnToRows(plan.output, result.output.column), [
      ["a", 1],
      ["b", 1],
    ]);
    assert.equal(result.hops.length, 2);
  });

  it("gives a stage that repeats the previous operator its own instance in the thread", async () => {
    // split_words grows its output past its input: one shared instance would overwrite its own input
    const plan = await planChain(parseChain("split_words,split_words,lowercase"), schema, resolverOf(ops));
    const text = Array.from({ length: 400 }, (_, i) => `W${i}`).join(" ");
    const result = await runChain(plan, batchOf([[text, 3]]), { segments: executor });
    const rows = columnToRows(plan.output, result.output.column);
    assert.equal(rows.length, 400);
    assert.deepEqual(rows[399], ["w399", 3]);
    assert.equal(result.hops.length, 3);
  });

  it("stops an infinite loop at the deadline with reason deadline, then serves the next batch", async () => {
    const plan = await planChain(parseChain("lowercase,infinite_loop"), schema, resolverOf(ops));
    await assert.rejects(
      runChain(plan, batchOf([["x", 1]]), { segments: executor }),
      (error: unknown) =>
        error instanceof OperatorError && error.reason === "deadline" && error.operator === "infinite_loop",
    );
    const ok = await planChain(parseChain("lowercase"), schema, resolverOf(ops));
    const result = await runChain(ok, batchOf([["Y", 2]]), { segments: executor });
    assert.deepEqual(columnToRows(ok.output, result.output.column), [["y", 2]]);
  });

  it("reports a trap from the thread as OperatorError reason trap", async () => {
    const plan = await planChain(parseChain("trap"), schema, resolverOf(ops));
    await assert.rejects(
      runChain(plan, batchOf([["x", 1]]), { segments: executor }),
      (error: unknown) => error instanceof OperatorError && error.reason === "trap",
    );
  });
});

describe("ThreadExecutor when a post to its thread fails", () => {
  it("leaves no startup timer behind and sends the operators again with the next run", async () => {
    let terminated = 0;
    let failNextPost = true;
    const real = nodeSandbox({ preload: TSX_PRELOAD });
    // a real sandbox thread whose first post throws, as a structured-clone failure does
    const spawn = (): SandboxThread => {
      const thread = real();
      return {
        post(request, transfer) {
          if (failNextPost) {
            failNextPost = false;
            throw new RangeError("Maximum call stack size exceeded");
          }
          thread.post(request, transfer);
        },
        listen: (onMessage, onError) => thread.listen(onMessage, onError),
        terminate() {
          terminated++;
          return thread.terminate();
        },
      };
    };
    const executor = new ThreadExecutor(TEST_LIMITS, { spawn, kernelModule: kernelModule() });
    try {
      const plan = await planChain(parseChain("split_words"), schema, resolverOf(ops));
      mock.timers.enable({ apis: ["setTimeout"] });
      try {
        await assert.rejects(runChain(plan, batchOf([["a b", 1]]), { segments: executor }), RangeError);
        mock.timers.tick(60_000); // past the 30 s startup bound: a timer left armed would fire now
      } finally {
        mock.timers.reset();
      }
      assert.equal(terminated, 0, "no timer outlived the failed post");
      const result = await runChain(plan, batchOf([["c d", 2]]), { segments: executor });
      assert.deepEqual(columnToRows(plan.output, result.output.column), [
        ["c", 2],
        ["d", 2],
      ]);
    } finally {
      await executor.close();
    }
  });
});
