// Request bodies with a Content-Encoding (RFC 9110 §8.4): gzip and deflate batches, NDJSON and
// modules are decoded on entry; the body limit counts decoded bytes; a corrupt stream is a 400 and
// an unknown coding a 415 with Accept-Encoding. In-process (app.request); both runtimes run the same
// checks in test/runtimes/runtime-contract.ts.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { deflateSync, gzipSync } from "node:zlib";
import { batch, makeApp, operatorWasm, problemOf, rowsOf, run, SCHEMA, upload } from "./app-fixture.ts";

const rows = [
  ["Hello World", 1],
  ["", 2],
];
const words = [
  ["hello", 1],
  ["world", 1],
];
const bytes = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

describe("Content-Encoding of request bodies", () => {
  for (const [coding, encode] of [
    ["gzip", gzipSync],
    ["x-gzip", gzipSync],
    ["deflate", deflateSync],
    ["GZip", gzipSync],
  ] as const) {
    test(`a columnar batch sent as ${coding} runs like the plain one`, async () => {
      const app = await makeApp();
      const res = await run(app, "split_words,lowercase", bytes(encode(batch(rows))), {
        "content-encoding": coding,
      });
      assert.equal(res.status, 200);
      assert.deepEqual(await rowsOf(res), words);
      // the copy count is of the decoded batch: one hop input per stage
      const plain = await run(app, "split_words,lowercase", batch(rows));
      assert.equal(res.headers.get("colwasm-copied-bytes"), plain.headers.get("colwasm-copied-bytes"));
    });
  }

  test("a large gzip batch (read into a WASM arena) runs like the plain one", async () => {
    const app = await makeApp({ limits: { maxBodyBytes: 8 << 20 } });
    const many = Array.from({ length: 20_000 }, (_, i) => [`Word${i} other`, i]);
    const body = batch(many);
    const res = await run(app, "lowercase", bytes(gzipSync(body)), { "content-encoding": "gzip" });
    assert.equal(res.status, 200);
    const plain = await run(app, "lowercase", body);
    assert.deepEqual(new Uint8Array(await res.arrayBuffer()), new Uint8Array(await plain.arrayBuffer()));
  });

  test("codings applied in turn are decoded last first, identity ignored", async () => {
    const app = await makeApp();
    const body = bytes(gzipSync(deflateSync(batch(rows))));
    const res = await run(app, "split_words,lowercase", body, {
      "content-encoding": "deflate, identity, gzip",
    });
    assert.equal(res.status, 200);
    assert.deepEqual(await rowsOf(res), words);
  });

  test("NDJSON rows sent gzip are decoded, then converted", async () => {
    const app = await makeApp();
    const ndjson = rows.map((r) => JSON.stringify(r)).join("\n") + "\n";
    const res = await run(app, "split_words,lowercase", bytes(gzipSync(ndjson)), {
      "content-type": "application/x-ndjson",
      "content-encoding": "gzip",
    });
    assert.equal(res.status, 200);
    assert.deepEqual(await rowsOf(res), words);
  });

  test("a module uploaded gzip is stored and runs", async () => {
    const app = await makeApp();
    const res = await upload(app, "zipped", bytes(gzipSync(operatorWasm("lowercase"))), {
      "content-encoding": "gzip",
    });
    assert.equal(res.status, 201);
    const entry = (await res.json()) as { size: number };
    assert.equal(entry.size, operatorWasm("lowercase").byteLength);
    const ran = await run(app, "zipped", batch([["ABC", 1]]));
    assert.deepEqual(await rowsOf(ran), [["abc", 1]]);
  });

  test("the body limit counts decoded bytes: a small body that inflates past it is a 413", async () => {
    const app = await makeApp({ limits: { maxBodyBytes: 64 * 1024 } });
    const bomb = bytes(gzipSync(new Uint8Array(4 << 20)));
    assert.ok(bomb.byteLength < 64 * 1024);
    const res = await run(app, "lowercase", bomb, { "content-encoding": "gzip" });
    const problem = await problemOf(res);
    assert.equal(res.status, 413);
    assert.equal(problem.type, "/problems/too-large");
    assert.equal(problem.limitBytes, 64 * 1024);
  });

  test("a corrupt gzip body is a 400 bad-request with rule content-encoding, and the app keeps serving", async () => {
    const app = await makeApp();
    const zipped = bytes(gzipSync(batch(rows)));
    const corrupt = zipped.slice();
    corrupt.fill(0xff, 10, 30);
    for (const body of [
      corrupt,
      zipped.subarray(0, zipped.byteLength - 12),
      new TextEncoder().encode("not gzip"),
    ]) {
      const res = await run(app, "lowercase", body, { "content-encoding": "gzip" });
      const problem = await problemOf(res);
      assert.equal(res.status, 400);
      assert.equal(problem.type, "/problems/bad-request");
      assert.equal(problem.rule, "content-encoding");
    }
    const ok = await run(app, "split_words,lowercase", batch(rows));
    assert.deepEqual(await rowsOf(ok), words);
  });

  test("an unsupported coding is a 415 naming it, with Accept-Encoding, before the chain runs", async () => {
    const app = await makeApp();
    for (const coding of ["br", "zstd", "gzip, compress"]) {
      const res = await run(app, "lowercase", batch(rows), { "content-encoding": coding });
      const problem = await problemOf(res);
      assert.equal(res.status, 415);
      assert.equal(problem.type, "/problems/unsupported-media-type");
      assert.equal(problem.contentEncoding, coding.split(", ").at(-1));
      assert.equal(res.headers.get("accept-encoding"), "gzip, deflate");
    }
    const res = await upload(app, "x", operatorWasm("lowercase"), { "content-encoding": "br" });
    assert.equal(res.status, 415);
    assert.equal(res.headers.get("accept-encoding"), "gzip, deflate");
  });

  test("identity alone changes nothing", async () => {
    const app = await makeApp();
    const res = await run(app, "split_words,lowercase", batch(rows), { "content-encoding": "identity" });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("columnar-schema"), SCHEMA);
    assert.deepEqual(await rowsOf(res), words);
  });
});
