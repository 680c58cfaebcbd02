// ColwasmClient against small local HTTP servers that misbehave the way networks do: an answer cut
// short after its headers (a ColwasmConnectionError, retried under an Idempotency-Key like a failure
// before the headers, never without one), a caller's abort or timeout (rejected with the signal's
// reason before the headers, during the body and during a retry's wait, and never retried), every
// method taking a signal, 429 as a retryable `unavailable`, and Deno's connection errors classified.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { after, describe, test } from "node:test";
import {
  ColwasmClient,
  ColwasmClientError,
  ColwasmConnectionError,
  encodeBatch,
} from "../../src/client/index.ts";
import { columnToRows } from "../../src/columnar/index.ts";
import { ColwasmError } from "../../src/error.ts";
import { colwasm, isOneLine, ROOT } from "./colwasm-process.ts";
import { closedPort } from "../support/closed-port.ts";

const SCHEMA = "(String, i64)";
const ANSWER = encodeBatch(SCHEMA, [["a", 1]]).bytes;
const BATCH = encodeBatch(SCHEMA, [["a", 1]]);

interface LocalServer {
  readonly url: string;
  /** Requests received, in order, with their Idempotency-Key ("" when absent). */
  readonly keys: string[];
  close(): Promise<void>;
}

type Handler = (req: IncomingMessage, res: ServerResponse, index: number) => void;

const servers: LocalServer[] = [];

