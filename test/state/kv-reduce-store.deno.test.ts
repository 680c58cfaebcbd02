// KvReduceStore holds the ReduceStore contract under `deno test` (node:test runs there as steps),
// plus what only a KV store has: chunked commits, per-chunk exactly-once, check-and-retry under
// concurrency, keys too long for a KV key. Run with:
//   node_modules/.bin/deno test --allow-read --allow-write --allow-env --unstable-kv test/state/kv-reduce-store.deno.test.ts
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { ColwasmError } from "../../src/error.ts";
import { KvReduceStore } from "../../src/runtimes/deno/kv-reduce-store.deno.ts";
import type { ShardDelta } from "../../src/state/index.ts";
import { reduceStoreContract } from "./reduce-store-contract.ts";

const kv = await Deno.openKv(":memory:");
let stores = 0;
/** A fresh store: its own key prefix in the one in-memory database. */
const make = (): KvReduceStore => new KvReduceStore(kv, { prefix: ["test", stores++] });

const delta = (keys: string[], deltas: bigint[], extra: Partial<ShardDelta> = {}): ShardDelta => ({
  namespace: "wc",
  shard: 0,
  keys,
  deltas: BigInt64Array.from(deltas),
  keyType: "String",
  ...extra,
});

describe("KvReduceStore", () => {
  after(() => kv.close());

  reduceStoreContract(make);

  it("applies a delta larger than one commit in chunks and replays every chunk", async () => {
    const store = make();
    const keys = Array.from({ length: 1000 }, (_, i) => `key-${i}`);
    const diffs = keys.map((_, i) => BigInt(i + 1));
    const idempotency = { key: "big", bodyHash: "h" };
    const first = await store.applyShard(delta(keys, diffs, { idempotency }));
    assert.deepEqual([...first.totals], diffs);
    assert.equal(first.isReplay, false);
    const again = await store.applyShard(delta(keys, diffs, { idempotency }));
    assert.deepEqual([...again.totals], diffs);
    assert.equal(again.isReplay, true);
    const all = await store.readAll("wc", 1);
    assert.equal(all?.totals.length, 1000);
    assert.equal((await store.readKey("wc", 0, "key-999"))?.total, 1000n);
    await assert.rejects(
      store.applyShard(
        delta(
          keys,
          diffs.map((d) => -d),
          { idempotency: { key: "big", bodyHash: "other" } },
        ),
      ),
      (error: unknown) => error instanceof ColwasmError && error.type === "conflict",
    );
  });

  it("drops a namespace after a batch in flight on its shard, never in the middle of it", async () => {
    const store = make();
    const keys = Array.from({ length: 2000 }, (_, i) => `k${i}`);
    await store.claimKeyType("dz", "String");
    // 21 chunk commits; the drop is asked for while they run
    const applied = store.applyShard(
      delta(
        keys,
        keys.map(() => 1n),
        { namespace: "dz" },
      ),
    );
    const dropped = store.drop("dz", 1);
    assert.equal((await applied).totals.length, 2000);
    assert.equal(await dropped, true);
    assert.equal(await store.readAll("dz", 1), undefined, "nothing of the batch is left behind");
    // a batch of another key type then starts from nothing
    await store.claimKeyType("dz", "u64");
    await store.applyShard(delta(["7"], [1n], { namespace: "dz", keyType: "u64" }));
    assert.deepEqual(await store.readAll("dz", 1), { keyType: "u64", totals: [{ key: "7", total: 1n }] });
  });

  it("drops a shard of 1,200 keys of 1,400 bytes (1000 such deletions are over KV's 819 200-byte commit)", async () => {
    const store = make();
    const keys = Array.from({ length: 1200 }, (_, i) => `${i}:`.padEnd(1400, "w"));
    await store.claimKeyType("long", "String");
    await store.applyShard(
      delta(
        keys,
        keys.map(() => 2n),
        { namespace: "long" },
      ),
    );
    assert.equal((await store.readAll("long", 1))?.totals.length, 1200);
    assert.equal(await store.drop("long", 1), true);
    assert.equal(await store.readAll("long", 1), undefined);
    assert.equal(await store.drop("long", 1), false);
  });

  it("completes a shard left half-applied by a crash between chunks exactly once", async () => {
    const store = make();
    const keys = Array.from({ length: 300 }, (_, i) => `w${i}`);
    const diffs = keys.map(() => 7n);
    const idempotency = { key: "crash", bodyHash: "h" };
    // what the first chunk commits before the crash: the same first keys and the same record
    await store.applyShard(delta(keys.slice(0, 96), diffs.slice(0, 96), { idempotency }));
    const done = await store.applyShard(delta(keys, diffs, { idempotency }));
    assert.equal(done.isReplay, false);
    assert.deepEqual([...done.totals], diffs);
    const all = await store.readAll("wc", 1);
    assert.deepEqual(new Set(all?.totals.map((t) => t.total)), new Set([7n]));
    assert.equal(all?.totals.length, 300);
  });

  it("keeps exact totals under concurrent overlapping commits from two processes (check + retry)", async () => {
    // Two stores on one KV act like two processes: each queues its own commits per shard, so only
    // the other one's commits can fail its checks.
    const store = make();
    const other = new KvReduceStore(kv, { prefix: ["test", stores - 1] });
    const keys = ["a", "b", "c", "d", "e"];
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        (i % 4 < 2 ? store : other).applyShard(
          delta(i % 2 === 0 ? keys : keys.slice(2), keys.map(() => 1n).slice(i % 2 === 0 ? 0 : 2)),
        ),
      ),
    );
    const all = await store.readAll("wc", 1);
    assert.deepEqual(
      new Map(all?.totals.map((t) => [t.key, t.total])),
      new Map([
        ["a", 20n],
        ["b", 20n],
        ["c", 40n],
        ["d", 40n],
        ["e", 40n],
      ]),
    );
    assert.ok(store.retries + other.retries > 0, "some commits lost their checks and were retried");
  });

  it("applies one process's concurrent commits to a shard in turn, without retries", async () => {
    const store = make();
    await Promise.all(Array.from({ length: 30 }, () => store.applyShard(delta(["a", "b"], [1n, 1n]))));
    assert.equal((await store.readKey("wc", 0, "a"))?.total, 30n);
    assert.equal(store.retries, 0);
  });

  it("stores keys too long for a KV key by hash and reads them back", async () => {
    const store = make();
    const long = "x".repeat(5000);
    assert.deepEqual([...(await store.applyShard(delta([long, "short"], [3n, 1n]))).totals], [3n, 1n]);
    assert.deepEqual([...(await store.applyShard(delta([long], [2n]))).totals], [5n]);
    assert.equal((await store.readKey("wc", 0, long))?.total, 5n);
    const all = await store.readAll("wc", 1);
    assert.deepEqual(
      new Map(all?.totals.map((t) => [t.key, t.total])),
      new Map([
        [long, 5n],
        ["short", 1n],
      ]),
    );
    assert.deepEqual([...(await store.applyShard(delta([long], [-5n]))).totals], [0n]);
    assert.equal(await store.readKey("wc", 0, long), undefined);
  });

  it("honours an Idempotency-Key for the TTL, then forgets it and applies the batch again", async () => {
    const store = new KvReduceStore(kv, { prefix: ["test", stores++], idempotencyTtlMs: 200 });
    const idempotency = { key: "ttl", bodyHash: "h" };
    assert.deepEqual([...(await store.applyShard(delta(["a"], [2n], { idempotency }))).totals], [2n]);
    assert.equal((await store.applyShard(delta(["a"], [2n], { idempotency }))).isReplay, true);
    await new Promise((resolve) => setTimeout(resolve, 250));
    const again = await store.applyShard(delta(["a"], [2n], { idempotency }));
    assert.deepEqual([again.isReplay, ...again.totals], [false, 4n]);
  });

  it("allows another key type once the namespace's shard holds no keys", async () => {
    const store = make();
    await store.applyShard(delta(["a"], [1n]));
    await store.applyShard(delta(["a"], [-1n]));
    assert.deepEqual([...(await store.applyShard(delta(["1"], [4n], { keyType: "u64" }))).totals], [4n]);
    assert.equal((await store.readKey("wc", 0, "1"))?.keyType, "u64");
  });
});
