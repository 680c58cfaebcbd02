// Faults (issue #9): each runtime is killed and restarted on the same state dir twice while
// clients send reduce batches (Workers: Miniflare dispose + a new Miniflare on the same persist
// dir; Deno: SIGKILL + a new process on the same KV file). Clients give every batch one
// Idempotency-Key and retry on connection errors and 5xx until a 200. After: the uploaded
// operator still runs and every total is exact — nothing lost, nothing counted twice.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import {
  batch,
  buildWorker,
  random,
  readTotals,
  RUNTIMES,
  run,
  startRuntime,
  type TestRuntime,
  upload,
  wasmFile,
} from "./runtimes.ts";

const ADMIN = "restart-admin-token";
const SEED = Number(process.env.COLWASM_TEST_SEED ?? Date.now() % 1_000_000);
const BATCHES = 90;
const CLIENTS = 4;
const KILLS = 2;
const CHAIN = "split_words,lowercase,r_identity,reduce:rs";

/** Batch `i`: 10 lines of words from a 60-word vocabulary, diffs in [-2, 4]. */
function lines(i: number): [string, number][] {
  const next = random(SEED * 1000 + i);
  return Array.from({ length: 10 }, () => {
    const words = Array.from({ length: 1 + Math.floor(next() * 5) }, () => `k${Math.floor(next() * 60)}`);
    return [words.join(" "), Math.floor(next() * 7) - 2];
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

for (const kind of RUNTIMES) {
  describe(`restarts of ${kind} mid-load`, { timeout: 120_000 }, () => {
    test(
      `${BATCHES} idempotent batches from ${CLIENTS} retrying clients survive ${KILLS} kills exactly once (seed ${SEED})`,
      {
        timeout: 100_000,
      },
      async () => {
        const stateDir = await mkdtemp(join(tmpdir(), `colwasm-restart-${kind}-`));
        const bundleDir = kind === "workers" ? buildWorker("worker-reliability-restart") : undefined;
        const start = () => startRuntime(kind, { stateDir, bundleDir, vars: { COLWASM_ADMIN_TOKEN: ADMIN } });
        let runtime: TestRuntime | undefined = await start();
        let base = runtime.url;
        const counts = { done: 0, networkErrors: 0, status5xx: new Map<number, number>(), kills: 0 };
        try {
          const up = await upload(base, "r_identity", wasmFile("operators/dist/identity.wasm"), {
            token: ADMIN,
          });
          assert.equal(up.status, 201, await up.text());

          async function send(i: number): Promise<void> {
            const body = batch(lines(i));
            const headers = { "idempotency-key": `restart-${SEED}-${i}` };
            for (;;) {
              let res: Response;
              let text: string;
              try {
                res = await run(base, CHAIN, body, { headers, timeoutMs: 10_000 });
                // the runtime may also die while its answer is being read (undici: "terminated")
                text = await res.text();
              } catch {
                // connection refused/reset or timed out while the runtime is down: retry
                counts.networkErrors++;
                await sleep(100);
                continue;
              }
              if (res.status === 200) return;
              assert.ok(res.status >= 500, `batch ${i}: ${res.status} ${text}`);
              counts.status5xx.set(res.status, (counts.status5xx.get(res.status) ?? 0) + 1);
              await sleep(100);
            }
          }

          let next = 0;
          const clients = Array.from({ length: CLIENTS }, async () => {
            while (next < BATCHES) {
              const i = next++;
              await send(i);
              counts.done++;
            }
          });
          const faults = (async () => {
            for (let k = 1; k <= KILLS; k++) {
              while (counts.done < (BATCHES * k) / (KILLS + 1)) await sleep(10);
              const dying: TestRuntime = runtime as TestRuntime;
              runtime = undefined;
              await dying.kill();
              counts.kills++;
              runtime = await start();
              base = runtime.url;
            }
          })();
          await Promise.all([...clients, faults]);

          const expected = new Map<string, bigint>();
          for (let i = 0; i < BATCHES; i++) {
            for (const [text, diff] of lines(i))
              for (const w of text.split(" ")) expected.set(w, (expected.get(w) ?? 0n) + BigInt(diff));
          }
          for (const [key, total] of expected) if (total === 0n) expected.delete(key);
          assert.deepEqual(await readTotals(base, "rs"), expected, `seed ${SEED}`);
          // a late retry of an early batch replays: still exact
          await send(0);
          assert.deepEqual(await readTotals(base, "rs"), expected, `seed ${SEED}`);
          console.log(
            `# ${kind}: ${BATCHES} batches, ${counts.kills} kills, ${counts.networkErrors} connection errors retried, ` +
              `5xx retried: ${JSON.stringify(Object.fromEntries(counts.status5xx))}`,
          );
          assert.equal(counts.kills, KILLS);
        } finally {
          await runtime?.stop();
          await rm(stateDir, { recursive: true, force: true });
        }
      },
    );
  });
}
