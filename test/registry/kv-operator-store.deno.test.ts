// KvOperatorStore under `deno test`: modules larger than one KV commit (a plain Rust release build
// is several MB) are written in chunk commits and switched in by one entry commit; replacing and
// deleting remove the old chunks; entries of the older layout (chunks under the sha256) still read;
// chunks of a write that died before its entry commit are swept once old; concurrent writes of one
// name, from this process or from several (two stores on one database), all succeed and the last
// one wins whole (PUT is idempotent: a race is no 409). Run with:
//   node_modules/.bin/deno test --allow-read --allow-write --allow-env --unstable-kv test/registry/kv-operator-store.deno.test.ts
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { KvOperatorStore } from "../../src/runtimes/deno/kv-operator-store.deno.ts";
import type { StoredOperator } from "../../src/registry/index.ts";

const kv = await Deno.openKv(":memory:");
let stores = 0;
const prefixes: string[][] = [];
const make = (): { store: KvOperatorStore; prefix: string[] } => {
  const prefix = ["test", String(stores++)];
  prefixes.push(prefix);
  return { store: new KvOperatorStore(kv, { prefix }), prefix };
};

const record = (name: string, sha256: string, size: number): StoredOperator => ({
  entry: {
    name,
    abi: "colwasm/1",
    input: "(String, i64)",
    output: "(String, i64)",
    sha256,
    size,
    builtin: false,
    uploaded_at: "2026-01-01T00:00:00.000Z",
  },
  headers: {},
});

const bytes = (size: number, seed: number): Uint8Array =>
  Uint8Array.from({ length: size }, (_, i) => (i * 31 + seed) & 0xff);

async function keysUnder(prefix: Deno.KvKey): Promise<Deno.KvKey[]> {
  const keys: Deno.KvKey[] = [];
  for await (const item of kv.list({ prefix })) keys.push(item.key);
  return keys;
}

