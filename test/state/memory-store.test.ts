// MemoryReduceStore holds the ReduceStore contract, and forgets idempotency keys after its TTL.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MemoryReduceStore } from "../../src/state/index.ts";
import { reduceStoreContract } from "./reduce-store-contract.ts";

describe("MemoryReduceStore", () => {
  reduceStoreContract(() => new MemoryReduceStore());

  it("honours an Idempotency-Key for the TTL, then forgets it and applies the batch again", async () => {
    let now = 1_000;
    const store = new MemoryReduceStore({ idempotencyTtlMs: 100, now: () => now });
    const delta = {
      namespace: "wc",
      shard: 0,
      keys: ["a"],
      deltas: BigInt64Array.of(2n),
      keyType: "String",
      idempotency: { key: "k", bodyHash: "h" },
    };
    assert.deepEqual([...(await store.applyShard(delta)).totals], [2n]);
    now += 99;
    const replay = await store.applyShard(delta);
    assert.deepEqual([replay.isReplay, ...replay.totals], [true, 2n]);
    now += 1;
    const again = await store.applyShard(delta);
    assert.deepEqual([again.isReplay, ...again.totals], [false, 4n]);
  });
});
