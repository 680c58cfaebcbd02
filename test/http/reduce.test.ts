// `reduce:` through the HTTP app with the memory store: wordcount against a plain-JS reference,
// state routes, Idempotency-Key replays and conflicts, nothing applied when an earlier stage fails.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FaultInjectingStore, MemoryReduceStore } from "../../src/state/index.ts";
import { ADMIN, batch, fixtureWasm, makeApp, problemOf, rowsOf, run, upload } from "./app-fixture.ts";

const LINES = Array.from({ length: 400 }, (_, i) => [`The cat ${i % 7} SAT on the mat ${i % 3}`, 1]);

function reference(lines: unknown[][]): Map<string, number> {
  const totals = new Map<string, number>();
  for (const [text, diff] of lines as [string, number][]) {
    for (const w of text.split(/\s+/).filter((x) => x !== "")) {
      const k = w.toLowerCase();
      totals.set(k, (totals.get(k) ?? 0) + diff);
    }
  }
  for (const [k, v] of totals) if (v === 0) totals.delete(k);
  return totals;
}

async function stateOf(app: Awaited<ReturnType<typeof makeApp>>, name: string): Promise<Map<string, number>> {
  const res = await app.request(`/v1/state/${name}`);
  if (res.status === 404) return new Map();
  const text = await res.text();
  return new Map(
    text
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => JSON.parse(l) as [string, number]),
  );
}

