// Security (issue #9, spec/http-api.md §Auth and limits): admin and run tokens on the in-process
// app and on both real runtimes, the limits on body, module, stages and output, modules that
// import anything refused (an operator has no way out to the network), and no token in any
// problem body or in the runtimes' stdout/stderr, including after a 500.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Hono } from "hono";
import type { AppEnv } from "../../src/http/index.ts";
import { type ReduceStore, MemoryReduceStore } from "../../src/state/index.ts";
import { DEFAULT_OPERATOR_LIMITS } from "../../src/wasm/index.ts";
import { batch as fixtureBatch, makeApp, operatorWasm, fixtureWasm } from "../http/app-fixture.ts";
import {
  batch,
  buildWorker,
  call,
  captureOutput,
  expectRows,
  RUNTIMES,
  run,
  startRuntime,
  type TestRuntime,
  upload,
  wasmFile,
} from "./runtimes.ts";

const ADMIN = "adm1n-T0ken.reliability~sec";
const RUN = "run-T0ken.reliability~sec";
const PROBE = "attacker-probe-token-42";
const TEST_TIMEOUT_MS = 30_000;

/** Asserts no configured token appears in `text`. */
function assertNoSecret(text: string, where: string): void {
  for (const secret of [ADMIN, RUN])
    assert.ok(!text.includes(secret), `${where} contains a token: ${text.slice(0, 300)}`);
}

async function problemOf(res: Response, status: number, type: string): Promise<Record<string, unknown>> {
  const text = await res.text();
  assertNoSecret(text, `the ${status} body`);
  assert.ok(!text.includes(PROBE), "a problem echoes the token the client sent");
  assert.equal(res.status, status, text);
  assert.match(res.headers.get("content-type") ?? "", /^application\/problem\+json/);
  const problem = JSON.parse(text) as Record<string, unknown>;
  assert.equal(problem.type, `/problems/${type}`, text);
  return problem;
}

/** Authorization values that must never pass as `token`. */
function wrongAuthorizations(token: string): (string | undefined)[] {
  return [
    undefined,
    "",
    "Bearer",
    "Bearer ",
    `Bearer ${token.slice(0, -1)}`,
    `Bearer ${token}x`,
    `Bearer ${token.toUpperCase()}`,
    `Bearer ${PROBE}`,
    `Basic ${Buffer.from(`admin:${token}`).toString("base64")}`,
    token,
    `Bearer ${token} ${token}`,
  ];
}

function request(
  app: Hono<AppEnv>,
  path: string,
  init: RequestInit & { auth?: string } = {},
): Promise<Response> {
  const headers = new Headers(init.headers);
  if (init.auth !== undefined) headers.set("authorization", init.auth);
  return Promise.resolve(app.request(path, { ...init, headers }));
}

