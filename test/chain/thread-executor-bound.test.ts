// A sandbox thread keeps a bounded number of operators: on a long-lived server every re-upload is
// a new operator (with its own compiled module), and each thread would otherwise hold them all.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  columnToRows,
  decodeBatch,
  encodeBatch,
  parseSchema,
  rowsToColumn,
} from "../../src/columnar/index.ts";
import {
  parseChain,
  planChain,
  runChain,
  type SandboxThread,
  ThreadExecutor,
} from "../../src/chain/index.ts";
import { nodeSandbox, TSX_PRELOAD } from "../../src/chain/node-sandbox.node.ts";
import { serveSandbox } from "../../src/chain/sandbox-runner.ts";
import type { RunRequest, ThreadMessage } from "../../src/chain/thread-protocol.ts";
import { type HostedOperator, prepareOperator } from "../../src/wasm/index.ts";
import { kernelModule, loadOperator, resolverOf, TEST_LIMITS } from "../support/operators.ts";

const schema = parseSchema("(String, i64)");
const body = (rows: unknown[]) => encodeBatch(rowsToColumn(schema, rows));
const batchOf = (rows: unknown[]) => decodeBatch(body(rows), schema);

/** What each module does to [["A b", 1]], so a run on the wrong operator shows. */
const modules = [
  { op: loadOperator("lowercase"), out: [["a b", 1]] },
  {
    op: loadOperator("split_words"),
    out: [
      ["A", 1],
      ["b", 1],
    ],
  },
  { op: loadOperator("identity"), out: [["A b", 1]] },
];
/** Version `i` of an upload: a new operator object each time, as a re-upload makes. */
const version = (i: number) => {
  const { op, out } = modules[i % modules.length];
  return { op: prepareOperator(`v${i}`, op.module), out };
};

/** A real sandbox thread whose requests are recorded; `failNextPost` makes a post throw (as cloning can). */
function recordingSpawn() {
  const requests: RunRequest[] = [];
  const threads: SandboxThread[] = [];
  const real = nodeSandbox({ preload: TSX_PRELOAD });
  const recorder = {
    requests,
    threads,
    failNextPost: false,
    spawn: (): SandboxThread => {
      const thread = real();
      threads.push(thread);
      return {
        post(request, transfer) {
          if (recorder.failNextPost) {
            recorder.failNextPost = false;
            throw new RangeError("Maximum call stack size exceeded");
          }
          requests.push(request);
          thread.post(request, transfer);
        },
        listen: (onMessage, onError) => thread.listen(onMessage, onError),
        terminate: () => thread.terminate(),
      };
    },
  };
  return recorder;
}

/** Keys the thread holds after `requests`, as the protocol tells it. */
function heldKeys(requests: readonly RunRequest[]): Set<number> {
  const held = new Set<number>();
  for (const r of requests) {
    for (const key of r.forget) held.delete(key);
    for (const op of r.newOperators) held.add(op.key);
  }
  return held;
}

/** Asks `thread` to run the operator of `key`: true if it still has it. */
function threadHas(thread: SandboxThread, key: number, id: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const unlisten = thread.listen(
      (m: ThreadMessage) => {
        if (m.id !== id || m.type === "hop") return;
        unlisten();
        if (m.type === "done") resolve(true);
        else if (m.message.includes("was never sent")) resolve(false);
        else reject(new Error(m.message));
      },
      (error) => {
        unlisten();
        reject(error);
      },
    );
    const bytes = body([["A b", 1]]);
    thread.post(
      {
        id,
        limits: TEST_LIMITS,
        newOperators: [],
        forget: [],
        stages: [{ index: 0, name: "probe", key }],
        input: { schema, format: "0.1", bytes },
      },
      [bytes.buffer as ArrayBuffer],
    );
  });
}

async function runOne(executor: ThreadExecutor, v: { op: HostedOperator; out: unknown[] }) {
  const plan = await planChain(parseChain(v.op.name), schema, resolverOf([v.op]));
  const result = await runChain(plan, batchOf([["A b", 1]]), { segments: executor });
  assert.deepEqual(columnToRows(plan.output, result.output.column), v.out, v.op.name);
}

