// Exactly-once on real Deno when a shard fails mid-batch (issue #6): with the test hook, two shards
// fail their first apply; the request answers 503 + Retry-After, a retry with the same
// Idempotency-Key completes the batch, and every total counts each word exactly once.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { encodeBatch, parseSchema, rowsToColumn } from "../../src/columnar/index.ts";
import { type DenoServer, serveDeno } from "../../src/runtimes/serve-deno.node.ts";
import { fnv1a32 } from "../../src/state/index.ts";

const SCHEMA = "(String, i64)";
const WORDS = Array.from({ length: 300 }, (_, i) => `w${i}`);
const shardOf = (w: string) => fnv1a32(new TextEncoder().encode(w)) % 16;

let stateDir: string;
let server: DenoServer;

function run(headers: Record<string, string>): Promise<Response> {
  const body = encodeBatch(
    rowsToColumn(
      parseSchema(SCHEMA),
      WORDS.map((w) => [w, 1]),
    ),
  ).slice();
  return fetch(`${server.url}/v1/run?chain=reduce:wcf`, {
    method: "POST",
    body,
    headers: { "content-type": "application/x-columnar", "columnar-schema": SCHEMA, ...headers },
    signal: AbortSignal.timeout(20_000),
  });
}

describe("Deno runtime: a shard failing mid-batch", { timeout: 90_000 }, () => {
  before(async () => {
    stateDir = await mkdtemp(join(tmpdir(), "colwasm-deno-faults-"));
    const env = { COLWASM_TEST_HOOKS: "1", COLWASM_TEST_FAIL_SHARDS: "wcf/3,wcf/7" };
    server = await serveDeno({ stateDir, forwardOutput: false, env });
  });

  after(async () => {
    await server?.stop();
    if (stateDir !== undefined) await rm(stateDir, { recursive: true, force: true });
  });

  test("answers 503 with Retry-After, and a retry with the same key completes it exactly once", async () => {
    assert.ok(WORDS.some((w) => shardOf(w) === 3) && WORDS.some((w) => shardOf(w) === 7));
    const first = await run({ "idempotency-key": "batch-1" });
    assert.equal(first.status, 503);
    assert.equal(first.headers.get("retry-after"), "1");
    assert.equal(((await first.json()) as { type: string }).type, "/problems/unavailable");
    // the other shards applied: their keys already hold 1, the failed shards' keys nothing
    const partial = await fetch(`${server.url}/v1/state/wcf`).then((r) => r.text());
    const partialKeys = partial
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => (JSON.parse(l) as [string, number])[0]);
    assert.ok(partialKeys.every((k) => shardOf(k) !== 3 && shardOf(k) !== 7));
    assert.ok(partialKeys.length > 0);

    const retry = await run({ "idempotency-key": "batch-1" });
    assert.equal(retry.status, 200);
    const again = await run({ "idempotency-key": "batch-1" });
    assert.equal(again.status, 200);
    assert.deepEqual(new Uint8Array(await again.arrayBuffer()), new Uint8Array(await retry.arrayBuffer()));

    const text = await fetch(`${server.url}/v1/state/wcf`).then((r) => r.text());
    const totals = new Map(
      text
        .split("\n")
        .filter((l) => l !== "")
        .map((l) => JSON.parse(l) as [string, number]),
    );
    assert.equal(totals.size, WORDS.length);
    assert.ok([...totals.values()].every((t) => t === 1));
  });
});
