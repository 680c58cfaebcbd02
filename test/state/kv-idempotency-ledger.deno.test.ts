// KvIdempotencyLedger holds the IdempotencyLedger contract under `deno test` (real waits for the
// TTL). Run with:
//   node_modules/.bin/deno test --allow-read --allow-write --allow-env --unstable-kv test/state/kv-idempotency-ledger.deno.test.ts
import { after, describe } from "node:test";
import { KvIdempotencyLedger } from "../../src/runtimes/deno/kv-idempotency-ledger.deno.ts";
import { idempotencyLedgerContract } from "./idempotency-ledger-contract.ts";

const kv = await Deno.openKv(":memory:");
let ledgers = 0;
const ttlMs = 300;

describe("KvIdempotencyLedger", () => {
  after(() => kv.close());

  idempotencyLedgerContract(() => new KvIdempotencyLedger(kv, { prefix: ["test", ledgers++], ttlMs }), {
    ttlMs,
    pass: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  });
});