describe("ThreadExecutor's bound on the operators a sandbox thread keeps", () => {
  it("keeps at most maxOperators in the thread, most recently run, and sends an evicted one again", async () => {
    const { spawn, requests, threads } = recordingSpawn();
    const executor = new ThreadExecutor(TEST_LIMITS, {
      spawn,
      kernelModule: kernelModule(),
      maxOperators: 3,
    });
    try {
      const versions = Array.from({ length: 10 }, (_, i) => version(i));
      for (const v of versions) {
        await runOne(executor, v);
        assert.ok(heldKeys(requests).size <= 3, `${heldKeys(requests).size} operators held`);
      }
      await runOne(executor, versions[8]); // still kept: not sent again
      assert.equal(requests.at(-1)?.newOperators.length, 0);
      await runOne(executor, versions[0]); // evicted long ago: sent again under a new key
      const resent = requests.at(-1)?.newOperators ?? [];
      assert.deepEqual(
        resent.map((o) => o.name),
        ["v0"],
      );
      assert.notEqual(resent[0].key, requests[0].newOperators[0].key);
      // v7 was the least recently run: it went to make room for v0
      assert.deepEqual(requests.at(-1)?.forget, [requests[7].newOperators[0].key]);

      // the thread itself: of every key ever sent it still runs exactly the three kept
      assert.equal(threads.length, 1);
      const sent = requests.flatMap((r) => r.newOperators.map((o) => o.key));
      const has = [];
      for (const key of sent) if (await threadHas(threads[0], key, 1_000_000 + key)) has.push(key);
      assert.deepEqual(
        has,
        [...heldKeys(requests)].sort((a, b) => a - b),
      );
      assert.equal(has.length, 3);
    } finally {
      await executor.close();
    }
  });

  it("keeps every operator of a chain longer than the bound while it runs", async () => {
    const { spawn, requests } = recordingSpawn();
    const executor = new ThreadExecutor(TEST_LIMITS, {
      spawn,
      kernelModule: kernelModule(),
      maxOperators: 2,
    });
    try {
      await runOne(executor, version(3));
      const chain = [0, 2, 5, 6].map((i) => version(i)); // lowercase, identity, identity, lowercase
      const plan = await planChain(
        parseChain(chain.map((v) => v.op.name).join(",")),
        schema,
        resolverOf(chain.map((v) => v.op)),
      );
      const result = await runChain(plan, batchOf([["A b", 1]]), { segments: executor });
      assert.deepEqual(columnToRows(plan.output, result.output.column), [["a b", 1]]);
      assert.equal(requests.at(-1)?.forget.length, 1, "only the operator this run does not need goes");
      assert.equal(heldKeys(requests).size, 4);
      await runOne(executor, version(9)); // the next run brings the thread back to the bound
      assert.equal(heldKeys(requests).size, 2);
    } finally {
      await executor.close();
    }
  });

  it("tells the thread to forget with the next run when the post that carried it failed", async () => {
    const recorded = recordingSpawn();
    const executor = new ThreadExecutor(TEST_LIMITS, {
      spawn: recorded.spawn,
      kernelModule: kernelModule(),
      maxOperators: 1,
    });
    try {
      const [a, b, c] = [version(0), version(1), version(2)];
      await runOne(executor, a);
      recorded.failNextPost = true;
      await assert.rejects(runOne(executor, b), RangeError);
      await runOne(executor, c);
      const last = recorded.requests.at(-1);
      // a's key, dropped by the failed run, reaches the thread now; b never did
      assert.deepEqual(last?.forget, [recorded.requests[0].newOperators[0].key]);
      assert.deepEqual(
        last?.newOperators.map((o) => o.name),
        ["v2"],
      );
      assert.equal(heldKeys(recorded.requests).size, 1);
      await runOne(executor, b);
    } finally {
      await executor.close();
    }
  });
});

describe("ThreadExecutor when the post carrying the validation kernels fails", () => {
  it("sends them with the next run", async () => {
    const recorded = recordingSpawn();
    recorded.failNextPost = true;
    const executor = new ThreadExecutor(TEST_LIMITS, { spawn: recorded.spawn, kernelModule: kernelModule() });
    try {
      await assert.rejects(runOne(executor, version(0)), RangeError);
      await runOne(executor, version(0));
      assert.equal(recorded.requests.length, 1);
      assert.ok(recorded.requests[0].kernelModule instanceof WebAssembly.Module);
    } finally {
      await executor.close();
    }
  });
});

describe("serveSandbox", () => {
  it("forgets the operators a request names, and keeps the others", () => {
    let onRequest: ((request: RunRequest) => void) | undefined;
    const answers: ThreadMessage[] = [];
    serveSandbox({
      post: (message) => answers.push(message),
      listen: (listener) => (onRequest = listener),
    });
    const [a, b] = [modules[0].op, modules[1].op];
    const run = (id: number, key: number, extra: Partial<RunRequest> = {}) => {
      onRequest?.({
        id,
        limits: TEST_LIMITS,
        newOperators: [],
        forget: [],
        stages: [{ index: 0, name: "s", key }],
        input: { schema, format: "0.1", bytes: body([["A b", 1]]) },
        ...extra,
      });
      return answers.filter((m) => m.id === id && m.type !== "hop").at(-1);
    };
    const sent = [a, b].map((op, i) => ({
      key: i + 1,
      name: op.name,
      module: op.module,
      manifest: op.manifest,
    }));
    assert.equal(run(1, 1, { newOperators: sent })?.type, "done");
    const forgotten = run(2, 1, { forget: [1] });
    assert.equal(forgotten?.type, "error");
    assert.match(forgotten?.type === "error" ? forgotten.message : "", /operator 1 was never sent/);
    assert.equal(run(3, 2)?.type, "done");
  });
});
