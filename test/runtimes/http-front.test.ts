// The HTTP front of the local Workers runtime (src/runtimes/http-front.node.ts), as `colwasm serve`
// and `npm start` run it (start-runtime.node.ts: real workerd behind it). Driven over raw sockets,
// because what it fixes is on the wire: workerd never answers `Expect: 100-continue`, so curl
// waited a second before sending each body over 1 MiB.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtemp, rm } from "node:fs/promises";
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
import { endToEndHeaders, startHttpFront } from "../../src/runtimes/http-front.node.ts";
import { type LocalRuntime, startRuntime } from "../../src/runtimes/start-runtime.node.ts";
import { buildWorker } from "../reliability/runtimes.ts";
import { closedPort } from "../support/closed-port.ts";
import { chunk, RawConnection } from "../support/raw-http.ts";

const SCHEMA = parseSchema("(String, i64)");
const ROWS: [string, number][] = [
  ["Hello World", 1],
  ["ÉTÉ", -2],
  ["", 3],
];

/** The head of a POST /v1/run of a columnar `(String, i64)` body of `length` bytes. */
function runHead(chain: string, length: number, extra = ""): string {
  return (
    `POST /v1/run?chain=${chain} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-columnar\r\n` +
    `Columnar-Schema: (String, i64)\r\nContent-Length: ${length}\r\n${extra}\r\n`
  );
}

describe("the HTTP front of the local Workers runtime", { timeout: 120_000 }, () => {
  let runtime: LocalRuntime;
  let stateDir: string;
  const body = encodeBatch(rowsToColumn(SCHEMA, ROWS));
  // lowercase maps ASCII letters only
  const expected = ROWS.map(([text, diff]) => [text.replace(/[A-Z]/g, (c) => c.toLowerCase()), diff]);
  const rowsOf = (bytes: Uint8Array) => columnToRows(SCHEMA, decodeBatch(bytes, SCHEMA).column);

  before(async () => {
    stateDir = await mkdtemp(join(tmpdir(), "colwasm-front-"));
    runtime = await startRuntime({
      runtime: "workers",
      port: 0,
      stateDir,
      vars: { COLWASM_MAX_BODY_BYTES: "4096" },
      bundleDir: buildWorker("worker-front"),
    });
  });

  after(async () => {
    await runtime?.stop();
    if (stateDir !== undefined) await rm(stateDir, { recursive: true, force: true });
  });

  test("answers Expect: 100-continue before the body is sent, then runs the chain on it", async () => {
    const wire = await RawConnection.open(runtime.url);
    await wire.write(runHead("lowercase", body.byteLength, "Expect: 100-continue\r\n"));
    // curl waits for this line (a second, then sends anyway); workerd alone never sends it
    assert.equal((await wire.next(5_000)).status, 100);
    await wire.write(body);
    const answer = await wire.response();
    assert.equal(answer.status, 200);
    assert.equal(answer.headers.get("columnar-schema"), "(String, i64)");
    assert.deepEqual(rowsOf(answer.bytes), expected);
    wire.destroy();
  });

  test("keeps the client's connection across an over-limit 413, a run and a GET", async () => {
    const wire = await RawConnection.open(runtime.url);
    const tooLarge = new Uint8Array(5000);
    await wire.write(runHead("lowercase", tooLarge.byteLength, "Expect: 100-continue\r\n"));
    assert.equal((await wire.next(5_000)).status, 100);
    await wire.write(tooLarge);
    const first = await wire.response();
    assert.equal(first.status, 413);
    assert.equal(first.headers.get("content-type"), "application/problem+json");
    assert.notEqual(first.headers.get("connection"), "close");
    await wire.write(runHead("lowercase", body.byteLength));
    await wire.write(body);
    const second = await wire.response();
    assert.equal(second.status, 200);
    assert.deepEqual(rowsOf(second.bytes), expected);
    await wire.write("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n");
    const third = await wire.response();
    assert.equal(third.status, 200);
    assert.equal(third.body, "ok");
    wire.destroy();
  });

  test("streams a chunked upload on, and serves on after a client that left mid-body", async () => {
    const gone = await RawConnection.open(runtime.url);
    await gone.write(runHead("lowercase", body.byteLength));
    await gone.write(body.subarray(0, 10));
    gone.destroy();

    const wire = await RawConnection.open(runtime.url);
    await wire.write(
      `POST /v1/run?chain=lowercase HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-columnar\r\n` +
        `Columnar-Schema: (String, i64)\r\nTransfer-Encoding: chunked\r\n\r\n`,
    );
    for (const part of [body.subarray(0, 17), body.subarray(17)]) await wire.write(chunk(part));
    await wire.write("0\r\n\r\n");
    const answer = await wire.response();
    assert.equal(answer.status, 200);
    assert.deepEqual(rowsOf(answer.bytes), expected);
    wire.destroy();
  });
});