describe("security of the app (in-process)", () => {
  test("admin routes answer 401 unauthorized to every missing or wrong token, and pass the right one", async () => {
    const app = await makeApp({ auth: { adminToken: ADMIN } });
    const wasm = operatorWasm("identity");
    for (const auth of wrongAuthorizations(ADMIN)) {
      const put = await request(app, "/v1/operators/sec_op", {
        method: "PUT",
        headers: { "content-type": "application/wasm" },
        body: wasm.slice(),
        auth,
      });
      await problemOf(put, 401, "unauthorized");
      assert.match(put.headers.get("www-authenticate") ?? "", /^Bearer/);
      await problemOf(
        await request(app, "/v1/operators/identity", { method: "DELETE", auth }),
        401,
        "unauthorized",
      );
      await problemOf(await request(app, "/v1/state/x", { method: "DELETE", auth }), 401, "unauthorized");
    }
    const put = await request(app, "/v1/operators/sec_op", {
      method: "PUT",
      headers: { "content-type": "application/wasm" },
      body: wasm.slice(),
      auth: `Bearer ${ADMIN}`,
    });
    assert.equal(put.status, 201);
    const deleted = await request(app, "/v1/operators/sec_op", { method: "DELETE", auth: `Bearer ${ADMIN}` });
    assert.equal(deleted.status, 204);
  });

  test("with no admin token configured every admin route is 403 forbidden, whatever the request carries", async () => {
    for (const adminToken of [undefined, ""]) {
      const app = await makeApp({ auth: { adminToken } });
      for (const auth of [undefined, `Bearer ${ADMIN}`, "Bearer ", `Bearer ${PROBE}`]) {
        const put = await request(app, "/v1/operators/sec_op", {
          method: "PUT",
          headers: { "content-type": "application/wasm" },
          body: operatorWasm("identity").slice(),
          auth,
        });
        await problemOf(put, 403, "forbidden");
        await problemOf(await request(app, "/v1/state/x", { method: "DELETE", auth }), 403, "forbidden");
      }
    }
  });

  test("a run token guards run and state routes; the admin token also passes; reads of operators stay open", async () => {
    const app = await makeApp({ auth: { adminToken: ADMIN, runToken: RUN } });
    const body = fixtureBatch([["a", 1]]);
    const runWith = (auth?: string) =>
      request(app, "/v1/run?chain=identity", {
        method: "POST",
        headers: { "content-type": "application/x-columnar", "columnar-schema": "(String, i64)" },
        body: body.slice(),
        auth,
      });
    for (const auth of wrongAuthorizations(RUN)) {
      await problemOf(await runWith(auth), 401, "unauthorized");
      await problemOf(await request(app, "/v1/state/x", { auth }), 401, "unauthorized");
    }
    assert.equal((await runWith(`Bearer ${RUN}`)).status, 200);
    assert.equal((await runWith(`Bearer ${ADMIN}`)).status, 200);
    assert.equal((await request(app, "/v1/operators")).status, 200);
    // the run token is not an admin token
    await problemOf(
      await request(app, "/v1/operators/identity", { method: "DELETE", auth: `Bearer ${RUN}` }),
      401,
      "unauthorized",
    );
  });

  test("limits: body 413, module 413, stages 400, output 413 (too-large names the operator)", async () => {
    const app = await makeApp({
      auth: { adminToken: ADMIN },
      limits: {
        maxBodyBytes: 4096,
        maxModuleBytes: 2048,
        maxStages: 3,
        operator: { ...DEFAULT_OPERATOR_LIMITS, maxOutputBytes: 1024 },
      },
    });
    const runBody = (chain: string, body: Uint8Array) =>
      request(app, `/v1/run?chain=${chain}`, {
        method: "POST",
        headers: { "content-type": "application/x-columnar", "columnar-schema": "(String, i64)" },
        body: body.slice(),
      });
    await problemOf(await runBody("", new Uint8Array(4104)), 413, "too-large");
    const module = fixtureWasm("trap");
    const big = new Uint8Array(4096);
    big.set(module);
    const put = await request(app, "/v1/operators/big", {
      method: "PUT",
      headers: { "content-type": "application/wasm" },
      body: big,
      auth: `Bearer ${ADMIN}`,
    });
    await problemOf(put, 413, "too-large");
    await problemOf(
      await runBody("identity,identity,identity,identity", fixtureBatch([["a", 1]])),
      400,
      "bad-request",
    );
    const words = fixtureBatch([[Array.from({ length: 300 }, (_, k) => `w${k}`).join(" "), 1]]);
    const problem = await problemOf(await runBody("split_words", words), 413, "too-large");
    assert.equal(problem.operator, "split_words");
  });

  test("a 500 (a storage read throwing) answers internal with a request id and no stack; no token in body or log", async () => {
    const inner = new MemoryReduceStore();
    const failing: ReduceStore = {
      claimKeyType: (namespace, keyType) => inner.claimKeyType(namespace, keyType),
      applyShard: (delta) => inner.applyShard(delta),
      readAll: () => Promise.reject(new Error("storage exploded")),
      readKey: (namespace, shard, key) => inner.readKey(namespace, shard, key),
      drop: (namespace, shards) => inner.drop(namespace, shards),
    };
    const app = await makeApp({ auth: { adminToken: ADMIN, runToken: RUN }, reduceStore: failing });
    const output = captureOutput();
    let res: Response;
    try {
      res = await request(app, "/v1/state/boom", { auth: `Bearer ${RUN}` });
    } finally {
      output.restore();
    }
    const problem = await problemOf(res, 500, "internal");
    assert.equal(typeof problem.requestId, "string");
    assert.equal(res.headers.get("x-request-id"), problem.requestId);
    assert.ok(!JSON.stringify(problem).includes("storage exploded"), "the cause is logged, never sent");
    const log = output.text();
    assert.ok(log.includes(String(problem.requestId)), "the 500 is logged under its request id");
    assertNoSecret(log, "the log");
  });
});

