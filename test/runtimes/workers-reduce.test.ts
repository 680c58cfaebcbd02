// `reduce:NAME` on the Workers runtime end to end, on real workerd through Miniflare: operator
// segments in Worker Loader isolates, totals in ReduceShard Durable Objects (SQLite) on a
// temporary persist dir, read back through /v1/state. Randomised inputs print their seed.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, test } from "node:test";
import {
  columnToRows,
  decodeBatch,
  encodeBatch,
  parseSchema,
  rowsToColumn,
} from "../../src/columnar/index.ts";
import { serveWorkers, type WorkersServer } from "../../src/runtimes/serve-workers.node.ts";
import { ledgerObjectName } from "../../src/runtimes/workers/do-idempotency-ledger.workers.ts";
import { fnv1a32 } from "../../src/state/index.ts";

const ADMIN = "reduce-admin-secret";
const SCHEMA = "(String, i64)";
const schema = parseSchema(SCHEMA);
const ROOT = new URL("../../", import.meta.url);
const BUNDLE = "dist/worker-reduce-test";
const SHARDS = 16;
const TEST_TIMEOUT_MS = 30_000;
const FETCH_TIMEOUT_MS = 15_000;
/** Short enough for a test to outwait, long enough for every retry sequence of this file. */
const IDEMPOTENCY_TTL_SECONDS = 8;
const VARS = {
  COLWASM_ADMIN_TOKEN: ADMIN,
  COLWASM_TEST_HOOKS: "1",
  COLWASM_IDEMPOTENCY_TTL_SECONDS: String(IDEMPOTENCY_TTL_SECONDS),
  // small pages, so every listing in this file (hundreds of keys a shard) reads a shard in pages
  COLWASM_STATE_PAGE_BYTES: "4096",
};
const SEED = Number(process.env.COLWASM_TEST_SEED ?? Date.now() % 1_000_000);

type Totals = Map<string, bigint>;

/** Idempotency records held by the shards of `namespace`, read from their Durable Objects. */
async function idempotencyRecords(namespace: string): Promise<number> {
  let sum = 0;
  for (let shard = 0; shard < SHARDS; shard++) {
    const stub = await server.durableObject<{ idempotencyRecordCount(): Promise<number> }>(
      "REDUCE_SHARD",
      `${namespace}/${shard}`,
    );
    sum += await stub.idempotencyRecordCount();
  }
  return sum;
}

/** Idempotency-Key bindings held by the ledger object that binds `key` (expired ones until deleted). */
async function ledgerClaims(key: string): Promise<number> {
  const stub = await server.durableObject<{ idempotencyClaimCount(): Promise<number> }>(
    "REDUCE_SHARD",
    ledgerObjectName(key),
  );
  return await stub.idempotencyClaimCount();
}

/** mulberry32: a small seeded PRNG. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` lines of 1-8 mixed-case words from a vocabulary of `vocabulary` words, diffs 1-3. */
function generateLines(seed: number, count: number, vocabulary = 600): [string, number][] {
  const next = random(seed);
  const words = Array.from({ length: vocabulary }, (_, k) => `w${k.toString(36)}x${(k * 7919) % 97}`);
  return Array.from({ length: count }, () => {
    const n = 1 + Math.floor(next() * 8);
    const text = Array.from({ length: n }, () => {
      const w = words[Math.floor(next() * words.length)];
      return next() < 0.3 ? w.toUpperCase() : w;
    }).join(next() < 0.5 ? " " : "\t");
    return [text, 1 + Math.floor(next() * 3)];
  });
}

/** Plain-JS wordcount: split on ASCII whitespace, lowercase, sum diffs. */
function wordcount(lines: readonly [string, number][], into: Totals = new Map()): Totals {
  for (const [text, diff] of lines) {
    for (const word of text.split(/[ \t\n\v\f\r]+/)) {
      if (word === "") continue;
      const key = word.toLowerCase();
      const total = (into.get(key) ?? 0n) + BigInt(diff);
      if (total === 0n) into.delete(key);
      else into.set(key, total);
    }
  }
  return into;
}

