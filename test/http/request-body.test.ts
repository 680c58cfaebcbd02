// requestBody (src/http/request-body.ts) in-process: bodies streamed without Content-Length are
// counted; past the limit the rest is read and dropped (so the client can read its 413) up to a
// cap, then cancelled; a body whose read fails is a 400 `body-unreadable`, never a 500; a body
// nothing reads is left untouched.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { batch, makeApp, operatorWasm, problemOf, rowsOf, SCHEMA } from "./app-fixture.ts";

/** A body stream of `chunks`, then an error when `failWith` is given; counts what was pulled. */
function streamOf(
  chunks: Uint8Array[],
  failWith?: Error,
): { body: ReadableStream<Uint8Array>; pulled: () => number } {
  let next = 0;
  let pulled = 0;
  const body = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (next < chunks.length) {
          pulled += chunks[next].byteLength;
          controller.enqueue(chunks[next++]);
        } else if (failWith !== undefined) controller.error(failWith);
        else controller.close();
      },
    },
    { highWaterMark: 0 },
  );
  return { body, pulled: () => pulled };
}

function send(
  app: Awaited<ReturnType<typeof makeApp>>,
  method: string,
  path: string,
  body: ReadableStream<Uint8Array>,
  headers: Record<string, string>,
) {
  return Promise.resolve(app.request(path, { method, body, headers, duplex: "half" } as RequestInit));
}

const post = (
  app: Awaited<ReturnType<typeof makeApp>>,
  path: string,
  body: ReadableStream<Uint8Array>,
  headers: Record<string, string>,
) => send(app, "POST", path, body, headers);

const runHeaders = { "content-type": "application/x-columnar", "columnar-schema": SCHEMA };