for (const kind of RUNTIMES) {
  describe(`security on ${kind}`, { timeout: 180_000 }, () => {
    let locked: TestRuntime;
    let open: TestRuntime;
    let bundleDir: string | undefined;
    const output = captureOutput();

    before(async () => {
      bundleDir = kind === "workers" ? buildWorker("worker-reliability-security") : undefined;
      [locked, open] = await Promise.all([
        startRuntime(kind, {
          bundleDir,
          forwardOutput: true,
          vars: {
            COLWASM_ADMIN_TOKEN: ADMIN,
            COLWASM_RUN_TOKEN: RUN,
            COLWASM_MAX_BODY_BYTES: "100000",
            COLWASM_MAX_MODULE_BYTES: "200000",
            COLWASM_MAX_STAGES: "4",
            COLWASM_MAX_OUTPUT_BYTES: "4096",
          },
        }),
        startRuntime(kind, { bundleDir, forwardOutput: true }),
      ]);
    });

    after(async () => {
      await Promise.all([locked?.stop(), open?.stop()]);
      output.restore();
    });

    test(
      "admin routes: 401 without or with a wrong token, 403 with none configured",
      { timeout: TEST_TIMEOUT_MS },
      async () => {
        const wasm = wasmFile("operators/dist/identity.wasm");
        for (const auth of wrongAuthorizations(ADMIN)) {
          const headers: Record<string, string> = { "content-type": "application/wasm" };
          if (auth !== undefined) headers.authorization = auth;
          const res = await call(locked.url, "/v1/operators/sec_op", {
            method: "PUT",
            headers,
            body: wasm.slice(),
          });
          await problemOf(res, 401, "unauthorized");
        }
        await problemOf(await upload(locked.url, "sec_op", wasm, { token: RUN }), 401, "unauthorized");
        await problemOf(await upload(open.url, "sec_op", wasm, { token: ADMIN }), 403, "forbidden");
        await problemOf(
          await call(open.url, "/v1/state/x", { method: "DELETE", token: ADMIN }),
          403,
          "forbidden",
        );
        const ok = await upload(locked.url, "sec_op", wasm, { token: ADMIN });
        assert.equal(ok.status, 201, await ok.text());
      },
    );

    test("the run token is enforced on run and state routes", { timeout: TEST_TIMEOUT_MS }, async () => {
      const body = batch([["a b", 1]]);
      for (const token of [undefined, PROBE, `${RUN}x`])
        await problemOf(await run(locked.url, "split_words", body, { token }), 401, "unauthorized");
      await problemOf(await call(locked.url, "/v1/state/anything"), 401, "unauthorized");
      await expectRows(await run(locked.url, "split_words", body, { token: RUN }), [
        ["a", 1],
        ["b", 1],
      ]);
      await expectRows(await run(locked.url, "identity", body, { token: ADMIN }), [["a b", 1]]);
      // without a run token configured, runs are open
      await expectRows(await run(open.url, "identity", body), [["a b", 1]]);
    });

    test("limits: body 413, module 413, stages 400, output 413", { timeout: TEST_TIMEOUT_MS }, async () => {
      const rows = Array.from({ length: 2000 }, (_, k) => [`row ${k} padded with some text`, k]);
      await problemOf(await run(locked.url, "identity", batch(rows), { token: RUN }), 413, "too-large");
      const module = new Uint8Array(300_000);
      module.set(wasmFile("operators/dist/identity.wasm"));
      await problemOf(await upload(locked.url, "sec_big", module, { token: ADMIN }), 413, "too-large");
      await problemOf(
        await run(locked.url, "identity,identity,identity,identity,identity", batch([["a", 1]]), {
          token: RUN,
        }),
        400,
        "bad-request",
      );
      const words = batch([[Array.from({ length: 800 }, (_, k) => `w${k}`).join(" "), 1]]);
      const problem = await problemOf(
        await run(locked.url, "split_words", words, { token: RUN }),
        413,
        "too-large",
      );
      assert.equal(problem.operator, "split_words");
    });

    test(
      "no operator reaches the network: a module with any import is refused (rule imports)",
      {
        timeout: TEST_TIMEOUT_MS,
      },
      async () => {
        const problem = await problemOf(
          await upload(locked.url, "sec_import", wasmFile("test/fixtures/wasm/dist/with_import.wasm"), {
            token: ADMIN,
          }),
          422,
          "invalid-operator",
        );
        assert.equal(problem.rule, "imports");
      },
    );

    test(
      "problem bodies and the runtime's stdout/stderr never hold a token",
      { timeout: TEST_TIMEOUT_MS },
      async () => {
        // a few more failures carrying the tokens, then the whole captured output is checked
        await problemOf(
          await run(locked.url, "no_such_op", batch([["a", 1]]), { token: ADMIN }),
          404,
          "unknown-operator",
        );
        await problemOf(
          await run(locked.url, "identity", new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]), { token: ADMIN }),
          400,
          "bad-batch",
        );
        await problemOf(
          await upload(locked.url, "sec_trap", wasmFile("test/fixtures/wasm/dist/lying_manifest.wasm"), {
            token: ADMIN,
          }),
          422,
          "invalid-operator",
        );
        const nowhere = await call(locked.url, "/v1/nowhere", { token: ADMIN });
        assert.equal(nowhere.status, 404);
        assertNoSecret(await nowhere.text(), "the 404 body");
        assertNoSecret(output.text(), `${kind}'s stdout/stderr`);
      },
    );
  });
}

