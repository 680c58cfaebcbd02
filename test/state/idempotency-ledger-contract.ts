// The contract every IdempotencyLedger honours (src/state/idempotency-ledger.ts): the memory ledger
// under Node and Deno, the Deno KV ledger under `deno test`; the Durable Object ledger is held to
// it end to end in test/runtimes/workers-reduce.test.ts.
import assert from "node:assert/strict";
import { it } from "node:test";
import { ColwasmError } from "../../src/error.ts";
import { type IdempotencyLedger, reduceRecordKey, requestKeyOf } from "../../src/state/index.ts";

const isConflictNaming = (key: string) => (e: unknown) =>
  e instanceof ColwasmError &&
  e.type === "conflict" &&
  e.message.includes(`Idempotency-Key ${JSON.stringify(key)} `);

/**
 * Registers the contract tests for ledgers made by `make`, whose bindings last `ttlMs`; `pass(ms)`
 * lets that much time go by (a test clock, or a real wait).
 */
export function idempotencyLedgerContract(
  make: () => IdempotencyLedger,
  clock: { readonly ttlMs: number; pass(ms: number): Promise<void> },
): void {
  it("binds a key to the first fingerprint: the same one replays the claim, another is a 409 naming the key", async () => {
    const ledger = make();
    const first = await ledger.claim("K", "f1");
    assert.equal(first.isNew, true);
    const again = await ledger.claim("K", "f1");
    assert.deepEqual(again, { id: first.id, isNew: false });
    await assert.rejects(ledger.claim("K", "f2"), isConflictNaming("K"));
    // the conflict changed nothing: the original request still replays
    assert.deepEqual(await ledger.claim("K", "f1"), { id: first.id, isNew: false });
    // keys are independent
    const other = await ledger.claim("K2", "f2");
    assert.equal(other.isNew, true);
    assert.notEqual(other.id, first.id);
  });

  it("of concurrent claims of one key with different fingerprints, exactly one binds it", async () => {
    const ledger = make();
    const settled = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) => ledger.claim("race", `f${i}`)),
    );
    const bound = settled.filter((s) => s.status === "fulfilled");
    assert.equal(bound.length, 1);
    for (const s of settled) if (s.status === "rejected") assert.ok(isConflictNaming("race")(s.reason));
  });

  it("forgets a binding after the TTL: the key binds again, with a new claim", async () => {
    const ledger = make();
    const first = await ledger.claim("ttl", "f1");
    await clock.pass(clock.ttlMs / 2);
    assert.equal((await ledger.claim("ttl", "f1")).isNew, false);
    await clock.pass(clock.ttlMs / 2 + 50);
    const next = await ledger.claim("ttl", "f2");
    assert.equal(next.isNew, true);
    assert.notEqual(next.id, first.id);
  });

  it("reduce record keys give back the key as sent", async () => {
    const claim = await make().claim("a#1 b", "f");
    const record = reduceRecordKey("a#1 b", claim);
    assert.equal(requestKeyOf(`${record}#0`), "a#1 b");
    assert.equal(requestKeyOf(`${record}#12#chunk3`), "a#1 b");
    assert.equal(requestKeyOf("a#1 b#0"), "a#1 b"); // records made before claims
  });
}
