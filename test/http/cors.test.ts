// Cross-origin access for browser pages (src/http/cors.ts, COLWASM_CORS_ORIGINS) on the in-process
// app: preflights answered with the path's methods and no token, answers (problems too) readable
// by listed origins only, the run headers exposed, and the setting's parsing.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseCorsOrigins } from "../../src/http/index.ts";
import { ADMIN, batch, makeApp, SCHEMA } from "./app-fixture.ts";

const APP_ORIGIN = "https://app.example";

function preflight(path: string, origin: string, extra: Record<string, string> = {}): Request {
  return new Request(`http://colwasm${path}`, {
    method: "OPTIONS",
    headers: {
      origin,
      "access-control-request-method": "POST",
      "access-control-request-headers": "authorization, columnar-schema, content-type",
      ...extra,
    },
  });
}

describe("CORS", () => {
  test("without COLWASM_CORS_ORIGINS no answer carries a CORS field", async () => {
    const app = await makeApp();
    const pre = await app.request(preflight("/v1/run?chain=lowercase", APP_ORIGIN));
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get("access-control-allow-origin"), null);
    const res = await app.request("/healthz", { headers: { origin: APP_ORIGIN } });
    assert.equal(res.headers.get("access-control-allow-origin"), null);
    assert.equal(res.headers.get("vary"), null);
  });

  test("a listed origin's preflight gets the path's methods, its headers, a max age, and needs no token", async () => {
    const app = await makeApp({
      cors: [APP_ORIGIN, "http://localhost:5173"],
      auth: { adminToken: ADMIN, runToken: "run" },
    });
    const res = await app.request(
      preflight("/v1/operators/mine", APP_ORIGIN, { "access-control-request-method": "PUT" }),
    );
    assert.equal(res.status, 204);
    assert.equal(res.headers.get("access-control-allow-origin"), APP_ORIGIN);
    assert.equal(res.headers.get("access-control-allow-methods"), "GET, HEAD, PUT, DELETE, OPTIONS");
    assert.equal(
      res.headers.get("access-control-allow-headers"),
      "authorization, columnar-schema, content-type",
    );
    assert.equal(res.headers.get("access-control-max-age"), "7200");
    assert.equal(res.headers.get("access-control-allow-credentials"), null);
    assert.match(res.headers.get("vary") ?? "", /\bOrigin\b/);
    const other = await app.request(preflight("/v1/run", "http://localhost:5173"));
    assert.equal(other.headers.get("access-control-allow-origin"), "http://localhost:5173");
  });

  test("an origin not listed gets no CORS fields, and an unknown path's preflight stays a 404", async () => {
    const app = await makeApp({ cors: [APP_ORIGIN] });
    const res = await app.request(preflight("/v1/run", "https://evil.example"));
    assert.equal(res.status, 204);
    assert.equal(res.headers.get("access-control-allow-origin"), null);
    assert.equal(res.headers.get("access-control-allow-methods"), null);
    assert.match(res.headers.get("vary") ?? "", /\bOrigin\b/);
    const unknown = await app.request(preflight("/v1/nope", APP_ORIGIN));
    assert.equal(unknown.status, 404);
    assert.equal(unknown.headers.get("access-control-allow-methods"), null);
  });

  test("a run from a listed origin exposes its schema, timing and copy headers", async () => {
    const app = await makeApp({ cors: [APP_ORIGIN] });
    const res = await app.request("/v1/run?chain=lowercase", {
      method: "POST",
      headers: { origin: APP_ORIGIN, "content-type": "application/x-columnar", "columnar-schema": SCHEMA },
      body: batch([["A", 1]]),
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("access-control-allow-origin"), APP_ORIGIN);
    const exposed = (res.headers.get("access-control-expose-headers") ?? "").split(", ");
    for (const name of [
      "Columnar-Schema",
      "Columnar-Format",
      "Server-Timing",
      "Colwasm-Copied-Bytes",
      "X-Request-Id",
    ])
      assert.ok(exposed.includes(name), `${name} in ${exposed.join(", ")}`);
    assert.equal(res.headers.get("timing-allow-origin"), APP_ORIGIN);
  });

  test("problems are readable by a listed origin: a 401 and a 400 from a page", async () => {
    const app = await makeApp({ cors: "*", auth: { adminToken: ADMIN, runToken: "run" } });
    const denied = await app.request("/v1/run?chain=lowercase", {
      method: "POST",
      headers: { origin: APP_ORIGIN, "content-type": "application/x-columnar", "columnar-schema": SCHEMA },
      body: batch([["A", 1]]),
    });
    assert.equal(denied.status, 401);
    assert.equal(denied.headers.get("access-control-allow-origin"), "*");
    assert.equal(denied.headers.get("vary"), null, "* answers every origin alike");
    const bad = await app.request("/v1/run?chain=lowercase", {
      method: "POST",
      headers: {
        origin: APP_ORIGIN,
        authorization: "Bearer run",
        "content-type": "application/x-columnar",
        "columnar-schema": "(String,",
      },
      body: batch([["A", 1]]),
    });
    assert.equal(bad.status, 400);
    assert.equal(bad.headers.get("access-control-allow-origin"), "*");
    assert.match(bad.headers.get("access-control-expose-headers") ?? "", /X-Request-Id/);
  });

  test("a Private Network Access preflight is allowed for a listed origin", async () => {
    const app = await makeApp({ cors: [APP_ORIGIN] });
    const res = await app.request(
      preflight("/v1/run", APP_ORIGIN, { "access-control-request-private-network": "true" }),
    );
    assert.equal(res.headers.get("access-control-allow-private-network"), "true");
    const plain = await app.request(preflight("/v1/run", APP_ORIGIN));
    assert.equal(plain.headers.get("access-control-allow-private-network"), null);
  });

  test("COLWASM_CORS_ORIGINS parses to off, any, or a list of origins, and names itself when wrong", () => {
    assert.equal(parseCorsOrigins(undefined), undefined);
    assert.equal(parseCorsOrigins(" "), undefined);
    assert.equal(parseCorsOrigins("*"), "*");
    assert.deepEqual(parseCorsOrigins("https://a.example, http://localhost:5173"), [
      "https://a.example",
      "http://localhost:5173",
    ]);
    for (const bad of [
      "https://a.example/",
      "https://a.example/app",
      "a.example",
      "https://a.example,*",
      "null",
    ])
      assert.throws(() => parseCorsOrigins(bad), /COLWASM_CORS_ORIGINS must be/, bad);
  });
});
