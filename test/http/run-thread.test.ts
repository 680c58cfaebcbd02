// POST /v1/run with the ThreadExecutor: a runaway operator is stopped at its deadline, the
// runtime keeps serving, and batches that are not one 0.1 body (a 0.12 input, a reduce's output)
// are encoded for the sandbox.
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { ThreadExecutor } from "../../src/chain/index.ts";
import { nodeSandbox, TSX_PRELOAD } from "../../src/chain/node-sandbox.node.ts";
import { batch, fixtureWasm, makeApp, problemOf, rowsOf, run, upload } from "./app-fixture.ts";

const executors: ThreadExecutor[] = [];
after(async () => {
  for (const e of executors) await e.close();
});

const threaded = () =>
  makeApp({
    limits: { operator: { deadlineMs: 300, maxMemoryPages: 1024, maxOutputBytes: 1 << 20 } },
    executor: (limits) => {
      const executor = new ThreadExecutor(limits.operator, { spawn: nodeSandbox({ preload: TSX_PRELOAD }) });
      executors.push(executor);
      return executor;
    },
  });

describe("POST /v1/run (ThreadExecutor)", () => {
  test("stops an endless operator with 422 operator-failed reason deadline, then serves the next request", async () => {
    const app = await threaded();
    assert.equal((await upload(app, "spin", fixtureWasm("infinite_loop"))).status, 201);
    const res = await run(app, "identity,spin", batch([["a b", 1]]));
    assert.equal(res.status, 422);
    const p = await problemOf(res);
    assert.equal(p.type, "/problems/operator-failed");
    assert.equal(p.operator, "spin");
    assert.equal(p.reason, "deadline");
    assert.equal(p.stage, 1);
    const next = await run(app, "split_words", batch([["a b", 1]]));
    assert.equal(next.status, 200);
    assert.deepEqual(await rowsOf(next), [
      ["a", 1],
      ["b", 1],
    ]);
  });

  test("runs operators after a reduce stage (its output is columns, not a body)", async () => {
    const app = await threaded();
    const res = await run(app, "split_words,reduce:after_reduce,lowercase", batch([["A b A", 1]]));
    assert.equal(res.status, 200, await res.clone().text());
    assert.deepEqual(await rowsOf(res), [
      ["a", 2],
      ["b", 1],
    ]);
  });

  test("re-encodes a format-0.12 input for the sandbox and answers 0.12", async () => {
    const app = await threaded();
    const res = await run(app, "split_words,lowercase", batch([["A B", 1]], { format: "0.12" }), {
      "columnar-format": "0.12",
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("columnar-format"), "0.12");
    assert.deepEqual(
      new Uint8Array(await res.arrayBuffer()),
      batch(
        [
          ["a", 1],
          ["b", 1],
        ],
        { format: "0.12" },
      ),
    );
  });
});
