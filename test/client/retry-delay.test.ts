// retryDelayMs() and parseRetryAfter(): Retry-After (seconds or HTTP-date) wins over backoff, capped.
import assert from "node:assert/strict";
import { test } from "node:test";
import { MAX_RETRY_DELAY_MS, parseRetryAfter, retryDelayMs } from "../../src/client/index.ts";

test("parseRetryAfter() reads delay-seconds and HTTP-dates", () => {
  assert.equal(parseRetryAfter("2"), 2000);
  assert.equal(parseRetryAfter(new Date(10_000).toUTCString(), 4_000), 6000);
  assert.equal(parseRetryAfter("soon"), undefined);
  assert.equal(parseRetryAfter(null), undefined);
});

test("retryDelayMs() honours Retry-After up to the cap", () => {
  assert.equal(retryDelayMs(5, { retryAfterMs: 1000 }), 1000);
  assert.equal(retryDelayMs(0, { retryAfterMs: 3_600_000 }), MAX_RETRY_DELAY_MS);
});

test("retryDelayMs() backs off exponentially with full jitter", () => {
  assert.equal(retryDelayMs(0, { random: () => 1 }), 200);
  assert.equal(retryDelayMs(3, { random: () => 1 }), 1600);
  assert.equal(retryDelayMs(3, { random: () => 0 }), 0);
  assert.equal(retryDelayMs(30, { random: () => 1 }), MAX_RETRY_DELAY_MS);
});