describe("KvOperatorStore", () => {
  after(() => kv.close());

  it("stores a 3 MB module across several commits and reads it back whole", async () => {
    const { store, prefix } = make();
    const big = bytes(3_000_000, 1);
    await store.putBlob(record("big", "a".repeat(64), big.byteLength), big);
    assert.deepEqual(await store.getBlob("big"), big);
    assert.equal((await keysUnder([...prefix, "blob", "big"])).length, Math.ceil(3_000_000 / 65_536));
  });

  it("replacing and deleting a module remove its chunks", async () => {
    const { store, prefix } = make();
    await store.putBlob(record("m", "a".repeat(64), 2_000_000), bytes(2_000_000, 2));
    const small = bytes(100_000, 3);
    await store.putBlob(record("m", "b".repeat(64), small.byteLength), small);
    assert.deepEqual(await store.getBlob("m"), small);
    assert.equal((await keysUnder([...prefix, "blob", "m"])).length, 2);
    assert.equal(await store.deleteBlob("m"), true);
    assert.deepEqual(await keysUnder([...prefix, "blob", "m"]), []);
    assert.equal(await store.getBlob("m"), undefined);
  });

  it("reads an entry of the older layout (chunks under its sha256) and deletes them when replaced", async () => {
    const { store, prefix } = make();
    const sha = "c".repeat(64);
    const old = bytes(70_000, 4);
    await kv
      .atomic()
      .set([...prefix, "blob", "legacy", sha, 0], old.slice(0, 65_536))
      .set([...prefix, "blob", "legacy", sha, 1], old.slice(65_536))
      .set([...prefix, "entry", "legacy"], { ...record("legacy", sha, old.byteLength), chunks: 2 })
      .commit();
    assert.deepEqual(await store.getBlob("legacy"), old);
    await store.putBlob(record("legacy", "d".repeat(64), 10), bytes(10, 5));
    assert.deepEqual(await keysUnder([...prefix, "blob", "legacy", sha]), []);
  });

  it("sweeps chunks of a write that died before its entry commit once they are old, not young ones", async () => {
    const { store, prefix } = make();
    const dead = `${Date.now() - 3_600_000}-dead`;
    const live = `${Date.now()}-another-upload-still-writing`;
    await kv.set([...prefix, "blob", "n", dead, 0], bytes(10, 6));
    await kv.set([...prefix, "blob", "n", live, 0], bytes(10, 7));
    await store.putBlob(record("n", "e".repeat(64), 10), bytes(10, 8));
    assert.deepEqual(await keysUnder([...prefix, "blob", "n", dead]), []);
    assert.equal((await keysUnder([...prefix, "blob", "n", live])).length, 1);
    assert.deepEqual(await store.getBlob("n"), bytes(10, 8));
  });

  /** Asserts `name` holds one of `modules` whole, and that only its chunks are left under the name. */
  async function holdsOneOf(
    store: KvOperatorStore,
    prefix: string[],
    name: string,
    modules: readonly Uint8Array[],
  ): Promise<void> {
    const stored = await store.getBlob(name);
    assert.ok(stored !== undefined, "no module stored");
    const k = modules.findIndex((m) => m.byteLength === stored.byteLength && Buffer.from(m).equals(stored));
    assert.ok(k >= 0, `the stored module (${stored.byteLength} bytes) is none of those written`);
    const entry = await store.getEntry(name);
    assert.equal(entry?.entry.sha256, `${k}`.padStart(64, "0"), "entry and bytes are of different writes");
    assert.equal(entry?.entry.size, stored.byteLength);
    assert.equal((await keysUnder([...prefix, "blob", name])).length, Math.ceil(stored.byteLength / 65_536));
  }

  it("8 concurrent writes of one name all succeed and one of them is stored whole", async () => {
    const { store, prefix } = make();
    // sizes from one chunk to several commits of chunks, so the writes finish their chunks at different times
    const modules = [10, 70_000, 900_000, 1_000, 200_000, 5, 65_536, 1_500_000].map((size, k) =>
      bytes(size, 20 + k),
    );
    for (let round = 0; round < 2; round++) {
      // round 0: a new name; round 1: replacing what round 0 stored
      const results = await Promise.allSettled(
        modules.map((m, k) => store.putBlob(record("raced", `${k}`.padStart(64, "0"), m.byteLength), m)),
      );
      assert.deepEqual(
        results.filter((r) => r.status === "rejected"),
        [],
        `round ${round}: every write succeeds`,
      );
      await holdsOneOf(store, prefix, "raced", modules);
    }
  });

  it("concurrent writes of one name from two stores on one database (two processes) all succeed", async () => {
    const { store, prefix } = make();
    const other = new KvOperatorStore(kv, { prefix });
    const modules = Array.from({ length: 16 }, (_, k) => bytes(1_000 + k * 5_000, 40 + k));
    const results = await Promise.allSettled(
      modules.map((m, k) =>
        (k % 2 === 0 ? store : other).putBlob(record("shared", `${k}`.padStart(64, "0"), m.byteLength), m),
      ),
    );
    assert.deepEqual(
      results.filter((r) => r.status === "rejected"),
      [],
    );
    await holdsOneOf(store, prefix, "shared", modules);
    await holdsOneOf(other, prefix, "shared", modules);
  });

  it("a delete racing writes of the name neither fails nor leaves chunks of a deleted module", async () => {
    const { store, prefix } = make();
    const modules = Array.from({ length: 6 }, (_, k) => bytes(100_000 + k, 60 + k));
    await store.putBlob(record("d", "0".repeat(64), modules[0].byteLength), modules[0]);
    const writes = modules.map((m, k) =>
      store.putBlob(record("d", `${k}`.padStart(64, "0"), m.byteLength), m),
    );
    const deleted = store.deleteBlob("d");
    const results = await Promise.allSettled([...writes, deleted]);
    assert.deepEqual(
      results.filter((r) => r.status === "rejected"),
      [],
    );
    if ((await store.getEntry("d")) === undefined)
      assert.deepEqual(await keysUnder([...prefix, "blob", "d"]), []);
    else await holdsOneOf(store, prefix, "d", modules);
  });
});
