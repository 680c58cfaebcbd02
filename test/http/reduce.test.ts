// `reduce:` through the HTTP app with the memory store: wordcount against a plain-JS reference,
// state routes, Idempotency-Key replays and conflicts, nothing applied when an earlier stage fails.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
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
