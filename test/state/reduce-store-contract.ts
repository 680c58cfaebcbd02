// The contract every ReduceStore honours (style §7: one suite for every implementation). Used by
// the memory store here; the durable stores are held to the same behaviour end to end in
// test/runtimes/*-reduce.test.ts.
import assert from "node:assert/strict";
import { it } from "node:test";
import { ColwasmError } from "../../src/error.ts";
import type { ReduceStore, ShardDelta } from "../../src/state/index.ts";

const delta = (keys: string[], deltas: bigint[], extra: Partial<ShardDelta> = {}): ShardDelta => ({
  namespace: "wc",
  shard: 0,
  keys,
  deltas: BigInt64Array.from(deltas),
  keyType: "String",
  ...extra,
});

/** Registers the contract tests for stores made by `make`. */
export function reduceStoreContract(make: () => ReduceStore): void {
  it("claimKeyType() binds a namespace once, refuses another type with 409, and drop() frees it", async () => {
    const store = make();
    await store.claimKeyType("wc", "String");
    await store.claimKeyType("wc", "String");
    await store.claimKeyType("other", "u64"); // namespaces are independent
    await assert.rejects(
      store.claimKeyType("wc", "u64"),
      (e: unknown) => e instanceof ColwasmError && e.type === "conflict" && /String/.test(e.message),
    );
    await store.applyShard(delta(["a"], [1n]));
    assert.equal(await store.drop("wc", 4), true);
    await store.claimKeyType("wc", "u64");
  });

  it("claimKeyType() lets exactly one of two concurrent first claims of different types win", async () => {
    const store = make();
    const results = await Promise.allSettled([
      store.claimKeyType("race", "String"),
      store.claimKeyType("race", "i64"),
    ]);
    assert.deepEqual(results.map((r) => r.status).sort(), ["fulfilled", "rejected"]);
  });

  it("applyShard() adds deltas and answers the new totals in key order", async () => {
    const store = make();
    assert.deepEqual([...(await store.applyShard(delta(["a", "b"], [2n, 3n]))).totals], [2n, 3n]);
    assert.deepEqual([...(await store.applyShard(delta(["b", "a"], [1n, -1n]))).totals], [4n, 1n]);
    assert.deepEqual((await store.readKey("wc", 0, "b"))?.total, 4n);
  });

  it("applyShard() deletes a key whose total reaches 0, and answers the 0", async () => {
    const store = make();
    await store.applyShard(delta(["a"], [5n]));
    assert.deepEqual([...(await store.applyShard(delta(["a"], [-5n]))).totals], [0n]);
    assert.equal(await store.readKey("wc", 0, "a"), undefined);
  });

  it("applyShard() wraps totals as i64", async () => {
    const store = make();
    await store.applyShard(delta(["a"], [9223372036854775807n]));
    assert.deepEqual([...(await store.applyShard(delta(["a"], [1n]))).totals], [-9223372036854775808n]);
  });

  it("applyShard() replays an idempotent retry without applying it again", async () => {
    const store = make();
    const idempotency = { key: "k1", bodyHash: "h1" };
    const first = await store.applyShard(delta(["a"], [2n], { idempotency }));
    const again = await store.applyShard(delta(["a"], [2n], { idempotency }));
    assert.deepEqual([...again.totals], [...first.totals]);
    assert.equal(again.isReplay, true);
    assert.equal((await store.readKey("wc", 0, "a"))?.total, 2n);
  });

  it("applyShard() rejects an idempotency key reused with another body as a conflict", async () => {
    const store = make();
    await store.applyShard(delta(["a"], [2n], { idempotency: { key: "k1", bodyHash: "h1" } }));
    await assert.rejects(
      store.applyShard(delta(["a"], [2n], { idempotency: { key: "k1", bodyHash: "h2" } })),
      (error: unknown) => error instanceof ColwasmError && error.type === "conflict",
    );
  });

  it("applyShard() refuses keys of another type in a namespace that holds state", async () => {
    const store = make();
    await store.applyShard(delta(["a"], [2n]));
    await assert.rejects(
      store.applyShard(delta(["1"], [2n], { keyType: "u64" })),
      (error: unknown) => error instanceof ColwasmError && error.type === "conflict",
    );
  });

  it("readAll() gathers every shard, drop() forgets the namespace", async () => {
    const store = make();
    await store.applyShard(delta(["a"], [1n], { shard: 0 }));
    await store.applyShard(delta(["b"], [2n], { shard: 3 }));
    const all = await store.readAll("wc", 4);
    assert.equal(all?.keyType, "String");
    assert.deepEqual(all?.totals.map((t) => [t.key, t.total]).sort(), [
      ["a", 1n],
      ["b", 2n],
    ]);
    assert.equal(await store.drop("wc", 4), true);
    assert.equal(await store.readAll("wc", 4), undefined);
    assert.equal(await store.drop("wc", 4), false);
  });
}