const ndjson = (rows: readonly unknown[][]): string => rows.map((r) => JSON.stringify(r)).join("\n") + "\n";
const rowsOf = (body: Uint8Array): unknown[][] =>
  columnToRows(schema, decodeBatch(body, schema).column) as unknown[][];

let stateDir: string;
let server: WorkersServer;

function call(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set("authorization", `Bearer ${ADMIN}`);
  return fetch(`${server.url}${path}`, { ...init, headers, signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
}

function run(
  chain: string,
  body: string | Uint8Array,
  headers: Record<string, string> = {},
  schemaText = SCHEMA,
): Promise<Response> {
  return call(`/v1/run?chain=${chain}`, {
    method: "POST",
    headers: {
      "content-type": typeof body === "string" ? "application/x-ndjson" : "application/x-columnar",
      "columnar-schema": schemaText,
      ...headers,
    },
    body: typeof body === "string" ? body : new Uint8Array(body),
  });
}

/** GET /v1/state/NAME as a map; undefined on 404. */
async function readState(name: string): Promise<Totals | undefined> {
  const res = await call(`/v1/state/${name}`);
  const text = await res.text();
  if (res.status === 404) return undefined;
  assert.equal(res.status, 200, text);
  const totals: Totals = new Map();
  for (const line of text.split("\n")) {
    if (line === "") continue;
    const [key, total] = JSON.parse(line) as [string, number | string];
    assert.ok(!totals.has(key), `key ${key} appears once`);
    totals.set(key, BigInt(total));
  }
  return totals;
}

async function expectOk(res: Response): Promise<Uint8Array> {
  const body = new Uint8Array(await res.arrayBuffer());
  assert.equal(res.status, 200, new TextDecoder().decode(body));
  return body;
}

async function expectProblem(res: Response, status: number, type: string): Promise<Record<string, unknown>> {
  const text = await res.text();
  assert.equal(res.status, status, text);
  const problem = JSON.parse(text) as Record<string, unknown>;
  assert.equal(problem.type, `/problems/${type}`, text);
  return problem;
}

/** Shards a set of canonical keys falls on (src/state key-hash contract). */
function shardsOf(keys: Iterable<string>): Set<number> {
  const encoder = new TextEncoder();
  return new Set([...keys].map((k) => fnv1a32(encoder.encode(k)) % SHARDS));
}

describe("reduce on the Workers runtime (ReduceShard Durable Objects)", { timeout: 180_000 }, () => {
  /** What `wc` must hold after every test so far. */
  const expectedWc: Totals = new Map();

  before(async () => {
    const built = spawnSync(
      process.execPath,
      ["--import", "tsx", "scripts/build-worker.ts", "--out", BUNDLE],
      {
        cwd: fileURLToPath(ROOT),
        encoding: "utf8",
      },
    );
    assert.equal(built.status, 0, built.stderr);
    stateDir = await mkdtemp(join(tmpdir(), "colwasm-reduce-"));
    server = await serveWorkers({ stateDir, vars: VARS, bundleDir: fileURLToPath(new URL(BUNDLE, ROOT)) });
  });

  after(async () => {
    await server?.dispose();
    if (stateDir !== undefined) await rm(stateDir, { recursive: true, force: true });
  });

  test(
    `split_words,lowercase,reduce:wc over 3000 lines equals a plain-JS wordcount (seed ${SEED})`,
    { timeout: TEST_TIMEOUT_MS },
    async () => {
      const lines = generateLines(SEED, 3000);
      const started = performance.now();
      const res = await run("split_words,lowercase,reduce:wc", ndjson(lines));
      const body = await expectOk(res);
      const ms = performance.now() - started;
      wordcount(lines, expectedWc);
      const words = lines.reduce((n, [t]) => n + t.split(/\s+/).length, 0);
      console.log(`# wordcount: ${lines.length} lines, ${words} words in ${ms.toFixed(0)} ms`);
      // the answer: every distinct word once, with its new total
      const answered = new Map(rowsOf(body).map(([k, v]) => [String(k), BigInt(v as number)]));
      assert.deepEqual(answered, expectedWc);
      assert.deepEqual(await readState("wc"), expectedWc, `seed ${SEED}`);
      // keys spread over every shard, one storage call per touched shard
      const touched = shardsOf(expectedWc.keys());
      assert.equal(touched.size, SHARDS);
      assert.equal(res.headers.get("colwasm-reduce-shard-calls"), String(touched.size));
      assert.match(res.headers.get("server-timing") ?? "", /reduce/);
    },
  );

  test("a run touching 2 shards makes 2 shard calls", { timeout: TEST_TIMEOUT_MS }, async () => {
    const keys = ["alpha", "beta", "gamma", "delta", "eps"];
    const touched = shardsOf(keys.slice(0, 2));
    const res = await run("reduce:few", ndjson(keys.slice(0, 2).map((k) => [k, 1])));
    await expectOk(res);
    assert.equal(res.headers.get("colwasm-reduce-shard-calls"), String(touched.size));
  });

  test(
    "retractions bring totals to 0, answer 0 and delete the keys (GET ?key= is 404)",
    { timeout: TEST_TIMEOUT_MS },
    async () => {
      const lines = generateLines(SEED + 1, 500, 80);
      await expectOk(await run("split_words,lowercase,reduce:retract", ndjson(lines)));
      const added = wordcount(lines);
      assert.deepEqual(await readState("retract"), added);
      const negated = lines.map(([t, d]) => [t, -d]);
      const body = await expectOk(await run("split_words,lowercase,reduce:retract", ndjson(negated)));
      const rows = rowsOf(body);
      assert.equal(rows.length, added.size);
      assert.ok(rows.every(([, total]) => total === 0));
      assert.deepEqual(await readState("retract"), new Map());
      const [someKey] = added.keys();
      await expectProblem(await call(`/v1/state/retract?key=${someKey}`), 404, "unknown-state");
    },
  );

  test("a key's leading U+FEFF is kept through the shard payload", { timeout: TEST_TIMEOUT_MS }, async () => {
    const rows = [
      ["\uFEFFx", 1],
      ["x", 2],
      ["\uFEFFy", 4],
    ];
    await expectOk(await run("reduce:bom", encodeBatch(rowsToColumn(schema, rows))));
    const totals = await readState("bom");
    assert.deepEqual(
      totals,
      new Map([
        ["\uFEFFx", 1n],
        ["x", 2n],
        ["\uFEFFy", 4n],
      ]),
    );
  });

  test(
    "a shard's keys over the SQLite value limit are applied in parts; a key over 65,000 bytes is 413 with nothing applied",
    { timeout: TEST_TIMEOUT_MS },
    async () => {
      // 64 keys of 60,000 bytes, all on shard 0: 3.8 MB of keys in one shard (bound at once, over
      // workerd's ~2 MB limit once JSON-escaped with their totals, they failed the whole batch)
      const keys: string[] = [];
      for (let k = 0; keys.length < 64; k++) {
        const key = `${k}`.padEnd(60_000, "k");
        if (shardsOf([key]).has(0)) keys.push(key);
      }
      const rows = keys.map((key) => [key, 1]);
      const body = await expectOk(await run("reduce:longkeys", encodeBatch(rowsToColumn(schema, rows))));
      assert.deepEqual(
        rowsOf(body),
        rows.map(([key]) => [key, 1]),
      );
      const again = await expectOk(await run("reduce:longkeys", encodeBatch(rowsToColumn(schema, rows))));
      assert.deepEqual(
        rowsOf(again),
        rows.map(([key]) => [key, 2]),
      );
      const tooLong = [
        ["small", 1],
        ["x".repeat(65_001), 1],
      ];
      const problem = await expectProblem(
        await run("reduce:longkeys", encodeBatch(rowsToColumn(schema, tooLong))),
        413,
        "too-large",
      );
      assert.match(String(problem.detail), /65001 bytes, reduce keys hold at most 65000/);
      assert.equal((await call("/v1/state/longkeys?key=small")).status, 404, "nothing applied");
      assert.equal((await readState("longkeys"))?.size, 64);
    },
  );

  test("i64 totals past 2^53 are exact and wrap at 2^63", { timeout: TEST_TIMEOUT_MS }, async () => {
    const big = (rows: unknown[][]) => encodeBatch(rowsToColumn(schema, rows));
    await expectOk(await run("reduce:big", big([["a", "9007199254740993"]])));
    await expectOk(await run("reduce:big", big([["a", "2"]])));
    const one = await call("/v1/state/big?key=a");
    assert.equal((await one.text()).trim(), '["a","9007199254740995"]');
    await expectOk(await run("reduce:big", big([["w", "4611686018427387904"]])));
    const body = await expectOk(await run("reduce:big", big([["w", "4611686018427387904"]])));
    assert.deepEqual(rowsOf(body), [["w", "-9223372036854775808"]]);
  });

  test(
    "50 concurrent requests over overlapping keys give exact totals",
    { timeout: TEST_TIMEOUT_MS },
    async () => {
      const requests = Array.from({ length: 50 }, (_, r) =>
        Array.from({ length: 40 }, (_, k): [string, number] => [
          `k${(r * 7 + k) % 60} K${k % 13}`,
          (r % 5) + 1,
        ]),
      );
      const responses = await Promise.all(
        requests.map((lines) => run("split_words,lowercase,reduce:conc", ndjson(lines))),
      );
      for (const res of responses) await expectOk(res);
      const expected = wordcount(requests.flat());
      assert.deepEqual(await readState("conc"), expected);
    },
  );

  test(
    "a request retried 5 times with one Idempotency-Key applies once with identical answers; another body is 409",
    { timeout: TEST_TIMEOUT_MS },
    async () => {
      const lines = generateLines(SEED + 2, 300);
      const text = ndjson(lines);
      const headers = { "idempotency-key": `wc-retry-${SEED}` };
      const bodies: Uint8Array[] = [];
      for (let i = 0; i < 5; i++)
        bodies.push(await expectOk(await run("split_words,lowercase,reduce:wc", text, headers)));
      for (const b of bodies.slice(1)) assert.deepEqual(b, bodies[0]);
      wordcount(lines, expectedWc);
      assert.deepEqual(await readState("wc"), expectedWc);
      const other = ndjson([["something else", 1]]);
      const problem = await expectProblem(
        await run("split_words,lowercase,reduce:wc", other, headers),
        409,
        "conflict",
      );
      assert.equal(typeof problem.detail, "string");
      assert.deepEqual(await readState("wc"), expectedWc);
    },
  );

  test(
    "a chain failing before its reduce (trap, type mismatch, key type) leaves state unchanged",
    { timeout: TEST_TIMEOUT_MS },
    async () => {
      const wasm = await readFile(new URL("test/fixtures/wasm/dist/trap.wasm", ROOT));
      const up = await call("/v1/operators/trap_op", {
        method: "PUT",
        headers: { "content-type": "application/wasm" },
        body: new Uint8Array(wasm),
      });
      assert.equal(up.status, 201, await up.text());
      const problem = await expectProblem(
        await run("lowercase,trap_op,reduce:wc", ndjson([["Trapped words", 5]])),
        422,
        "operator-failed",
      );
      assert.equal(problem.reason, "trap");
      const ints = encodeBatch(rowsToColumn(parseSchema("(i64, i64)"), [[1, 2]]));
      await expectProblem(
        await run("lowercase,reduce:wc", ints, {}, "(i64, i64)"),
        422,
        "chain-type-mismatch",
      );
      // reduce over i64 keys into a namespace of String keys: no shard half-applies it
      const manyInts = encodeBatch(
        rowsToColumn(
          parseSchema("(i64, i64)"),
          Array.from({ length: 200 }, (_, k) => [k, 1]),
        ),
      );
      await expectProblem(await run("reduce:wc", manyInts, {}, "(i64, i64)"), 409, "conflict");
      assert.deepEqual(await readState("wc"), expectedWc);
      // one String key leaves 15 shards empty: they must not take the i64 keys either (the
      // namespace's key type is bound on its shard 0 before any shard is touched)
      assert.equal((await run("reduce:lonely", ndjson([["solo", 1]]))).status, 200);
      const lonely = await readState("lonely");
      await expectProblem(await run("reduce:lonely", manyInts, {}, "(i64, i64)"), 409, "conflict");
      assert.deepEqual(await readState("lonely"), lonely);
    },
  );

  test(
    "a shard failing inside its transaction answers 503 + Retry-After; the retry with the same Idempotency-Key completes exactly once",
    { timeout: TEST_TIMEOUT_MS },
    async () => {
      const lines = generateLines(SEED + 3, 1000);
      const expected = wordcount(lines);
      assert.ok(shardsOf(expected.keys()).has(3));
      const text = ndjson(lines);
      const key = { "idempotency-key": `flaky-${SEED}` };
      const failed = await run("split_words,lowercase,reduce:flaky", text, {
        ...key,
        "colwasm-test-fail-shard": "3",
      });
      await expectProblem(failed, 503, "unavailable");
      assert.equal(failed.headers.get("retry-after"), "1");
      // the other shards applied, shard 3 rolled back
      const partial = await readState("flaky");
      assert.ok(partial !== undefined);
      assert.ok([...partial.keys()].every((k) => shardsOf([k]).has(3) === false));
      assert.ok(partial.size > 0 && partial.size < expected.size);
      const body = await expectOk(await run("split_words,lowercase,reduce:flaky", text, key));
      assert.deepEqual(new Map(rowsOf(body).map(([k, v]) => [String(k), BigInt(v as number)])), expected);
      await expectOk(await run("split_words,lowercase,reduce:flaky", text, key));
      assert.deepEqual(await readState("flaky"), expected);
    },
  );

  test("DELETE /v1/state/NAME drops every shard (204, then 404)", { timeout: TEST_TIMEOUT_MS }, async () => {
    await expectOk(
      await run(
        "reduce:dropme",
        ndjson([
          ["x", 1],
          ["y", 2],
        ]),
      ),
    );
    const dropped = await call("/v1/state/dropme", { method: "DELETE" });
    assert.equal(dropped.status, 204);
    assert.equal(await readState("dropme"), undefined);
    await expectProblem(await call("/v1/state/dropme", { method: "DELETE" }), 404, "unknown-state");
  });

  const AB = ndjson([
    ["a", 1],
    ["b", 1],
  ]);
  const AB_HELD: Totals = new Map([
    ["a", 1n],
    ["b", 1n],
  ]);

  test(
    "the same Idempotency-Key with another body is a 409 before any shard is touched, whichever shards it reaches",
    { timeout: TEST_TIMEOUT_MS },
    async () => {
      const key = { "idempotency-key": `K-${SEED}` };
      assert.deepEqual([...shardsOf(["a", "b", "c", "d"])], [12, 5, 2, 3]);
      const answer = await expectOk(await run("reduce:hx", AB, key));
      assert.deepEqual(await readState("hx"), AB_HELD);
      // shards the first request never reached
      const disjoint = await expectProblem(
        await run("reduce:hx", ndjson([["c", 100]]), key),
        409,
        "conflict",
      );
      assert.ok(String(disjoint.detail).includes(`Idempotency-Key "K-${SEED}" `), String(disjoint.detail));
      assert.deepEqual(await readState("hx"), AB_HELD);
      // a shard it reached and one it did not: neither is applied
      const overlapping = ndjson([
        ["b", 100],
        ["d", 100],
      ]);
      await expectProblem(await run("reduce:hx", overlapping, key), 409, "conflict");
      assert.deepEqual(await readState("hx"), AB_HELD);
      // the first request still replays, applying nothing again
      assert.deepEqual(await expectOk(await run("reduce:hx", AB, key)), answer);
      assert.deepEqual(await readState("hx"), AB_HELD);
    },
  );

  test(
    "an Idempotency-Key binds its request on a chain without a reduce stage too",
    { timeout: TEST_TIMEOUT_MS },
    async () => {
      const k2 = { "idempotency-key": `k2-${SEED}` };
      await expectOk(await run("split_words", ndjson([["a b", 1]]), k2));
      await expectOk(await run("split_words", ndjson([["a b", 1]]), k2));
      await expectProblem(await run("split_words", ndjson([["c d", 1]]), k2), 409, "conflict");
    },
  );

  test(
    "a retry whose headers are spelled otherwise (Content-Type parameters, schema blanks) replays, applied once",
    { timeout: TEST_TIMEOUT_MS },
    async () => {
      const key = { "idempotency-key": `Kc-${SEED}` };
      const answer = await expectOk(await run("reduce:hc", AB, key));
      const charset = { ...key, "content-type": "application/x-ndjson; charset=utf-8" };
      assert.deepEqual(await expectOk(await run("reduce:hc", AB, charset)), answer);
      assert.deepEqual(await expectOk(await run("reduce:hc", AB, key, "(String,i64)")), answer);
      assert.deepEqual(await readState("hc"), AB_HELD);
    },
  );

  test(
    "an Idempotency-Key is honoured for COLWASM_IDEMPOTENCY_TTL_SECONDS, then forgotten",
    { timeout: TEST_TIMEOUT_MS + IDEMPOTENCY_TTL_SECONDS * 1000 },
    async () => {
      const text = ndjson([["ttl word", 1]]);
      const headers = { "idempotency-key": `ttl-${SEED}` };
      const once = new Map([
        ["ttl", 1n],
        ["word", 1n],
      ]);
      await expectOk(await run("split_words,reduce:ttl", text, headers));
      await expectOk(await run("split_words,reduce:ttl", text, headers)); // a replay
      assert.deepEqual(await readState("ttl"), once);
      assert.equal(await idempotencyRecords("ttl"), shardsOf(once.keys()).size); // one per shard touched
      assert.ok((await ledgerClaims(headers["idempotency-key"])) > 0);
      await new Promise((resolve) => setTimeout(resolve, IDEMPOTENCY_TTL_SECONDS * 1000 + 1500));
      // with no write since, the shards' and the ledger's alarms have deleted the expired records
      assert.equal(await idempotencyRecords("ttl"), 0);
      assert.equal(await ledgerClaims(headers["idempotency-key"]), 0);
      await expectOk(await run("split_words,reduce:ttl", text, headers)); // the key was forgotten
      assert.deepEqual(
        await readState("ttl"),
        new Map([
          ["ttl", 2n],
          ["word", 2n],
        ]),
      );
    },
  );

  test("state survives a restart on the same persist dir", { timeout: 60_000 }, async () => {
    await server.dispose();
    server = await serveWorkers({ stateDir, vars: VARS, bundleDir: fileURLToPath(new URL(BUNDLE, ROOT)) });
    assert.deepEqual(await readState("wc"), expectedWc);
    const [key, total] = [...expectedWc.entries()][0];
    const one = await call(`/v1/state/wc?key=${encodeURIComponent(key)}`);
    assert.equal((await one.text()).trim(), JSON.stringify([key, Number(total)]));
    await expectOk(await run("split_words,lowercase,reduce:wc", ndjson([[key.toUpperCase(), 1]])));
    expectedWc.set(key, total + 1n);
    assert.deepEqual(await readState("wc"), expectedWc);
  });
});
