// `npm run load` (issue #9): sustained chain + reduce traffic on loopback against workerd
// (Miniflare) and Deno, each on a fresh state dir, for COLWASM_LOAD_SECONDS (default 60) with
// autocannon (test/reliability/load-run.ts). Fails unless every request is 2xx and the reduce
// totals read back with GET /v1/state/NAME equal what was sent. Prints p50/p99 per stream.
// Env: COLWASM_LOAD_SECONDS, COLWASM_LOAD_CONNECTIONS (4 per stream), COLWASM_TEST_RUNTIMES.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { formatLoad, runLoad } from "../test/reliability/load-run.ts";
import { buildWorker, RUNTIMES, startRuntime } from "../test/reliability/runtimes.ts";

const SECONDS = Number(process.env.COLWASM_LOAD_SECONDS ?? 60);
const CONNECTIONS = Number(process.env.COLWASM_LOAD_CONNECTIONS ?? 4);
const ADMIN = "load-admin-token";

let failed = false;
for (const kind of RUNTIMES) {
  const stateDir = await mkdtemp(join(tmpdir(), `colwasm-load-${kind}-`));
  const runtime = await startRuntime(kind, {
    stateDir,
    vars: { COLWASM_ADMIN_TOKEN: ADMIN },
    bundleDir: kind === "workers" ? buildWorker("worker-load") : undefined,
  });
  try {
    console.log(
      `colwasm load: ${kind} at ${runtime.url}, ${SECONDS} s, ${CONNECTIONS} connections per stream`,
    );
    const figures = await runLoad(runtime.url, {
      seconds: SECONDS,
      connections: CONNECTIONS,
      namespace: "load",
    });
    for (const line of formatLoad(kind, figures)) console.log(line);
    for (const wrong of figures.wrongTotals.slice(0, 10)) console.log(`  ${wrong}`);
    const bad = figures.streams.some((s) => s.errors > 0 || s.non2xx > 0) || figures.wrongTotals.length > 0;
    if (bad) failed = true;
  } finally {
    await runtime.stop();
    await rm(stateDir, { recursive: true, force: true });
  }
}
if (failed) {
  console.error("colwasm load: FAILED (errors, non-2xx answers or inexact totals)");
  process.exit(1);
}
