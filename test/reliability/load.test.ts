// A short load run per runtime on loopback (issue #9; the 60 s run is scripts/load.ts): chain and
// reduce traffic with autocannon for a few seconds, every answer 2xx and the reduce totals exact.
// No timing assertion: latencies are printed, not checked.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { formatLoad, runLoad } from "./load-run.ts";
import { buildWorker, RUNTIMES, startRuntime } from "./runtimes.ts";

const SECONDS = Number(process.env.COLWASM_LOAD_SECONDS ?? 4);

describe("load on loopback", { timeout: 120_000 }, () => {
  for (const kind of RUNTIMES) {
    test(
      `${kind} holds ${SECONDS} s of chain + reduce traffic with 0 errors and exact totals`,
      {
        timeout: 60_000,
      },
      async () => {
        const stateDir = await mkdtemp(join(tmpdir(), `colwasm-load-${kind}-`));
        const runtime = await startRuntime(kind, {
          stateDir,
          vars: { COLWASM_ADMIN_TOKEN: "load-admin" },
          bundleDir: kind === "workers" ? buildWorker("worker-reliability-load") : undefined,
        });
        try {
          const figures = await runLoad(runtime.url, {
            seconds: SECONDS,
            warmupSeconds: 1,
            namespace: "ci_load",
          });
          for (const line of formatLoad(kind, figures)) console.log(`# ${line}`);
          for (const s of figures.streams) {
            assert.equal(s.errors, 0, s.name);
            assert.equal(s.non2xx, 0, s.name);
            assert.ok(s.ok > 0, s.name);
          }
          assert.deepEqual(figures.wrongTotals, []);
        } finally {
          await runtime.stop();
          await rm(stateDir, { recursive: true, force: true });
        }
      },
    );
  }
});
