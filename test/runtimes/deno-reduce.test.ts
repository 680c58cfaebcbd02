// `reduce:` on the Deno entry end to end: real `deno run src/runtimes/deno.ts` processes with the
// KV-backed reduce store on a temporary state dir — wordcount against a plain-JS reference,
// retractions, concurrent overlapping requests, Idempotency-Key replays and conflicts, a failing
// stage before the reduce, persistence across a restart, and keys spread over all 16 shards.
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  columnToRows,
  decodeBatch,
  encodeBatch,
  parseSchema,
  rowsToColumn,
} from "../../src/columnar/index.ts";
import { type DenoServer, serveDeno } from "../../src/runtimes/serve-deno.node.ts";
import { DEFAULT_REDUCE_SHARDS, fnv1a32 } from "../../src/state/index.ts";

const ADMIN = "deno-reduce-admin";
const SCHEMA = "(String, i64)";
const schema = parseSchema(SCHEMA);
const TEST_TIMEOUT_MS = 30_000;
const FETCH_TIMEOUT_MS = 20_000;

const batch = (rows: unknown[][]): Uint8Array => encodeBatch(rowsToColumn(schema, rows));
const rowsOf = (body: Uint8Array): unknown[][] =>
  columnToRows(schema, decodeBatch(body, schema).column) as unknown[][];

/** Deterministic pseudo-random numbers (mulberry32). */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const VOCABULARY = Array.from({ length: 600 }, (_, i) => `word${i.toString(36)}`);

/** `count` lines of 1-12 words in mixed case, with diffs in [-3, 5]. */
function lines(count: number, seed: number): [string, number][] {
  const next = random(seed);
  const pick = (n: number): number => Math.floor(next() * n);
  return Array.from({ length: count }, () => {
    const words = Array.from({ length: 1 + pick(12) }, () => {
      const w = VOCABULARY[pick(VOCABULARY.length)];
      return pick(3) === 0 ? w.toUpperCase() : w;
    });
    return [words.join(pick(2) === 0 ? " " : "  "), pick(9) - 3];
  });
}

/** The plain-JS reference of `split_words,lowercase,reduce:NAME` (zeros removed). */
function wordcount(rows: readonly [string, number][], into = new Map<string, number>()): Map<string, number> {
  for (const [text, diff] of rows) {
    for (const w of text.split(/\s+/).filter((x) => x !== "")) {
      const key = w.toLowerCase();
      into.set(key, (into.get(key) ?? 0) + diff);
    }
  }
  for (const [key, total] of into) if (total === 0) into.delete(key);
  return into;
}

let stateDir: string;
let server: DenoServer;

