// The Workers entry end to end on real workerd through Miniflare on a real port
// (serve-workers.node.ts over the esbuild bundle of scripts/build-worker.ts): the registry Durable
// Object on a temporary persist dir, Worker Loader runner isolates, fuel-metered deadlines. The
// tests are the runtime contract (runtime-contract.ts), shared with the Deno entry.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { serveWorkers, type WorkersServer } from "../../src/runtimes/serve-workers.node.ts";
import { runtimeContract } from "./runtime-contract.ts";

const ROOT = new URL("../../", import.meta.url);

runtimeContract<WorkersServer>("Workers runtime (workerd via Miniflare, src/runtimes/workers.ts)", {
  prepare() {
    const built = spawnSync(process.execPath, ["--import", "tsx", "scripts/build-worker.ts"], {
      cwd: fileURLToPath(ROOT),
      encoding: "utf8",
    });
    assert.equal(built.status, 0, built.stderr);
  },
  start: ({ stateDir, env }) => serveWorkers({ stateDir, vars: env }),
  stop: (server) => server.dispose(),
  moduleStorage:
    "is chunked across 1 MiB SQLite rows of the registry Durable Object and replaced in one transaction",
});
