// The HTTP front of the local Workers runtime (src/runtimes/http-front.node.ts), as `colwasm serve`
// and `npm start` run it (start-runtime.node.ts: real workerd behind it). Driven over raw sockets,
// because what it fixes is on the wire: workerd never answers `Expect: 100-continue`, so curl
// waited a second before sending each body over 1 MiB.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { type AddressInfo, connect, type Socket } from "node:net";
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

const SCHEMA = parseSchema("(String, i64)");
const ROWS: [string, number][] = [
  ["Hello World", 1],
  ["ÉTÉ", -2],
  ["", 3],
];

/** A raw HTTP/1.1 connection: what arrived so far, and a wait for more. */
interface Wire {
  readonly socket: Socket;
  received(): string;
  /** Resolves once `pattern` matches what arrived, or rejects after `ms`. */
  waitFor(pattern: RegExp, ms?: number): Promise<RegExpExecArray>;
}

async function open(url: string): Promise<Wire> {
  const { hostname, port } = new URL(url);
  const socket = connect({ host: hostname, port: Number(port) });
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  let text = "";
  let wake: () => void = () => {};
  socket.setEncoding("latin1").on("data", (chunk: string) => {
    text += chunk;
    wake();
  });
  socket.on("close", () => wake());
  return {
    socket,
    received: () => text,
    async waitFor(pattern, ms = 10_000) {
      const deadline = Date.now() + ms;
      for (;;) {
        const match = pattern.exec(text);
        if (match !== null) return match;
        if (Date.now() > deadline || socket.closed)
          throw new Error(`no ${pattern} within ${ms} ms; received:\n${text.slice(0, 2000)}`);
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 50);
        });
      }
    },
  };
}

/** The head of a POST /v1/run of a columnar `(String, i64)` body of `length` bytes. */
function runHead(chain: string, length: number, extra = ""): string {
  return (
    `POST /v1/run?chain=${chain} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-columnar\r\n` +
    `Columnar-Schema: (String, i64)\r\nContent-Length: ${length}\r\n${extra}\r\n`
  );
}

/** Status, headers and body bytes of the one complete answer at the start of `text` (Content-Length framed). */
function parseAnswer(text: string): { status: number; headers: Map<string, string>; body: Uint8Array } {
  const end = text.indexOf("\r\n\r\n");
  const [statusLine, ...lines] = text.slice(0, end).split("\r\n");
  const headers = new Map(
    lines.map((line) => [
      line.slice(0, line.indexOf(":")).toLowerCase(),
      line.slice(line.indexOf(":") + 1).trim(),
    ]),
  );
  const length = Number(headers.get("content-length"));
  return {
    status: Number(statusLine.split(" ")[1]),
    headers,
    body: Uint8Array.from(text.slice(end + 4, end + 4 + length), (c) => c.charCodeAt(0)),
  };
}

const finalAnswer =
  /HTTP\/1\.1 [2-5]\d\d [^\r]*\r\n(?:[^\r]+\r\n)*?content-length: (\d+)\r\n(?:[^\r]+\r\n)*\r\n/i;

/** Waits for one whole final (non-1xx) answer and returns it, skipping an interim 100 before it. */
async function readAnswer(wire: Wire, from = 0) {
  for (;;) {
    const rest = wire.received().slice(from);
    const match = finalAnswer.exec(rest);
    if (match !== null && rest.length >= match.index + match[0].length + Number(match[1])) {
      return {
        answer: parseAnswer(rest.slice(match.index)),
        end: from + match.index + match[0].length + Number(match[1]),
      };
    }
    await wire.waitFor(new RegExp(`[\\s\\S]{${wire.received().length + 1}}`));
  }
}

describe("the HTTP front of the local Workers runtime", { timeout: 120_000 }, () => {
  let runtime: LocalRuntime;
  let stateDir: string;
  const body = encodeBatch(rowsToColumn(SCHEMA, ROWS));
  // lowercase maps ASCII letters only
  const expected = ROWS.map(([text, diff]) => [text.replace(/[A-Z]/g, (c) => c.toLowerCase()), diff]);

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
    const wire = await open(runtime.url);
    wire.socket.write(runHead("lowercase", body.byteLength, "Expect: 100-continue\r\n"));
    // curl waits for this line (a second, then sends anyway); workerd alone never sends it
    await wire.waitFor(/^HTTP\/1\.1 100 Continue\r\n\r\n/, 5_000);
    wire.socket.write(body);
    const { answer } = await readAnswer(wire);
    assert.equal(answer.status, 200);
    assert.equal(answer.headers.get("columnar-schema"), "(String, i64)");
    assert.deepEqual(columnToRows(SCHEMA, decodeBatch(answer.body, SCHEMA).column), expected);
    wire.socket.destroy();
  });

  test("keeps the client's connection across an over-limit 413, a run and a GET", async () => {
    const wire = await open(runtime.url);
    // an over-limit body (413), then a good one and a GET, all on one connection
    const tooLarge = new Uint8Array(5000);
    wire.socket.write(runHead("lowercase", tooLarge.byteLength, "Expect: 100-continue\r\n"));
    await wire.waitFor(/^HTTP\/1\.1 100 Continue\r\n\r\n/, 5_000);
    wire.socket.write(tooLarge);
    const first = await readAnswer(wire);
    assert.equal(first.answer.status, 413);
    assert.equal(first.answer.headers.get("content-type"), "application/problem+json");
    assert.notEqual(first.answer.headers.get("connection"), "close");
    wire.socket.write(runHead("lowercase", body.byteLength));
    wire.socket.write(body);
    const second = await readAnswer(wire, first.end);
    assert.equal(second.answer.status, 200);
    assert.deepEqual(columnToRows(SCHEMA, decodeBatch(second.answer.body, SCHEMA).column), expected);
    wire.socket.write("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n");
    const third = await readAnswer(wire, second.end);
    assert.equal(third.answer.status, 200);
    assert.equal(new TextDecoder().decode(third.answer.body), "ok");
    wire.socket.destroy();
  });

  test("streams a chunked upload on, and serves on after a client that left mid-body", async () => {
    const gone = await open(runtime.url);
    gone.socket.write(runHead("lowercase", body.byteLength));
    gone.socket.write(body.subarray(0, 10));
    gone.socket.destroy();

    const wire = await open(runtime.url);
    wire.socket.write(
      `POST /v1/run?chain=lowercase HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-columnar\r\n` +
        `Columnar-Schema: (String, i64)\r\nTransfer-Encoding: chunked\r\n\r\n`,
    );
    for (const part of [body.subarray(0, 17), body.subarray(17)]) {
      wire.socket.write(`${part.byteLength.toString(16)}\r\n`);
      wire.socket.write(part);
      wire.socket.write("\r\n");
    }
    wire.socket.write("0\r\n\r\n");
    const { answer } = await readAnswer(wire);
    assert.equal(answer.status, 200);
    assert.deepEqual(columnToRows(SCHEMA, decodeBatch(answer.body, SCHEMA).column), expected);
    wire.socket.destroy();
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