async function call(path: string, init: RequestInit & { token?: string } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (init.token !== undefined) headers.set("authorization", `Bearer ${init.token}`);
  return fetch(`${server.url}${path}`, { ...init, headers, signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
}

function run(chain: string, rows: unknown[][], headers: Record<string, string> = {}): Promise<Response> {
  return call(`/v1/run?chain=${chain}`, {
    method: "POST",
    headers: { "content-type": "application/x-columnar", "columnar-schema": SCHEMA, ...headers },
    body: batch(rows).slice(),
  });
}

async function okRows(res: Response): Promise<unknown[][]> {
  const body = new Uint8Array(await res.arrayBuffer());
  assert.equal(res.status, 200, new TextDecoder().decode(body));
  return rowsOf(body);
}

/** `GET /v1/state/NAME` NDJSON rows as a map (empty when the namespace does not exist). */
async function stateOf(name: string): Promise<Map<string, number>> {
  const res = await call(`/v1/state/${name}`);
  const text = await res.text();
  if (res.status === 404) return new Map();
  assert.equal(res.status, 200, text);
  assert.match(res.headers.get("content-type") ?? "", /application\/x-ndjson/);
  const rows = text
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as [string, number]);
  const map = new Map(rows);
  assert.equal(map.size, rows.length, "no key is listed twice");
  return map;
}

describe("Deno runtime: reduce on Deno KV", { timeout: 180_000 }, () => {
  before(async () => {
    stateDir = await mkdtemp(join(tmpdir(), "colwasm-deno-reduce-"));
    server = await serveDeno({ stateDir, forwardOutput: false, env: { COLWASM_ADMIN_TOKEN: ADMIN } });
  });

  after(async () => {
    await server?.stop();
    if (stateDir !== undefined) await rm(stateDir, { recursive: true, force: true });
  });

  const WC_LINES = lines(3000, 1);
  const WC_EXPECTED = wordcount(WC_LINES);

  test("wordcount over 3000 lines equals a plain-JS reference", { timeout: TEST_TIMEOUT_MS }, async () => {
    const changed = (await okRows(await run("split_words,lowercase,reduce:wc", WC_LINES))) as [
      string,
      number,
    ][];
    // every distinct word is answered once, zeros included (the reference drops them)
    assert.equal(new Set(changed.map(([k]) => k)).size, changed.length);
    assert.deepEqual(new Map(changed.filter(([, total]) => total !== 0)), WC_EXPECTED);
    assert.deepEqual(await stateOf("wc"), WC_EXPECTED);
    const [key, total] = [...WC_EXPECTED][0];
    const one = await call(`/v1/state/wc?key=${key}`);
    assert.equal(await one.text(), `${JSON.stringify([key, total])}\n`);
    // the keys used cover every shard of the default 16
    const shards = new Set([...WC_EXPECTED.keys()].map((k) => fnv1a32(new TextEncoder().encode(k)) % 16));
    assert.equal(DEFAULT_REDUCE_SHARDS, 16);
    assert.equal(shards.size, 16);
  });

  test(
    "retractions bring totals to 0, answer the 0 and delete the key",
    { timeout: TEST_TIMEOUT_MS },
    async () => {
      await okRows(
        await run("reduce:rt", [
          ["a", 2],
          ["b", 1],
        ]),
      );
      assert.deepEqual(await okRows(await run("reduce:rt", [["a", -2]])), [["a", 0]]);
      const gone = await call("/v1/state/rt?key=a");
      assert.equal(gone.status, 404, await gone.text());
      assert.deepEqual(await stateOf("rt"), new Map([["b", 1]]));
    },
  );

  test(
    "keys of 600 to 1,500 bytes (long URLs) reduce, list and drop: a KV commit sets at most 80 KiB of keys",
    { timeout: TEST_TIMEOUT_MS },
    async () => {
      // 150 keys of ~1 KB on shard 0: chunks of 96 such keys were over KV's limit on the keys one
      // commit sets (the store test also drops 1,200 of them: over a 1000-deletion commit's bytes)
      const rows: [string, number][] = [];
      for (let i = 0; rows.length < 150; i++) {
        const key = `https://example.com/${i}/`.padEnd(600 + ((i * 37) % 900), "p");
        if (fnv1a32(new TextEncoder().encode(key)) % 16 === 0) rows.push([key, 1 + (i % 3)]);
      }
      const expected = new Map(rows);
      assert.deepEqual(
        new Map((await okRows(await run("reduce:urls", rows))) as [string, number][]),
        expected,
      );
      assert.deepEqual(await stateOf("urls"), expected);
      assert.equal((await call("/v1/state/urls", { method: "DELETE", token: ADMIN })).status, 204);
      assert.equal((await call("/v1/state/urls")).status, 404);
    },
  );

  test(
    "50 concurrent requests over overlapping keys add up exactly",
    { timeout: TEST_TIMEOUT_MS },
    async () => {
      const requests = Array.from({ length: 50 }, (_, i) =>
        lines(40, 100 + i).map(
          ([text, diff]) => [text.split(/\s+/).slice(0, 3).join(" "), diff] as [string, number],
        ),
      );
      // a narrow vocabulary: most keys are shared by most requests
      const narrow = requests.map((rows) =>
        rows.map(([text, diff]) => [
          text.replace(/word(\w+)/gi, (_, id: string) => `w${parseInt(id, 36) % 40}`),
          diff,
        ]),
      ) as [string, number][][];
      const expected = new Map<string, number>();
      for (const rows of narrow) wordcount(rows, expected);
      const answers = await Promise.all(narrow.map((rows) => run("split_words,lowercase,reduce:conc", rows)));
      for (const res of answers) await okRows(res);
      assert.deepEqual(await stateOf("conc"), expected);
    },
  );

  test(
    "a request retried 5 times with one Idempotency-Key applies once, with identical bodies",
    { timeout: TEST_TIMEOUT_MS },
    async () => {
      // ~3000 distinct keys: ~190 per shard, so each shard commits in several chunks
      const rows = Array.from({ length: 3000 }, (_, i) => [`k${i}`, (i % 5) + 1]);
      const bodies: string[] = [];
      for (let i = 0; i < 5; i++) {
        const res = await run("reduce:idem", rows, { "idempotency-key": "req-42" });
        const body = Buffer.from(await res.arrayBuffer());
        assert.equal(res.status, 200, body.toString());
        bodies.push(body.toString("hex"));
      }
      assert.equal(new Set(bodies).size, 1);
      const expected = new Map(rows as [string, number][]);
      assert.deepEqual(await stateOf("idem"), expected);

      const other = await run("reduce:idem", [["k0", 100]], { "idempotency-key": "req-42" });
      const text = await other.text();
      assert.equal(other.status, 409, text);
      assert.equal((JSON.parse(text) as { type: string }).type, "/problems/conflict");
      assert.deepEqual(await stateOf("idem"), expected);
    },
  );

  test("a chain failing before the reduce leaves state unchanged", { timeout: TEST_TIMEOUT_MS }, async () => {
    await okRows(await run("reduce:x", [["x", 1]]));
    const wasm = new Uint8Array(await readFile(new URL("../fixtures/wasm/dist/trap.wasm", import.meta.url)));
    const up = await call("/v1/operators/trap", {
      method: "PUT",
      headers: { "content-type": "application/wasm" },
      body: wasm,
      token: ADMIN,
    });
    assert.equal(up.status, 201, await up.text());
    const res = await run("trap,reduce:x", [
      ["x", 5],
      ["y", 1],
    ]);
    const text = await res.text();
    assert.equal(res.status, 422, text);
    assert.equal((JSON.parse(text) as { type: string }).type, "/problems/operator-failed");
    assert.deepEqual(await stateOf("x"), new Map([["x", 1]]));
    // i64 keys into a namespace of one String key: 409, and none of the 15 empty shards takes them
    const ints = parseSchema("(i64, i64)");
    const conflict = await call("/v1/run?chain=reduce:x", {
      method: "POST",
      headers: { "content-type": "application/x-columnar", "columnar-schema": "(i64, i64)" },
      body: encodeBatch(
        rowsToColumn(
          ints,
          Array.from({ length: 200 }, (_, k) => [k, 1]),
        ),
      ).slice(),
    });
    assert.equal(conflict.status, 409, await conflict.text());
    assert.deepEqual(await stateOf("x"), new Map([["x", 1]]));
  });

  /** Asserts a 409 `conflict` problem and answers it. */
  async function conflictOf(res: Response): Promise<Record<string, unknown>> {
    const text = await res.text();
    assert.equal(res.status, 409, text);
    const problem = JSON.parse(text) as Record<string, unknown>;
    assert.equal(problem.type, "/problems/conflict");
    return problem;
  }

  const AB: unknown[][] = [
    ["a", 1],
    ["b", 1],
  ];
  const AB_HELD = new Map([
    ["a", 1],
    ["b", 1],
  ]);

  test(
    "the same Idempotency-Key with another body is a 409 before any shard is touched, whichever shards it reaches",
    { timeout: TEST_TIMEOUT_MS },
    async () => {
      const key = { "idempotency-key": "K" };
      const shardOf = (k: string) => fnv1a32(new TextEncoder().encode(k)) % DEFAULT_REDUCE_SHARDS;
      assert.deepEqual(["a", "b", "c", "d"].map(shardOf), [12, 5, 2, 3]);
      const bound = await run("reduce:hx", AB, key);
      const answer = Buffer.from(await bound.arrayBuffer());
      assert.equal(bound.status, 200, answer.toString());
      assert.deepEqual(await stateOf("hx"), AB_HELD);
      // shards the first request never reached
      await conflictOf(await run("reduce:hx", [["c", 100]], key));
      assert.deepEqual(await stateOf("hx"), AB_HELD);
      // a shard it reached and one it did not: neither is applied
      const overlapping = [
        ["b", 100],
        ["d", 100],
      ];
      await conflictOf(await run("reduce:hx", overlapping, key));
      assert.deepEqual(await stateOf("hx"), AB_HELD);
      // the first request still replays, applying nothing again
      const replay = await run("reduce:hx", AB, key);
      assert.deepEqual(Buffer.from(await replay.arrayBuffer()), answer);
      assert.deepEqual(await stateOf("hx"), AB_HELD);
    },
  );

  test("the 409 detail names the Idempotency-Key as sent", { timeout: TEST_TIMEOUT_MS }, async () => {
    const key = { "idempotency-key": "Kd" };
    await okRows(await run("reduce:hd", AB, key));
    const problem = await conflictOf(await run("reduce:hd", [["a", 2]], key));
    assert.ok(String(problem.detail).includes('Idempotency-Key "Kd" '), String(problem.detail));
  });

  test(
    "an Idempotency-Key binds its request on a chain without a reduce stage too",
    { timeout: TEST_TIMEOUT_MS },
    async () => {
      const k2 = { "idempotency-key": "k2" };
      await okRows(await run("split_words", [["a b", 1]], k2));
      await okRows(await run("split_words", [["a b", 1]], k2));
      await conflictOf(await run("split_words", [["c d", 1]], k2));
    },
  );

  test(
    "a retry whose headers are spelled otherwise (Content-Type parameters, schema blanks) replays, applied once",
    { timeout: TEST_TIMEOUT_MS },
    async () => {
      const key = { "idempotency-key": "Kc" };
      const bound = await run("reduce:hc", AB, key);
      const answer = Buffer.from(await bound.arrayBuffer());
      assert.equal(bound.status, 200, answer.toString());
      const respellings: Record<string, string>[] = [
        { "content-type": "application/x-columnar; charset=utf-8" },
        { "columnar-schema": "(String,i64)" },
      ];
      for (const respelled of respellings) {
        const res = await run("reduce:hc", AB, { ...key, ...respelled });
        const body = Buffer.from(await res.arrayBuffer());
        assert.equal(res.status, 200, body.toString());
        assert.deepEqual(body, answer);
      }
      assert.deepEqual(await stateOf("hc"), AB_HELD);
    },
  );

  test("state survives a stop and a restart on the same state dir", { timeout: 60_000 }, async () => {
    await server.stop();
    server = await serveDeno({ stateDir, forwardOutput: false, env: { COLWASM_ADMIN_TOKEN: ADMIN } });
    assert.deepEqual(await stateOf("wc"), WC_EXPECTED);
    assert.deepEqual(await stateOf("rt"), new Map([["b", 1]]));
    // and keeps counting from there
    const more = lines(200, 2);
    await okRows(await run("split_words,lowercase,reduce:wc", more));
    assert.deepEqual(await stateOf("wc"), wordcount(more, new Map(WC_EXPECTED)));
    // DELETE drops the namespace
    assert.equal((await call("/v1/state/wc", { method: "DELETE", token: ADMIN })).status, 204);
    const gone = await call("/v1/state/wc");
    assert.equal(gone.status, 404, await gone.text());
  });
});