/** An HTTP server on a free local port answering with `handler` (the request's index passed). */
async function serve(handler: Handler): Promise<LocalServer> {
  const keys: string[] = [];
  const server = createServer((req, res) => {
    const index = keys.length;
    keys.push(String(req.headers["idempotency-key"] ?? ""));
    req.resume();
    handler(req, res, index);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  const local: LocalServer = {
    url: `http://127.0.0.1:${address.port}`,
    keys,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  servers.push(local);
  return local;
}

/** 200 with `content-length: 64`, 8 bytes of body, then the socket destroyed. */
function cutShort(res: ServerResponse, contentType = "application/x-columnar"): void {
  res.writeHead(200, {
    "content-type": contentType,
    "content-length": "64",
    "columnar-schema": SCHEMA,
    "columnar-format": "0.1",
  });
  res.write(Buffer.from('["a",1]\n'), () => res.socket?.destroy());
}

/** A whole, valid answer of `POST /v1/run`. */
function runAnswer(res: ServerResponse): void {
  res.writeHead(200, {
    "content-type": "application/x-columnar",
    "content-length": String(ANSWER.byteLength),
    "columnar-schema": SCHEMA,
    "columnar-format": "0.1",
  });
  res.end(ANSWER);
}

/** Headers and part of a body, then nothing (the connection stays open). */
function stallInBody(res: ServerResponse): void {
  res.writeHead(200, { "content-type": "application/json", "content-length": "64" });
  res.write("[");
}

const isConnectionError =
  (duringBody: boolean) =>
  (error: unknown): boolean =>
    error instanceof ColwasmConnectionError &&
    error.type === "unavailable" &&
    error.duringBody === duringBody;

const isDomException =
  (name: "AbortError" | "TimeoutError") =>
  (error: unknown): boolean =>
    error instanceof DOMException && error.name === name;

after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

describe("an answer cut short after its headers", { timeout: 20_000 }, () => {
  test("run, state, operators and operator reject with a ColwasmConnectionError", async () => {
    const server = await serve((_req, res) => cutShort(res));
    const client = new ColwasmClient(server.url);
    await assert.rejects(client.run("x", BATCH), isConnectionError(true));
    await assert.rejects(client.state("wc"), isConnectionError(true));
    await assert.rejects(client.operators(), isConnectionError(true));
    await assert.rejects(client.operator("x"), isConnectionError(true));
    await assert.rejects(
      client.pushOperator("x", new Uint8Array(8)),
      (error: unknown) => error instanceof ColwasmConnectionError,
    );
  });

  test("a whole answer that is not JSON is an internal ColwasmError, not a SyntaxError", async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "text/html" });
      res.end("<html>proxy login</html>");
    });
    const client = new ColwasmClient(server.url);
    const isInternal = (error: unknown): boolean =>
      error instanceof ColwasmError && error.type === "internal" && /not JSON/.test(error.message);
    await assert.rejects(client.operators(), isInternal);
    await assert.rejects(client.state("wc"), isInternal);
  });

  test("a problem answer cut short is a ColwasmConnectionError too", async () => {
    const server = await serve((_req, res) => {
      res.writeHead(422, { "content-type": "application/problem+json", "content-length": "100" });
      res.write('{"type":', () => res.socket?.destroy());
    });
    await assert.rejects(new ColwasmClient(server.url).state("wc"), isConnectionError(true));
  });

  test("run retries it under an Idempotency-Key, with the same key", async () => {
    const server = await serve((_req, res, index) => (index === 0 ? cutShort(res) : runAnswer(res)));
    const retries: string[] = [];
    const client = new ColwasmClient(server.url, { sleep: async () => undefined });
    const result = await client.run("x", BATCH, {
      idempotencyKey: "batch-7",
      retries: 2,
      onRetry: ({ error }) => retries.push(error.constructor.name),
    });
    assert.equal(result.attempts, 2);
    assert.deepEqual(columnToRows(result.batch.schema, result.batch.column), [["a", 1]]);
    assert.deepEqual(server.keys, ["batch-7", "batch-7"]);
    assert.deepEqual(retries, ["ColwasmConnectionError"]);
  });

  test("a reduce run given retries is resent after a connection lost before the headers, under one generated key", async () => {
    const server = await serve((req, res, index) => (index === 0 ? req.socket.destroy() : runAnswer(res)));
    const client = new ColwasmClient(server.url, { sleep: async () => undefined });
    const result = await client.run("split_words,reduce:wc", BATCH, { retries: 1 });
    assert.equal(result.attempts, 2);
    assert.equal(server.keys.length, 2);
    assert.ok(server.keys[0] !== "" && server.keys[0] === server.keys[1], "one generated key");
    assert.equal(result.idempotencyKey, server.keys[0]);
  });

  test("by default a lost answer is resent twice only where that is safe", async () => {
    const server = await serve((_req, res) => cutShort(res));
    const client = new ColwasmClient(server.url, { sleep: async () => undefined });
    const sent = async (chain: string, options: { idempotencyKey?: string; retries?: number } = {}) => {
      const before = server.keys.length;
      await assert.rejects(client.run(chain, BATCH, options), isConnectionError(true));
      return server.keys.slice(before);
    };
    // a chain without a reduce stage changes nothing: resent, and needs no key
    assert.deepEqual(await sent("split_words,lowercase"), ["", "", ""]);
    assert.deepEqual(await sent(""), ["", "", ""]);
    // a reduce under a key is applied once however often it arrives
    assert.deepEqual(await sent("split_words,reduce:wc", { idempotencyKey: "k" }), ["k", "k", "k"]);
    // a reduce without a key may have been applied: sent once
    assert.deepEqual(await sent("split_words, reduce:wc"), [""]);
    assert.deepEqual(await sent("split_words", { retries: 0 }), [""]);
  });

  test("colwasm run and colwasm state print Unavailable and exit 1", async () => {
    const server = await serve((_req, res) => cutShort(res, "application/x-ndjson"));
    const run = await colwasm(["run", "--chain", "x", "--schema", SCHEMA, "--url", server.url], {
      input: '["a",1]\n',
    });
    assert.equal(run.status, 1, run.stderr);
    // a chain without a reduce stage is resent twice by default, each retry announced
    const lines = run.stderr.trimEnd().split("\n");
    assert.equal(lines.length, 3, run.stderr);
    assert.match(lines[0], /^colwasm: retry 1 in \d+ ms \(/);
    assert.match(lines[1], /^colwasm: retry 2 in \d+ ms \(/);
    assert.match(lines[2], /^Unavailable: Lost the connection to http:\/\/127\.0\.0\.1:\d+ while reading/);
    assert.equal(server.keys.length, 3);
    const once = await colwasm(
      ["run", "--chain", "x", "--schema", SCHEMA, "--retries", "0", "--url", server.url],
      { input: '["a",1]\n' },
    );
    assert.equal(once.status, 1, once.stderr);
    assert.ok(isOneLine(once.stderr), once.stderr);
    assert.match(once.stderr, /^Unavailable: Lost the connection/);
    const state = await colwasm(["state", "wc", "--url", server.url]);
    assert.equal(state.status, 1, state.stderr);
    assert.ok(isOneLine(state.stderr), state.stderr);
    assert.match(state.stderr, /^Unavailable: Lost the connection/);
  });
});