describe("start failures (a 500 from a misconfigured runtime) never log or answer a token", () => {
  test(
    "workers with REDUCE_SHARDS=0 answers a 500 internal problem without the token; deno exits without printing it",
    {
      timeout: 60_000,
    },
    async () => {
      const output = captureOutput();
      try {
        if (RUNTIMES.includes("workers")) {
          const broken = await startRuntime("workers", {
            bundleDir: buildWorker("worker-reliability-security"),
            vars: { COLWASM_ADMIN_TOKEN: ADMIN, REDUCE_SHARDS: "0" },
          });
          try {
            const res = await call(broken.url, "/v1/operators", { token: ADMIN });
            assert.equal(res.status, 500);
            assert.match(res.headers.get("content-type") ?? "", /application\/problem\+json/);
            const body = await res.text();
            assert.equal((JSON.parse(body) as { type: string }).type, "/problems/internal");
            assertNoSecret(body, "the 500 body");
          } finally {
            await broken.stop();
          }
        }
        if (RUNTIMES.includes("deno")) {
          const started = startRuntime("deno", {
            forwardOutput: true,
            vars: { COLWASM_ADMIN_TOKEN: ADMIN, COLWASM_RUN_TOKEN: RUN, COLWASM_DEADLINE_MS: "soon" },
          });
          const error = await started.then(
            () => assert.fail("deno started with a malformed COLWASM_DEADLINE_MS"),
            (e: unknown) => e,
          );
          assertNoSecret(String(error), "deno's start error");
        }
      } finally {
        output.restore();
      }
      assertNoSecret(output.text(), "the runtimes' output");
    },
  );
});
