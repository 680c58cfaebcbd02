// `wrangler deploy --dry-run` accepts wrangler.toml (worker loader, SQLite Durable Object,
// migrations) offline, and the bundle it writes starts on workerd and answers.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import { Miniflare } from "miniflare";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** Module type of a file wrangler wrote, by its name (docs/runtime-notes.md §1a). */
function moduleType(file: string): "ESModule" | "CompiledWasm" | "Data" | "Text" | undefined {
  if (file === "workers.js") return "ESModule";
  if (file.endsWith(".wasm")) return "CompiledWasm";
  if (file.endsWith(".bin")) return "Data";
  if (file.endsWith(".src.js")) return "Text";
  return undefined;
}

test(
  "wrangler deploy --dry-run bundles the Worker, and the bundle serves on workerd",
  { timeout: 60_000 },
  async () => {
    const out = await mkdtemp(join(tmpdir(), "colwasm-wrangler-"));
    try {
      const dry = spawnSync(
        join(ROOT, "node_modules/.bin/wrangler"),
        ["deploy", "--dry-run", "--outdir", out],
        {
          cwd: ROOT,
          encoding: "utf8",
          env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" },
          timeout: 50_000,
        },
      );
      assert.equal(dry.status, 0, dry.stderr + dry.stdout);
      assert.match(dry.stdout, /env\.LOADER\s+Worker Loader/);
      assert.match(dry.stdout, /env\.OPERATOR_REGISTRY \(OperatorRegistry\)\s+Durable Object/);
      const files = (await readdir(out)).filter((f) => moduleType(f) !== undefined);
      files.sort((a, b) => Number(b === "workers.js") - Number(a === "workers.js"));
      assert.equal(files[0], "workers.js");
      const mf = new Miniflare({
        name: "colwasm",
        modules: files.map((f) => ({ type: moduleType(f) ?? "ESModule", path: join(out, f) })),
        modulesRoot: out,
        compatibilityDate: "2026-04-01",
        compatibilityFlags: ["nodejs_compat"],
        workerLoaders: { LOADER: {} },
        durableObjects: { OPERATOR_REGISTRY: { className: "OperatorRegistry", useSQLite: true } },
      });
      try {
        const res = await mf.dispatchFetch("http://colwasm/v1/run?chain=split_words", {
          method: "POST",
          headers: {
            "content-type": "application/x-ndjson",
            "columnar-schema": "(String, i64)",
            accept: "application/x-ndjson",
          },
          body: '["a b", 1]\n',
          signal: AbortSignal.timeout(10_000),
        });
        assert.equal(res.status, 200, await res.clone().text());
        assert.equal(res.headers.get("content-type"), "application/x-ndjson");
        assert.equal(await res.text(), '["a",1]\n["b",1]\n');
      } finally {
        await mf.dispose();
      }
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  },
);
