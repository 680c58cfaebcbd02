// `GET /v1/state/NAME?key=K` against the namespace's key type on both runtime entries end to end:
// a real `deno run` process with the Deno KV reduce store, and real workerd through Miniflare with
// ReduceShard Durable Objects. On a u32 namespace, `abc`, `-1` and `4294967296` are 400
// bad-request naming the key type (they were 404 "No total"), `007` reads the total of 7, and a
// u32 without a total stays 404; a String namespace takes any text.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, test } from "node:test";
import { encodeBatch, parseSchema, rowsToColumn } from "../../src/columnar/index.ts";
import { serveDeno } from "../../src/runtimes/serve-deno.node.ts";
import { serveWorkers } from "../../src/runtimes/serve-workers.node.ts";

const ROOT = new URL("../../", import.meta.url);
const BUNDLE = "dist/worker-state-key-type-test";
const FETCH_TIMEOUT_MS = 15_000;

interface Server {
  readonly url: string;
  stop(): Promise<void>;
}

const runtimes: [string, () => Promise<Server>][] = [
  [
    "Deno (Deno KV)",
    async () => {
      const stateDir = await mkdtemp(join(tmpdir(), "colwasm-key-type-deno-"));
      const server = await serveDeno({ stateDir, forwardOutput: false });
      return {
        url: server.url,
        stop: async () => {
          await server.stop();
          await rm(stateDir, { recursive: true, force: true });
        },
      };
    },
  ],
  [
    "Workers (ReduceShard Durable Objects)",
    async () => {
      const built = spawnSync(
        process.execPath,
        ["--import", "tsx", "scripts/build-worker.ts", "--out", BUNDLE],
        { cwd: fileURLToPath(ROOT), encoding: "utf8" },
      );
      assert.equal(built.status, 0, built.stderr);
      const server = await serveWorkers({ bundleDir: fileURLToPath(new URL(BUNDLE, ROOT)) });
      return { url: server.url, stop: () => server.dispose() };
    },
  ],
];

for (const [title, start] of runtimes) {
  describe(`GET /v1/state/NAME?key=K on ${title}`, { timeout: 120_000 }, () => {
    let server: Server;
    before(async () => {
      server = await start();
    });
    after(async () => {
      await server?.stop();
    });

    async function reduce(name: string, keyType: string, rows: unknown[][]): Promise<void> {
      const schema = `(${keyType}, i64)`;
      const res = await fetch(`${server.url}/v1/run?chain=reduce:${name}`, {
        method: "POST",
        headers: { "content-type": "application/x-columnar", "columnar-schema": schema },
        body: encodeBatch(rowsToColumn(parseSchema(schema), rows)).slice(),
        signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
      });
      assert.equal(res.status, 200, await res.text());
    }

    async function get(
      name: string,
      key: string,
    ): Promise<{ status: number; body: Record<string, unknown> | unknown[] }> {
      const res = await fetch(`${server.url}/v1/state/${name}?key=${encodeURIComponent(key)}`, {
        signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
      });
      return { status: res.status, body: JSON.parse(await res.text()) as Record<string, unknown> };
    }

    test("a u32 namespace: keys that are no u32 are 400 naming the type, an absent u32 404", async () => {
      await reduce("nums", "u32", [
        [7, 2],
        [4294967295, 1],
      ]);
      for (const key of ["abc", "-1", "4294967296"]) {
        const { status, body } = await get("nums", key);
        assert.equal(status, 400, `key ${key}: ${JSON.stringify(body)}`);
        assert.equal((body as Record<string, unknown>).type, "/problems/bad-request");
        assert.equal((body as Record<string, unknown>).keyType, "u32");
        assert.match(String((body as Record<string, unknown>).detail), /key type u32\b/);
      }
      const absent = await get("nums", "8");
      assert.equal(absent.status, 404);
      assert.equal((absent.body as Record<string, unknown>).type, "/problems/unknown-state");
      assert.deepEqual(await get("nums", "7"), { status: 200, body: [7, 2] });
      assert.deepEqual(await get("nums", "007"), { status: 200, body: [7, 2] });
      assert.deepEqual(await get("nums", "4294967295"), { status: 200, body: [4294967295, 1] });
    });

    test("a String namespace: any absent text is 404", async () => {
      await reduce("words", "String", [["cat", 3]]);
      for (const key of ["abc", "-1", "4294967296"]) assert.equal((await get("words", key)).status, 404);
      assert.deepEqual(await get("words", "cat"), { status: 200, body: ["cat", 3] });
    });
  });
}
