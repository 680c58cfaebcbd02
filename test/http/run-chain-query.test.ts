// The `chain` query parameter of POST /v1/run (spec/http-api.md §Running a chain): each way it
// can be wrong is a 400 bad-request whose issue says what is wrong with it.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { batch, makeApp, problemOf, run } from "./app-fixture.ts";

describe("POST /v1/run chain parameter", () => {
  test("a chain over 4096 characters is refused as too long, not as missing", async () => {
    const app = await makeApp();
    const res = await run(app, "a".repeat(4097), batch([["a", 1]]));
    assert.equal(res.status, 400);
    const problem = await problemOf(res);
    assert.equal(problem.type, "/problems/bad-request");
    const issues = problem.issues as { path: string[]; message: string; code: string }[];
    assert.deepEqual(
      issues.map((i) => [i.path, i.code]),
      [[["chain"], "too_big"]],
    );
    assert.doesNotMatch(issues[0].message, /missing/);
    assert.match(issues[0].message, /4096/);
  });

  test("a missing chain is refused as missing", async () => {
    const app = await makeApp();
    const res = await app.request("/v1/run", {
      method: "POST",
      body: batch([["a", 1]]),
      headers: { "content-type": "application/x-columnar", "columnar-schema": "(String, i64)" },
    });
    assert.equal(res.status, 400);
    const issues = (await problemOf(res)).issues as { message: string }[];
    assert.match(issues[0].message, /missing/);
  });
});