describe("the HTTP front on its own", () => {
  test("forwards end-to-end fields only (RFC 9110 §7.6.1), with those Connection names", () => {
    const raw = [
      "Host",
      "a",
      "Connection",
      "keep-alive, X-Hop",
      "X-Hop",
      "1",
      "Keep-Alive",
      "timeout=5",
      "Transfer-Encoding",
      "chunked",
      "Expect",
      "100-continue",
      "TE",
      "trailers",
      "Columnar-Schema",
      "(u8)",
    ];
    assert.deepEqual(endToEndHeaders(raw), ["Host", "a", "Columnar-Schema", "(u8)"]);
  });

  test("sends an idempotent bodiless request again when a kept-alive upstream connection was closed, never a POST", async () => {
    // an upstream that resets every connection on its second request, as workerd did after a long one
    const served = new WeakSet<object>();
    const upstream = createServer((req, res) => {
      if (served.has(req.socket)) {
        req.socket.destroy();
        return;
      }
      served.add(req.socket);
      req.resume();
      req.on("end", () => res.end(`${req.method} ok`));
    });
    await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
    const { port } = upstream.address() as AddressInfo;
    const front = await startHttpFront({ upstream: `http://127.0.0.1:${port}`, port: 0, host: "127.0.0.1" });
    try {
      const first = await fetch(`${front.url}/healthz`);
      assert.equal(await first.text(), "GET ok");
      const again = await fetch(`${front.url}/healthz`);
      assert.equal(again.status, 200);
      assert.equal(await again.text(), "GET ok");
      const posted = await fetch(`${front.url}/v1/run`, { method: "POST", body: "x" });
      assert.equal(posted.status, 503, "a body went on in part: not sent twice");
      assert.equal(((await posted.json()) as { type: string }).type, "/problems/unavailable");
      // a POST without a body is no idempotent request either: on a reused connection, not resent
      assert.equal(await (await fetch(`${front.url}/healthz`)).text(), "GET ok");
      const bare = await fetch(`${front.url}/v1/run`, { method: "POST" });
      assert.equal(bare.status, 503, "a POST is not sent twice");
      // DELETE is idempotent: resent (the GET leaves a kept-alive connection the DELETE meets closed)
      assert.equal(await (await fetch(`${front.url}/healthz`)).text(), "GET ok");
      assert.equal(await (await fetch(`${front.url}/x`, { method: "DELETE" })).text(), "DELETE ok");
    } finally {
      await front.close();
      await new Promise<void>((resolve) => upstream.close(() => resolve()));
    }
  });

  test("answers 503 problem+json when the runtime behind it does not answer", async () => {
    const front = await startHttpFront({
      upstream: `http://127.0.0.1:${await closedPort()}`,
      port: 0,
      host: "127.0.0.1",
    });
    try {
      const res = await fetch(`${front.url}/healthz`);
      assert.equal(res.status, 503);
      assert.equal(res.headers.get("content-type"), "application/problem+json");
      const problem = (await res.json()) as { type: string; status: number; detail: string };
      assert.equal(problem.type, "/problems/unavailable");
      assert.equal(problem.status, 503);
      assert.match(problem.detail, /workerd\) did not answer: .*ECONNREFUSED/);
    } finally {
      await front.close();
    }
  });
});
