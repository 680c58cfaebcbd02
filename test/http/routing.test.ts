// Requests no route takes (src/http/unrouted.ts): 405 with Allow for another method on an existing
// path, 204 with Allow to OPTIONS, HEAD wherever GET is, 404 `not-found` for unknown paths; and
// the documentation of those problem types at /problems/<type>.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { PROBLEM_STATUS } from "../../src/http/index.ts";
import { ADMIN, makeApp, problemOf } from "./app-fixture.ts";

describe("routing", () => {
  const wrongMethods: [string, string, string][] = [
    ["GET", "/v1/run", "POST, OPTIONS"],
    ["PUT", "/v1/run", "POST, OPTIONS"],
    ["DELETE", "/v1/run", "POST, OPTIONS"],
    ["PATCH", "/v1/run", "POST, OPTIONS"],
    ["POST", "/v1/operators", "GET, HEAD, OPTIONS"],
    ["DELETE", "/v1/operators", "GET, HEAD, OPTIONS"],
    ["POST", "/v1/operators/identity", "GET, HEAD, PUT, DELETE, OPTIONS"],
    ["PATCH", "/v1/operators/identity", "GET, HEAD, PUT, DELETE, OPTIONS"],
    ["POST", "/v1/state/wc", "GET, HEAD, DELETE, OPTIONS"],
    ["PUT", "/v1/state/wc", "GET, HEAD, DELETE, OPTIONS"],
    ["POST", "/healthz", "GET, HEAD, OPTIONS"],
    ["DELETE", "/", "GET, HEAD, OPTIONS"],
    ["POST", "/problems/bad-batch", "GET, HEAD, OPTIONS"],
  ];
  for (const [method, path, allow] of wrongMethods) {
    test(`${method} ${path} answers 405 method-not-allowed with Allow: ${allow}`, async () => {
      const app = await makeApp();
      const res = await app.request(path, { method, headers: { authorization: `Bearer ${ADMIN}` } });
      assert.equal(res.status, 405);
      assert.equal(res.headers.get("allow"), allow);
      const p = await problemOf(res);
      assert.equal(p.type, "/problems/method-not-allowed");
      assert.equal(p.status, 405);
      assert.equal(p.method, method);
      assert.deepEqual(p.allow, allow.split(", "));
      assert.equal(typeof p.detail, "string");
    });
  }

  test("HEAD on a POST-only path is 405 with Allow and no body", async () => {
    const app = await makeApp();
    const res = await app.request("/v1/run", { method: "HEAD" });
    assert.equal(res.status, 405);
    assert.equal(res.headers.get("allow"), "POST, OPTIONS");
    assert.equal(await res.text(), "");
  });

  test("HEAD keeps working on GET routes: the GET's status and headers, no body", async () => {
    const app = await makeApp();
    for (const path of ["/", "/healthz", "/v1/operators", "/v1/operators/identity", "/problems/bad-batch"]) {
      const get = await app.request(path);
      const head = await app.request(path, { method: "HEAD" });
      assert.equal(head.status, 200, path);
      assert.equal(head.headers.get("content-type"), get.headers.get("content-type"), path);
      assert.equal(await head.text(), "", path);
    }
    const missing = await app.request("/v1/operators/no_such_op", { method: "HEAD" });
    assert.equal(missing.status, 404);
  });

  test("OPTIONS on an existing path answers 204 with Allow, without auth", async () => {
    const app = await makeApp({ auth: { adminToken: ADMIN, runToken: "run-secret" } });
    const cases: [string, string][] = [
      ["/v1/run", "POST, OPTIONS"],
      ["/v1/operators", "GET, HEAD, OPTIONS"],
      ["/v1/operators/anything", "GET, HEAD, PUT, DELETE, OPTIONS"],
      ["/v1/state/wc", "GET, HEAD, DELETE, OPTIONS"],
    ];
    for (const [path, allow] of cases) {
      const res = await app.request(path, { method: "OPTIONS" });
      assert.equal(res.status, 204, path);
      assert.equal(res.headers.get("allow"), allow, path);
      assert.equal(await res.text(), "", path);
    }
  });

  test("an unknown path answers 404 not-found, whatever the method", async () => {
    const app = await makeApp();
    for (const method of ["GET", "POST", "OPTIONS", "HEAD"]) {
      for (const path of ["/v2/nothing", "/v1/run/", "/v1/runs", "/v1/state", "/v1/operators/a/b"]) {
        const res = await app.request(path, { method });
        assert.equal(res.status, 404, `${method} ${path}`);
        assert.equal(res.headers.get("allow"), null);
        if (method === "HEAD") continue;
        const p = await problemOf(res);
        assert.equal(p.type, "/problems/not-found", `${method} ${path}`);
        assert.equal(p.status, 404);
        assert.equal(p.path, path);
      }
    }
    const p = await problemOf(await app.request("/problems/nope"));
    assert.equal(p.type, "/problems/not-found");
  });

  test("a runtime without reduce state has no state routes: 404, not 405", async () => {
    const { createApp } = await import("../../src/http/index.ts");
    const app = createApp({
      runtime: "node",
      version: "0",
      registry: { list: async () => [], get: async () => undefined, put: never, delete: never },
      chains: { run: never },
      limits: {
        maxBodyBytes: 1,
        maxModuleBytes: 1,
        maxStages: 1,
        operator: { deadlineMs: 1, maxMemoryPages: 1 },
      },
      auth: {},
      builtins: [],
    } as unknown as Parameters<typeof createApp>[0]);
    const res = await app.request("/v1/state/wc", { method: "POST" });
    assert.equal(res.status, 404);
    assert.equal((await problemOf(res)).type, "/problems/not-found");
  });

  test("the new problem types are documented at /problems/<type> with their status", async () => {
    const app = await makeApp();
    for (const [type, status] of [
      ["not-found", 404],
      ["method-not-allowed", 405],
      ["not-acceptable", 406],
    ] as const) {
      assert.equal(PROBLEM_STATUS[type], status);
      const res = await app.request(`/problems/${type}`);
      assert.equal(res.status, 200, type);
      assert.match(await res.text(), new RegExp(`\\(${status}\\)`), type);
    }
  });
});

function never(): never {
  throw new Error("not called");
}
