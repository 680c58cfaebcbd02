// MemoryIdempotencyLedger holds the IdempotencyLedger contract on a test clock.
import { describe } from "node:test";
import { MemoryIdempotencyLedger } from "../../src/state/index.ts";
import { idempotencyLedgerContract } from "./idempotency-ledger-contract.ts";

describe("MemoryIdempotencyLedger", () => {
  let now = 1_000;
  const ttlMs = 100;
  idempotencyLedgerContract(() => new MemoryIdempotencyLedger({ ttlMs, now: () => now }), {
    ttlMs,
    pass: async (ms) => void (now += ms),
  });
});
