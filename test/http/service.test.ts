// Service routes and the problem renderer: GET /, /healthz, /problems/<type>, unknown routes, 500s.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { InlineExecutor } from "../../src/chain/index.ts";
import { createApp } from "../../src/http/index.ts";
import { LocalChainService, MemoryOperatorStore, RegistryCore } from "../../src/registry/index.ts";
import { DEFAULT_OPERATOR_LIMITS } from "../../src/wasm/index.ts";
import { BUILTINS, makeApp, problemOf } from "./app-fixture.ts";

describe("service routes", () => {
  test("GET / describes the runtime", async () => {
    const app = await makeApp();
    const res = await app.request("/");
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {
      name: "colwasm",
      version: "0.0.0-test",
      runtime: "node",
      formats: ["0.1", "0.12"],
      builtins: BUILTINS,
      imports: [
        "env.abort",
        "env.trace",
        "env.seed",
        "env.Date.now",
        "env.console.log",
        "env.console.info",
        "env.console.warn",
        "env.console.error",
        "env.console.debug",
        "env.console.time",
        "env.console.timeLog",
        "env.console.timeEnd",
        "env.emscripten_notify_memory_growth",
        "wasi_snapshot_preview1.*",
      ],
    });
  });

  test("GET /healthz answers ok", async () => {
    const app = await makeApp();
    const res = await app.request("/healthz");
    assert.equal(res.status, 200);
    assert.equal(await res.text(), "ok");
  });

  test("GET /problems/<type> documents each problem type", async () => {
    const app = await makeApp();
    const res = await app.request("/problems/bad-batch");
    assert.equal(res.status, 200);
    assert.ok(res.headers.get("content-type")?.startsWith("text/plain"));
    assert.equal((await app.request("/problems/nope")).status, 404);
  });

  test("an unknown route answers a 404 problem", async () => {
    const app = await makeApp();
    const res = await app.request("/v2/nothing");
    assert.equal(res.status, 404);
    const p = await problemOf(res);
    assert.equal(p.status, 404);
  });

  test("a bug answers 500 internal with a request id, logging the stack but never sending it", async (t) => {
    const registry = await RegistryCore.create({
      store: new MemoryOperatorStore(),
      compile: (b) => WebAssembly.compile(b.slice()),
      limits: { maxModuleBytes: 1 << 20, operator: DEFAULT_OPERATOR_LIMITS },
    });
    const broken = {
      ...registry,
      list: () => Promise.reject(new TypeError("secret bug detail")),
      get: registry.get.bind(registry),
      put: registry.put.bind(registry),
      delete: registry.delete.bind(registry),
    };
    const app = createApp({
      runtime: "node",
      version: "0",
      registry: broken,
      chains: new LocalChainService({
        resolver: registry,
        executor: new InlineExecutor(DEFAULT_OPERATOR_LIMITS),
      }),
      limits: { maxBodyBytes: 1024, maxModuleBytes: 1024, maxStages: 4, operator: DEFAULT_OPERATOR_LIMITS },
      auth: {},
      builtins: [],
    });
    const logged = t.mock.method(console, "error", () => undefined);
    const res = await app.request("/v1/operators");
    assert.equal(res.status, 500);
    const text = await res.text();
    assert.ok(!text.includes("secret bug detail"));
    const p = JSON.parse(text) as Record<string, unknown>;
    assert.equal(p.type, "/problems/internal");
    assert.equal(typeof p.requestId, "string");
    assert.equal(res.headers.get("x-request-id"), p.requestId);
    assert.equal(logged.mock.callCount(), 1);
  });
});