describe("request bodies (requestBody)", () => {
  test("a streamed body under the limit runs, in chunks of any size", async () => {
    const app = await makeApp();
    const whole = batch([["Hello World", 1]]);
    const chunks = Array.from({ length: Math.ceil(whole.byteLength / 3) }, (_, i) =>
      whole.slice(i * 3, i * 3 + 3),
    );
    const res = await post(app, "/v1/run?chain=split_words,lowercase", streamOf(chunks).body, runHeaders);
    assert.equal(res.status, 200);
    assert.deepEqual(await rowsOf(res), [
      ["hello", 1],
      ["world", 1],
    ]);
  });

  test("a streamed body over the limit is 413; the rest is read and dropped, so the client can read the answer", async () => {
    const app = await makeApp({ limits: { maxBodyBytes: 64 * 1024 } });
    const chunk = new Uint8Array(16 * 1024);
    const sent = streamOf(Array.from({ length: 64 }, () => chunk)); // 1 MiB: under the 32 MiB drop cap
    const res = await post(app, "/v1/run?chain=identity", sent.body, runHeaders);
    const problem = await problemOf(res);
    assert.equal(res.status, 413);
    assert.equal(problem.type, "/problems/too-large");
    assert.equal(problem.limitBytes, 64 * 1024);
    assert.equal(sent.pulled(), 64 * chunk.byteLength, "read to its end");
  });

  test("past the drop cap (twice the limit, at least 32 MiB) the body is cancelled instead", async () => {
    const app = await makeApp({ limits: { maxBodyBytes: 64 * 1024 } });
    const chunk = new Uint8Array(1 << 20);
    let cancelled = false;
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          pulled += chunk.byteLength;
          controller.enqueue(chunk);
        },
        cancel() {
          cancelled = true;
        },
      },
      { highWaterMark: 0 },
    ); // endless
    const res = await post(app, "/v1/run?chain=identity", body, runHeaders);
    assert.equal(res.status, 413);
    assert.equal(cancelled, true);
    assert.ok(pulled > 32 << 20 && pulled < 40 << 20, `read ${pulled} bytes`);
  });

  test("a Content-Length over the limit is 413 before any byte is read", async () => {
    const app = await makeApp({ limits: { maxBodyBytes: 1000 } });
    const sent = streamOf([new Uint8Array(2000)]);
    const res = await post(app, "/v1/run?chain=identity", sent.body, {
      ...runHeaders,
      "content-length": "2000",
    });
    assert.equal(res.status, 413);
    assert.equal(sent.pulled(), 0);
  });

  test("a body whose read fails is a 400 body-unreadable naming the failure, for runs small and large and for uploads", async () => {
    const app = await makeApp({ limits: { maxBodyBytes: 1 << 20 } });
    for (const [length, announced] of [
      [100, "200"],
      [200_000, "300000"],
      [100, undefined],
    ] as const) {
      const sent = streamOf([new Uint8Array(length)], new Error("connection reset by peer"));
      const headers: Record<string, string> = { ...runHeaders };
      if (announced !== undefined) headers["content-length"] = announced;
      const res = await post(app, "/v1/run?chain=identity", sent.body, headers);
      const problem = await problemOf(res);
      assert.equal(res.status, 400, JSON.stringify(problem));
      assert.equal(problem.type, "/problems/bad-request");
      assert.equal(problem.rule, "body-unreadable");
      assert.match(String(problem.detail), /connection reset by peer/);
    }
    const sent = streamOf([operatorWasm("identity").slice(0, 50)], new Error("gone"));
    const res = await send(app, "PUT", "/v1/operators/half", sent.body, {
      "content-type": "application/wasm",
      authorization: "Bearer admin-secret",
    });
    assert.equal(res.status, 400);
    assert.equal((await problemOf(res)).rule, "body-unreadable");
    const ok = await Promise.resolve(
      app.request("/v1/run?chain=identity", { method: "POST", body: batch([["a", 1]]), headers: runHeaders }),
    );
    assert.deepEqual(await rowsOf(ok), [["a", 1]]);
  });

  test("a body nothing reads (an early 4xx) is left untouched for the runtime to drain", async () => {
    const app = await makeApp();
    const sent = streamOf([batch([["a", 1]])]);
    // no chain parameter: a 400 before the route reads anything
    const request = new Request("http://x/v1/run", {
      method: "POST",
      body: sent.body,
      headers: runHeaders,
      duplex: "half",
    } as RequestInit);
    const res = await app.fetch(request);
    assert.equal(res.status, 400);
    assert.equal(sent.pulled(), 0);
    assert.equal(request.bodyUsed, false);
    assert.equal(request.body?.locked, false);
  });

  test("a body that stops arriving is a 408 request-timeout after the idle time, and is cancelled", async () => {
    const app = await makeApp({ limits: { bodyIdleMs: 200 } });
    let cancelled = false;
    let sent = false;
    const stalled = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          if (!sent) {
            sent = true;
            controller.enqueue(batch([["a", 1]]).subarray(0, 10));
          }
          return new Promise(() => {}); // never sends more
        },
        cancel() {
          cancelled = true;
        },
      },
      { highWaterMark: 0 },
    );
    const started = Date.now();
    const res = await post(app, "/v1/run?chain=identity", stalled, runHeaders);
    const problem = await problemOf(res);
    assert.equal(res.status, 408);
    assert.equal(problem.type, "/problems/request-timeout");
    assert.equal(problem.rule, "body-idle");
    assert.equal(problem.idleMs, 200);
    assert.ok(Date.now() - started < 5_000);
    assert.equal(cancelled, true);
  });

  test("a body over the limit that then stalls is answered 413 after the idle time, not held", async () => {
    const app = await makeApp({ limits: { maxBodyBytes: 1000, bodyIdleMs: 200 } });
    let cancelled = false;
    let sent = 0;
    const stalling = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          if (sent++ < 2) return controller.enqueue(new Uint8Array(800));
          return new Promise(() => {}); // past the limit, then nothing
        },
        cancel() {
          cancelled = true;
        },
      },
      { highWaterMark: 0 },
    );
    const res = await post(app, "/v1/run?chain=identity", stalling, runHeaders);
    assert.equal(res.status, 413);
    assert.equal(cancelled, true);
  });
});