describe("reduce over HTTP", () => {
  it("a shard failing under a batch without an Idempotency-Key is a 503 that invites no retry", async () => {
    // 26 letters over 16 shards; shards 0-2 of "part" fail their first apply, the others commit
    const app = await makeApp({
      reduceStore: new FaultInjectingStore(new MemoryReduceStore(), new Set(["part/0", "part/1", "part/2"])),
    });
    const rows = Array.from({ length: 26 }, (_, i) => [String.fromCharCode(97 + i), 1]);
    const res = await run(app, "reduce:part", batch(rows));
    assert.equal(res.status, 503);
    assert.equal(res.headers.get("retry-after"), null);
    assert.match(
      String((await problemOf(res)).detail),
      /shards; without an Idempotency-Key the batch cannot be completed exactly once .*GET \/v1\/state\/part/,
    );
  });

  it("refuses a key over 65,000 bytes with 413 before any shard: nothing of the batch is applied", async () => {
    const app = await makeApp();
    const res = await run(
      app,
      "reduce:long",
      batch([
        ["small", 1],
        ["x".repeat(65_001), 1],
      ]),
    );
    assert.equal(res.status, 413);
    assert.match(String((await problemOf(res)).detail), /record 1: its key has 65001 bytes/);
    assert.equal((await app.request("/v1/state/long")).status, 404);
    assert.equal((await run(app, "reduce:long", batch([["x".repeat(65_000), 1]]))).status, 200);
  });

  it("keeps a key's leading U+FEFF: it is another key than the same text without it", async () => {
    const app = await makeApp();
    const rows = [
      ["\uFEFFx", 1],
      ["x", 2],
      ["\uFEFFy", 4],
    ];
    assert.equal((await run(app, "reduce:bom", batch(rows))).status, 200);
    const res = await run(app, "reduce:bom", batch(rows));
    assert.deepEqual(await rowsOf(res), [
      ["\uFEFFx", 2],
      ["x", 4],
      ["\uFEFFy", 8],
    ]);
    assert.deepEqual(
      await stateOf(app, "bom"),
      new Map([
        ["\uFEFFx", 2],
        ["x", 4],
        ["\uFEFFy", 8],
      ]),
    );
    assert.equal((await app.request(`/v1/state/bom?key=${encodeURIComponent("\uFEFFy")}`)).status, 200);
    assert.equal((await app.request("/v1/state/bom?key=y")).status, 404);
  });

  it("counts words like a plain-JS reference, and state reads back the same totals", async () => {
    const app = await makeApp();
    const res = await run(app, "split_words,lowercase,reduce:wc", batch(LINES));
    assert.equal(res.status, 200);
    const changed = (await rowsOf(res)) as [string, number][];
    const expected = reference(LINES);
    assert.deepEqual(new Map(changed), expected);
    assert.deepEqual(await stateOf(app, "wc"), expected);
    const one = await app.request("/v1/state/wc?key=cat");
    assert.equal(await one.text(), `["cat",${expected.get("cat")}]\n`);
  });

  it("retractions bring totals to 0, answer the 0 and delete the key", async () => {
    const app = await makeApp();
    await run(
      app,
      "reduce:wc",
      batch([
        ["a", 2],
        ["b", 1],
      ]),
    );
    const res = await run(app, "reduce:wc", batch([["a", -2]]));
    assert.deepEqual(await rowsOf(res), [["a", 0]]);
    assert.equal((await app.request("/v1/state/wc?key=a")).status, 404);
    assert.deepEqual(await stateOf(app, "wc"), new Map([["b", 1]]));
  });

  it("applies a request retried with one Idempotency-Key once, with identical bodies", async () => {
    const app = await makeApp();
    const bodies: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await run(app, "split_words,reduce:wc", batch([["x y x", 1]]), {
        "idempotency-key": "req-42",
      });
      assert.equal(res.status, 200);
      bodies.push(Buffer.from(await res.arrayBuffer()).toString("hex"));
    }
    assert.equal(new Set(bodies).size, 1);
    assert.deepEqual(
      await stateOf(app, "wc"),
      new Map([
        ["x", 2],
        ["y", 1],
      ]),
    );
  });

  it("answers 409 conflict when an Idempotency-Key is reused with another body", async () => {
    const app = await makeApp();
    await run(app, "reduce:wc", batch([["x", 1]]), { "idempotency-key": "k" });
    const res = await run(app, "reduce:wc", batch([["x", 2]]), { "idempotency-key": "k" });
    assert.equal(res.status, 409);
    assert.equal((await problemOf(res)).type, "/problems/conflict");
    assert.deepEqual(await stateOf(app, "wc"), new Map([["x", 1]]));
  });

  it("leaves state untouched when a stage before the reduce fails", async () => {
    const app = await makeApp();
    await run(app, "reduce:wc", batch([["x", 1]]));
    assert.equal((await upload(app, "trap", fixtureWasm("trap"))).status, 201);
    const res = await run(app, "lowercase,trap,reduce:wc", batch([["x", 5]]));
    assert.equal(res.status, 422);
    assert.deepEqual(await stateOf(app, "wc"), new Map([["x", 1]]));
  });

  it("DELETE /v1/state/NAME drops the namespace (admin only)", async () => {
    const app = await makeApp();
    await run(app, "reduce:wc", batch([["x", 1]]));
    assert.equal((await app.request("/v1/state/wc", { method: "DELETE" })).status, 401);
    const res = await app.request("/v1/state/wc", {
      method: "DELETE",
      headers: { authorization: `Bearer ${ADMIN}` },
    });
    assert.equal(res.status, 204);
    assert.equal((await app.request("/v1/state/wc")).status, 404);
  });

  it("serves state as a columnar batch on request", async () => {
    const app = await makeApp();
    await run(app, "reduce:wc", batch([["x", 1]]));
    const res = await app.request("/v1/state/wc", { headers: { accept: "application/x-columnar" } });
    assert.equal(res.headers.get("columnar-schema"), "(String, i64)");
    assert.deepEqual(await rowsOf(res), [["x", 1]]);
  });
});