describe("a caller's abort", { timeout: 60_000 }, () => {
  test(
    "while waiting to retry a 503 with Retry-After: 120, rejects promptly with the TimeoutError",
    { timeout: 8_000 },
    async () => {
      const server = await serve((_req, res) => {
        res.writeHead(503, { "retry-after": "120", "content-type": "application/problem+json" });
        res.end('{"type":"/problems/unavailable","title":"Unavailable","status":503,"detail":"busy"}');
      });
      const client = new ColwasmClient(server.url);
      const started = performance.now();
      await assert.rejects(
        client.run("reduce:wc", BATCH, { retries: 3, signal: AbortSignal.timeout(300) }),
        isDomException("TimeoutError"),
      );
      const elapsed = performance.now() - started;
      assert.ok(elapsed < 5_000, `rejected after ${elapsed.toFixed(0)} ms`);
      assert.equal(server.keys.length, 1);
    },
  );

  test("a sleep that ignores the signal is cut short all the same", { timeout: 8_000 }, async () => {
    const server = await serve((_req, res) => {
      res.writeHead(503, { "retry-after": "1" });
      res.end();
    });
    const controller = new AbortController();
    const client = new ColwasmClient(server.url, {
      sleep: () => {
        setTimeout(() => controller.abort(), 20);
        return new Promise(() => undefined);
      },
    });
    await assert.rejects(
      client.run("x", BATCH, { retries: 1, signal: controller.signal }),
      isDomException("AbortError"),
    );
  });

  test(
    "before the headers: the signal's reason, not a connection error, and no retry",
    { timeout: 8_000 },
    async () => {
      const server = await serve(() => undefined); // never answers
      const client = new ColwasmClient(server.url, { sleep: async () => undefined });
      await assert.rejects(
        client.run("x", BATCH, { retries: 3, signal: AbortSignal.timeout(200) }),
        isDomException("TimeoutError"),
      );
      assert.equal(server.keys.length, 1);
      const reason = new Error("caller's own reason");
      const controller = new AbortController();
      setTimeout(() => controller.abort(reason), 50);
      await assert.rejects(
        client.state("wc", undefined, { signal: controller.signal }),
        (error) => error === reason,
      );
    },
  );

  test("during the body: the signal's reason", { timeout: 8_000 }, async () => {
    const server = await serve((_req, res) => stallInBody(res));
    const client = new ColwasmClient(server.url);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    await assert.rejects(client.operators({ signal: controller.signal }), isDomException("AbortError"));
    await assert.rejects(
      client.run("x", BATCH, { retries: 2, signal: AbortSignal.timeout(150) }),
      isDomException("TimeoutError"),
    );
  });

  test("every method takes a signal", { timeout: 8_000 }, async () => {
    const server = await serve(() => undefined);
    const client = new ColwasmClient(server.url);
    const timeout = (): { signal: AbortSignal } => ({ signal: AbortSignal.timeout(100) });
    const calls: [string, Promise<unknown>][] = [
      ["operators", client.operators(timeout())],
      ["operator", client.operator("x", timeout())],
      ["pushOperator", client.pushOperator("x", new Uint8Array(8), {}, timeout())],
      ["deleteOperator", client.deleteOperator("x", timeout())],
      ["state", client.state("wc", "k", timeout())],
      ["deleteState", client.deleteState("wc", timeout())],
      ["run", client.run("x", BATCH, timeout())],
    ];
    for (const [name, call] of calls) await assert.rejects(call, isDomException("TimeoutError"), name);
  });

  test("an already aborted signal sends nothing", { timeout: 8_000 }, async () => {
    const server = await serve((_req, res) => runAnswer(res));
    const signal = AbortSignal.abort();
    await assert.rejects(
      new ColwasmClient(server.url).run("x", BATCH, { signal }),
      isDomException("AbortError"),
    );
    assert.equal(server.keys.length, 0);
  });
});

