// ReduceStore.keyTypeOf on the memory and Deno KV stores under `deno test`: undefined for a
// namespace without a key type, the type claimKeyType bound (one read, no shard walk), forgotten by
// drop; it binds nothing itself. The Durable Object store is held to it end to end in
// test/runtimes/state-key-type.test.ts. Run with:
//   node_modules/.bin/deno test --allow-read --allow-write --allow-env --unstable-kv test/state/key-type-of.deno.test.ts
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { KvReduceStore } from "../../src/runtimes/deno/kv-reduce-store.deno.ts";
import { FaultInjectingStore, MemoryReduceStore, type ReduceStore } from "../../src/state/index.ts";

const kv = await Deno.openKv(":memory:");
let stores = 0;

const makers: [string, () => ReduceStore][] = [
  ["MemoryReduceStore", () => new MemoryReduceStore()],
  ["KvReduceStore", () => new KvReduceStore(kv, { prefix: ["test", stores++] })],
  [
    "FaultInjectingStore over KV",
    () => new FaultInjectingStore(new KvReduceStore(kv, { prefix: ["test", stores++] }), new Set()),
  ],
];

describe("ReduceStore.keyTypeOf", () => {
  after(() => kv.close());

  for (const [name, make] of makers) {
    it(`${name}: undefined until claimed, the claimed type, undefined again after drop`, async () => {
      const store = make();
      assert.ok(store.keyTypeOf !== undefined);
      assert.equal(await store.keyTypeOf("nums"), undefined);
      assert.equal(await store.keyTypeOf("nums"), undefined, "asking binds nothing");
      await store.claimKeyType("nums", "u32");
      await store.claimKeyType("words", "String");
      await store.applyShard({
        namespace: "nums",
        shard: 3,
        keys: ["7"],
        deltas: BigInt64Array.of(2n),
        keyType: "u32",
      });
      assert.equal(await store.keyTypeOf("nums"), "u32");
      assert.equal(await store.keyTypeOf("words"), "String");
      assert.equal(await store.drop("nums", 16), true);
      assert.equal(await store.keyTypeOf("nums"), undefined);
      assert.equal(await store.keyTypeOf("words"), "String");
    });
  }
});