describe("Idempotency-Key across shards and chains (in-process app)", () => {
  // with 16 shards: a → 12, b → 5, c → 2, d → 3 (src/state/key-hash.ts)
  const key = { "idempotency-key": "K" };

  it("the same key with another body is a 409 before any shard is touched, whichever shards it reaches", async () => {
    const app = await makeApp();
    const first = batch([
      ["a", 1],
      ["b", 1],
    ]);
    assert.equal((await run(app, "reduce:hx", first, key)).status, 200);
    const held = new Map([
      ["a", 1],
      ["b", 1],
    ]);
    // shards the first body never reached
    const disjoint = await run(app, "reduce:hx", batch([["c", 100]]), key);
    assert.equal(disjoint.status, 409);
    assert.equal((await problemOf(disjoint)).type, "/problems/conflict");
    assert.deepEqual(await stateOf(app, "hx"), held);
    // one shard it reached, one it did not: neither is applied
    const overlapping = batch([
      ["b", 100],
      ["d", 100],
    ]);
    const res = await run(app, "reduce:hx", overlapping, key);
    assert.equal(res.status, 409);
    assert.deepEqual(await stateOf(app, "hx"), held);
    // the original request still replays, and applies nothing again
    const replay = await run(app, "reduce:hx", first, key);
    assert.deepEqual(await rowsOf(replay), [
      ["a", 1],
      ["b", 1],
    ]);
    assert.deepEqual(await stateOf(app, "hx"), held);
  });

  it("the same key with another chain is a 409 and runs nothing", async () => {
    const app = await makeApp();
    const body = batch([["a b", 1]]);
    assert.equal((await run(app, "split_words,reduce:hy", body, key)).status, 200);
    const res = await run(app, "split_words,reduce:hz", body, key);
    assert.equal(res.status, 409);
    assert.equal((await app.request("/v1/state/hz")).status, 404);
  });

  it("binds a key on a chain without a reduce stage too", async () => {
    const app = await makeApp();
    const headers = { "idempotency-key": "k2" };
    const first = await run(app, "split_words", batch([["a b", 1]]), headers);
    assert.equal(first.status, 200);
    const again = await run(app, "split_words", batch([["a b", 1]]), headers);
    assert.equal(again.status, 200);
    assert.deepEqual(await rowsOf(again), [
      ["a", 1],
      ["b", 1],
    ]);
    const other = await run(app, "split_words", batch([["c d", 1]]), headers);
    assert.equal(other.status, 409);
    // and on the empty chain
    assert.equal((await run(app, "", batch([["e", 1]]), { "idempotency-key": "k3" })).status, 200);
    assert.equal((await run(app, "", batch([["f", 1]]), { "idempotency-key": "k3" })).status, 409);
  });

  it("names the key as sent in the 409 detail", async () => {
    const app = await makeApp();
    const sent = 'req#7 "quoted"';
    await run(app, "reduce:hd", batch([["a", 1]]), { "idempotency-key": sent });
    const res = await run(app, "reduce:hd", batch([["a", 2]]), { "idempotency-key": sent });
    assert.equal(res.status, 409);
    const detail = String((await problemOf(res)).detail);
    assert.ok(detail.includes(`Idempotency-Key ${JSON.stringify(sent)} `), detail);
  });

  it("a retry spelled differently (Content-Type parameters, schema blanks) is the same request: replayed, applied once", async () => {
    const app = await makeApp();
    const body = batch([
      ["a", 1],
      ["b", 2],
    ]);
    const first = await run(app, "reduce:hc", body, key);
    assert.equal(first.status, 200);
    const answer = Buffer.from(await first.arrayBuffer()).toString("hex");
    const respellings: Record<string, string>[] = [
      { "content-type": "application/x-columnar; charset=utf-8" },
      { "content-type": "Application/X-Columnar" },
      { "columnar-schema": "(String,i64)" },
      { "columnar-format": "0.1" },
    ];
    for (const headers of respellings) {
      const res = await run(app, "reduce:hc", body, { ...key, ...headers });
      assert.equal(res.status, 200, JSON.stringify(headers));
      assert.equal(Buffer.from(await res.arrayBuffer()).toString("hex"), answer);
    }
    assert.equal((await run(app, " reduce:hc ", body, key)).status, 200);
    assert.deepEqual(
      await stateOf(app, "hc"),
      new Map([
        ["a", 1],
        ["b", 2],
      ]),
    );
  });
});