describe("429 Too Many Requests", { timeout: 20_000 }, () => {
  test("is an unavailable, retryable problem with its Retry-After", async () => {
    const server = await serve((_req, res) => {
      res.writeHead(429, { "retry-after": "2", "content-type": "text/plain" });
      res.end("rate limited");
    });
    await assert.rejects(
      new ColwasmClient(server.url).run("x", BATCH, { retries: 0 }),
      (error: unknown) =>
        error instanceof ColwasmClientError &&
        error.status === 429 &&
        error.type === "unavailable" &&
        error.isRetryable &&
        error.retryAfterMs === 2000 &&
        error.message === "rate limited",
    );
    assert.equal(server.keys.length, 1);
  });

  test("is retried after its Retry-After under one key, like a 503", async () => {
    const server = await serve((_req, res, index) => {
      if (index > 0) return runAnswer(res);
      res.writeHead(429, { "retry-after": "2" });
      res.end();
    });
    const waits: number[] = [];
    const client = new ColwasmClient(server.url, { sleep: async (ms) => void waits.push(ms) });
    const result = await client.run("reduce:wc", BATCH, { retries: 1 });
    assert.equal(result.attempts, 2);
    assert.deepEqual(waits, [2000]);
    assert.ok(server.keys[0] !== "" && server.keys[0] === server.keys[1], "one generated key");
  });
});

describe("a gateway's 502 and 504", { timeout: 20_000 }, () => {
  for (const status of [502, 504]) {
    test(`${status} is an unavailable problem, retried under one key like a 503`, async () => {
      const server = await serve((_req, res, index) => {
        if (index > 0) return runAnswer(res);
        res.writeHead(status, { "content-type": "text/html" });
        res.end("<html>bad gateway</html>");
      });
      const waits: number[] = [];
      const client = new ColwasmClient(server.url, { sleep: async (ms) => void waits.push(ms) });
      const result = await client.run("reduce:wc", BATCH, { retries: 1 });
      assert.equal(result.attempts, 2);
      assert.equal(waits.length, 1);
      assert.ok(server.keys[0] !== "" && server.keys[0] === server.keys[1], "one generated key");
      await assert.rejects(
        new ColwasmClient((await serve((_req, res) => res.writeHead(status).end())).url).run("x", BATCH, {
          retries: 0,
        }),
        (error: unknown) =>
          error instanceof ColwasmClientError && error.type === "unavailable" && error.isRetryable,
      );
    });
  }
});

describe("reads on a kept-alive connection the runtime closed", { timeout: 20_000 }, () => {
  /**
   * Answers JSON `body` to every request, except that the first request arriving on a reused
   * connection has its socket destroyed unanswered: what Node's fetch meets when the runtime
   * closes a kept-alive connection as the next request is sent (workerd, after a long request).
   */
  async function closingKeptAlive(body: string): Promise<LocalServer> {
    const sockets = new WeakSet<object>();
    let closed = false;
    return serve((req, res) => {
      if (sockets.has(req.socket) && !closed) {
        closed = true;
        req.socket.destroy();
        return;
      }
      sockets.add(req.socket);
      res.writeHead(200, { "content-type": "application/json" });
      res.end(body);
    });
  }

  const pause = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 50));
  const entry = JSON.stringify({ name: "x", abi: "colwasm/1", input: SCHEMA, output: SCHEMA });

  test("operators, operator and state are sent again on a fresh connection", async () => {
    for (const [name, body, call] of [
      ["operators", JSON.stringify({ operators: [] }), (c: ColwasmClient) => c.operators()],
      ["operator", entry, (c: ColwasmClient) => c.operator("x")],
      ["state", '["a",1]\n', (c: ColwasmClient) => c.state("wc")],
    ] as const) {
      const server = await closingKeptAlive(body);
      const client = new ColwasmClient(server.url);
      await call(client);
      await pause(); // the connection goes back to the pool, and the next request reuses it
      await call(client).catch((error: unknown) => assert.fail(`${name}: ${String(error)}`));
      assert.equal(server.keys.length, 3, `${name}: one request, then one more after the reset`);
    }
  });

  test("retries: 0 turns it off (a ColwasmConnectionError), and a 404 is never sent again", async () => {
    const server = await closingKeptAlive(JSON.stringify({ operators: [] }));
    const client = new ColwasmClient(server.url);
    await client.operators();
    await pause();
    await assert.rejects(client.operators({ retries: 0 }), isConnectionError(false));
    const missing = await serve((_req, res) => {
      res.writeHead(404, { "content-type": "application/problem+json" });
      res.end(JSON.stringify({ type: "/problems/unknown-state", status: 404, detail: "no total" }));
    });
    await assert.rejects(new ColwasmClient(missing.url).state("wc", 5), { type: "unknown-state" });
    assert.equal(missing.keys.length, 1);
  });

  test("a 503 on a read is retried after its Retry-After, without a key", async () => {
    const server = await serve((_req, res, index) => {
      if (index === 0) return void res.writeHead(503, { "retry-after": "1" }).end();
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ operators: [] }));
    });
    const waits: number[] = [];
    const client = new ColwasmClient(server.url, { sleep: async (ms) => void waits.push(ms) });
    assert.deepEqual(await client.operators(), []);
    assert.deepEqual(waits, [1000]);
    assert.deepEqual(server.keys, ["", ""]);
  });
});

