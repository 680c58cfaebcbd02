// createFailedApp(): a runtime that could not start answers problems, not plain-text errors.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ColwasmError } from "../../src/error.ts";
import { createFailedApp } from "../../src/http/index.ts";

describe("createFailedApp()", () => {
  it("answers a plain Error as 500 internal problem+json without its message", async () => {
    const res = await createFailedApp(new Error("REDUCE_SHARDS must be >= 1 (secret-ish detail)")).request(
      "/v1/run",
    );
    assert.equal(res.status, 500);
    assert.match(res.headers.get("content-type") ?? "", /application\/problem\+json/);
    const text = await res.text();
    assert.equal((JSON.parse(text) as { type: string }).type, "/problems/internal");
    assert.ok(!text.includes("secret-ish"));
    assert.ok(res.headers.get("x-request-id"));
  });

  it("answers a ColwasmError as its own problem", async () => {
    const res = await createFailedApp(new ColwasmError("unavailable", "Starting")).request("/healthz");
    assert.equal(res.status, 503);
  });
});
