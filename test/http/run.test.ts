// POST /v1/run in-process through app.request(): chains, formats, NDJSON, headers and rejections.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { batch, fixtureWasm, makeApp, problemOf, rowsOf, run, SCHEMA, upload } from "./app-fixture.ts";

const rows = [
  ["Hello World", 1],
  ["", 2],
  ["The  Quick\tFox", -3],
];
const words = [
  ["hello", 1],
  ["world", 1],
  ["the", -3],
  ["quick", -3],
  ["fox", -3],
];

describe("POST /v1/run", () => {
  test("runs split_words,lowercase on a columnar batch and answers the exact bytes", async () => {
    const app = await makeApp();
    const res = await run(app, "split_words,lowercase", batch(rows));
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "application/x-columnar");
    assert.equal(res.headers.get("columnar-schema"), SCHEMA);
    assert.equal(res.headers.get("columnar-format"), "0.1");
    assert.deepEqual(new Uint8Array(await res.arrayBuffer()), batch(words));
  });

  test("reports Server-Timing per stage and Colwasm-Copied-Bytes as the sum of hop inputs", async () => {
    const app = await makeApp();
    const input = batch(rows);
    const res = await run(app, "split_words,lowercase", input);
    assert.equal(res.status, 200);
    const split = batch([
      ["Hello", 1],
      ["World", 1],
      ["The", -3],
      ["Quick", -3],
      ["Fox", -3],
    ]);
    assert.equal(res.headers.get("colwasm-copied-bytes"), String(input.length + split.length));
    const timing = (res.headers.get("server-timing") ?? "").split(", ").map((e) => e.split(";")[0]);
    assert.deepEqual(timing, ["decode", "s0-split_words", "s1-lowercase", "encode"]);
    assert.match(res.headers.get("server-timing") ?? "", /s0-split_words;dur=[0-9.]+;desc="split_words"/);
  });

  test("takes NDJSON rows and answers NDJSON when asked", async () => {
    const app = await makeApp();
    const body = rows.map((r) => JSON.stringify(r)).join("\n") + "\n";
    const res = await run(app, "split_words,lowercase", body, {
      "content-type": "application/x-ndjson",
      accept: "application/x-ndjson",
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "application/x-ndjson");
    assert.equal(await res.text(), words.map((w) => JSON.stringify(w) + "\n").join(""));
  });

  test("an NDJSON body that is one JSON array of rows is a 400 that says so", async () => {
    const app = await makeApp();
    const res = await run(app, "split_words", JSON.stringify(rows), {
      "content-type": "application/x-ndjson",
    });
    assert.equal(res.status, 400);
    const p = await problemOf(res);
    assert.equal(p.type, "/problems/bad-batch");
    assert.match(
      String(p.detail),
      /the body looks like one JSON array of 3 rows, but NDJSON is one row per line$/,
    );
    // a single row that merely fails its schema gets no such hint
    const plain = await run(app, "split_words", '["a", "b"]\n', { "content-type": "application/x-ndjson" });
    assert.doesNotMatch(String((await problemOf(plain)).detail), /JSON array/);
  });

  test("answers format 0.12 to a format 0.12 request", async () => {
    const app = await makeApp();
    const res = await run(app, "split_words,lowercase", batch(rows, { format: "0.12" }), {
      "columnar-format": "0.12",
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("columnar-format"), "0.12");
    assert.deepEqual(new Uint8Array(await res.arrayBuffer()), batch(words, { format: "0.12" }));
  });

  test("an empty chain converts NDJSON to columnar", async () => {
    const app = await makeApp();
    const body = rows.map((r) => JSON.stringify(r)).join("\n");
    const res = await run(app, "", body, {
      "content-type": "application/x-ndjson",
      "columnar-format": "0.12",
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("colwasm-copied-bytes"), "0");
    assert.deepEqual(new Uint8Array(await res.arrayBuffer()), batch(rows, { format: "0.12" }));
  });

  test("an empty chain validates and re-encodes a columnar batch", async () => {
    const app = await makeApp();
    const res = await run(app, "", batch(rows), { "columnar-schema": "{ a : String , b : i64 , }" });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("columnar-schema"), "{a: String, b: i64}");
    assert.deepEqual(await rowsOf(res), [
      { a: "Hello World", b: 1 },
      { a: "", b: 2 },
      { a: "The  Quick\tFox", b: -3 },
    ]);
  });

  test("rejects a chain that does not type-check with 422 chain-type-mismatch naming the stage", async () => {
    const app = await makeApp();
    const res = await run(app, "identity", batch([[1]], { schema: "(u64,)" }), {
      "columnar-schema": "(u64,)",
    });
    assert.equal(res.status, 422);
    const p = await problemOf(res);
    assert.equal(p.type, "/problems/chain-type-mismatch");
    assert.equal(p.stage, 0);
    assert.equal(p.operator, "identity");
    assert.equal(p.expected, SCHEMA);
    assert.equal(p.actual, "(u64,)");
  });

  test("rejects an unknown operator with 404 unknown-operator", async () => {
    const app = await makeApp();
    const res = await run(app, "split_words,nope", batch(rows));
    assert.equal(res.status, 404);
    const p = await problemOf(res);
    assert.equal(p.type, "/problems/unknown-operator");
    assert.equal(p.operator, "nope");
    assert.doesNotMatch(String(p.detail), /did you mean/);
  });

  test("names the built-in a mistyped operator name is nearest to", async () => {
    const app = await makeApp();
    const res = await run(app, "split_word,lowercase", batch(rows));
    assert.equal(res.status, 404);
    const p = await problemOf(res);
    assert.equal(p.operator, "split_word");
    assert.match(String(p.detail), /neither built in nor uploaded \(did you mean "split_words"\?\)$/);
  });

  test("rejects a garbage body with 400 bad-batch and its rule", async () => {
    const app = await makeApp();
    const res = await run(app, "split_words", Uint8Array.of(1, 2, 3));
    assert.equal(res.status, 400);
    const p = await problemOf(res);
    assert.equal(p.type, "/problems/bad-batch");
    assert.equal(typeof p.rule, "string");
    assert.equal(p.status, 400);
  });

  test("names the slice of a bad-batch rejection", async () => {
    const app = await makeApp();
    const body = batch(rows);
    new DataView(body.buffer).setBigUint64(8, 999n, true); // first string bound past the bytes
    const res = await run(app, "", body);
    assert.equal(res.status, 400);
    const p = await problemOf(res);
    assert.equal(p.type, "/problems/bad-batch");
    assert.equal(typeof p.slice, "string");
  });

  test("rejects a missing Columnar-Schema with 400 bad-request rule schema-missing", async () => {
    const app = await makeApp();
    const res = await app.request("/v1/run?chain=", {
      method: "POST",
      body: batch(rows),
      headers: { "content-type": "application/x-columnar" },
    });
    assert.equal(res.status, 400);
    const p = await problemOf(res);
    assert.equal(p.type, "/problems/bad-request");
    assert.equal(p.rule, "schema-missing");
  });

  test("rejects an unparsable Columnar-Schema with 400 bad-schema and its offset", async () => {
    const app = await makeApp();
    const res = await run(app, "", batch(rows), { "columnar-schema": "(String, i65)" });
    assert.equal(res.status, 400);
    const p = await problemOf(res);
    assert.equal(p.type, "/problems/bad-schema");
    assert.equal(typeof p.offset, "number");
  });

  test("rejects an unsupported Columnar-Format with 400 bad-request rule unsupported-format", async () => {
    const app = await makeApp();
    const res = await run(app, "", batch(rows), { "columnar-format": "0.2" });
    assert.equal(res.status, 400);
    const p = await problemOf(res);
    assert.equal(p.type, "/problems/bad-request");
    assert.equal(p.rule, "unsupported-format");
  });

  test("rejects a missing chain parameter with 400 bad-request listing zod issues", async () => {
    const app = await makeApp();
    const res = await app.request("/v1/run", {
      method: "POST",
      body: batch(rows),
      headers: { "content-type": "application/x-columnar", "columnar-schema": SCHEMA },
    });
    assert.equal(res.status, 400);
    const p = await problemOf(res);
    assert.equal(p.type, "/problems/bad-request");
    assert.ok(Array.isArray(p.issues));
  });

  test("rejects more stages than the limit with 400 bad-request", async () => {
    const app = await makeApp({ limits: { maxStages: 2 } });
    const res = await run(app, "identity,identity,identity", batch(rows));
    assert.equal(res.status, 400);
    assert.equal((await problemOf(res)).type, "/problems/bad-request");
  });

  test("rejects other media types with 415", async () => {
    const app = await makeApp();
    const res = await run(app, "", batch(rows), { "content-type": "application/octet-stream" });
    assert.equal(res.status, 415);
    assert.equal((await problemOf(res)).type, "/problems/unsupported-media-type");
  });

  test("rejects a body over the limit with 413 too-large", async () => {
    const app = await makeApp({ limits: { maxBodyBytes: 64 } });
    const res = await run(app, "", batch(rows));
    assert.equal(res.status, 413);
    assert.equal((await problemOf(res)).type, "/problems/too-large");
  });

  test("needs the run token when one is configured", async () => {
    const app = await makeApp({ auth: { adminToken: "a", runToken: "r" } });
    const missing = await run(app, "", batch(rows));
    assert.equal(missing.status, 401);
    assert.equal((await problemOf(missing)).type, "/problems/unauthorized");
    assert.ok(missing.headers.get("www-authenticate")?.startsWith("Bearer"));
    const wrong = await run(app, "", batch(rows), { authorization: "Bearer x" });
    assert.equal(wrong.status, 401);
    assert.equal((await run(app, "", batch(rows), { authorization: "Bearer r" })).status, 200);
    assert.equal((await run(app, "", batch(rows), { authorization: "Bearer a" })).status, 200);
  });

  test("answers 422 operator-failed reason trap for a trapping operator, then serves the next request", async () => {
    const app = await makeApp();
    assert.equal((await upload(app, "trap", fixtureWasm("trap"))).status, 201);
    const res = await run(app, "split_words,trap", batch(rows));
    assert.equal(res.status, 422);
    const p = await problemOf(res);
    assert.equal(p.type, "/problems/operator-failed");
    assert.equal(p.operator, "trap");
    assert.equal(p.reason, "trap");
    assert.equal(p.stage, 1);
    const next = await run(app, "split_words,lowercase", batch(rows));
    assert.equal(next.status, 200);
    assert.deepEqual(await rowsOf(next), words);
  });

  for (const [fixture, reason] of [
    ["act_zero", "error"],
    ["oob_output", "invalid-output"],
    ["garbage_output", "invalid-output"],
    ["huge_length", "invalid-output"],
    ["memory_bomb", "memory"],
  ] as const) {
    test(`answers 422 operator-failed reason ${reason} for the ${fixture} fixture`, async () => {
      const app = await makeApp({
        limits: { operator: { deadlineMs: 2000, maxMemoryPages: 1024, maxOutputBytes: 1 << 20 } },
      });
      assert.equal((await upload(app, fixture, fixtureWasm(fixture))).status, 201);
      const res = await run(app, fixture, batch(rows));
      assert.equal(res.status, 422);
      const p = await problemOf(res);
      assert.equal(p.type, "/problems/operator-failed");
      assert.equal(p.operator, fixture);
      assert.equal(p.reason, reason);
      assert.equal((await run(app, "identity", batch(rows))).status, 200);
    });
  }

  test("keeps concurrent runs of the same operator apart", async () => {
    const app = await makeApp();
    const inputs = Array.from({ length: 8 }, (_, k) => [[`Word${k} Other${k}`, k]]);
    const answers = await Promise.all(inputs.map((r) => run(app, "split_words,lowercase", batch(r))));
    for (const [k, res] of answers.entries()) {
      assert.deepEqual(await rowsOf(res), [
        [`word${k}`, k],
        [`other${k}`, k],
      ]);
    }
  });

  test("runs the same operator twice in one chain", async () => {
    const app = await makeApp();
    const res = await run(app, "split_words,split_words,lowercase,lowercase", batch(rows));
    assert.equal(res.status, 200);
    assert.deepEqual(await rowsOf(res), words);
  });
});