describe("ColwasmConnectionError.code", { timeout: 20_000 }, () => {
  test("is read from Deno's connect errors (refused, DNS), which carry no cause.code", () => {
    const denoError = (message: string): TypeError =>
      new TypeError("fetch failed", { cause: new Error(message) });
    const refused = new ColwasmConnectionError(
      "http://127.0.0.1:9",
      denoError(
        "error sending request for url (http://127.0.0.1:9/): client error (Connect): tcp connect error: Connection refused (os error 111)",
      ),
    );
    assert.equal(refused.code, "ECONNREFUSED");
    assert.match(refused.message, /connection refused/);
    const dns = new ColwasmConnectionError(
      "http://nowhere.invalid",
      denoError(
        "error sending request for url (http://nowhere.invalid/): client error (Connect): dns error: failed to lookup address information: Name or service not known",
      ),
    );
    assert.equal(dns.code, "ENOTFOUND");
    assert.equal(dns.isRetryable, false);
    const reset = new ColwasmConnectionError(
      "http://127.0.0.1:9",
      denoError("client error (SendRequest): connection closed before message completed"),
    );
    assert.equal(reset.code, undefined);
    assert.equal(reset.isRetryable, true);
  });

  /** What a call to `url` rejects with inside a real Deno: name, code, retryable, and requests made. */
  function inDeno(url: string): unknown {
    const script = `
      import { ColwasmClient } from "./src/client/index.ts";
      let attempts = 0;
      const client = new ColwasmClient(${JSON.stringify(url)}, { sleep: async () => void attempts++ });
      try { await client.operators(); }
      catch (error) {
        console.log(JSON.stringify({ name: error.name, code: error.code ?? null, isRetryable: error.isRetryable, retries: attempts }));
      }`;
    const deno = spawnSync(`${ROOT}node_modules/.bin/deno`, ["eval", "--quiet", script], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 60_000,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", DENO_NO_UPDATE_CHECK: "1" },
    });
    assert.equal(deno.status, 0, deno.stderr);
    return JSON.parse(deno.stdout);
  }

  test("is filled on a real Deno for a refused connection", async () => {
    assert.deepEqual(inDeno(`http://127.0.0.1:${await closedPort()}`), {
      name: "ColwasmConnectionError",
      code: "ECONNREFUSED",
      isRetryable: true,
      retries: 2,
    });
  });

  test("a port fetch blocks is no retryable failure, on Node and on a real Deno", async () => {
    let retries = 0;
    const client = new ColwasmClient("http://127.0.0.1:1", { sleep: async () => void retries++ });
    await assert.rejects(
      client.run("x", BATCH),
      (error: unknown) =>
        error instanceof ColwasmConnectionError &&
        !error.isRetryable &&
        /fetch never connects to this port/.test(error.message),
    );
    assert.equal(retries, 0);
    assert.deepEqual(inDeno("http://127.0.0.1:1"), {
      name: "ColwasmConnectionError",
      code: null,
      isRetryable: false,
      retries: 0,
    });
  });
});
