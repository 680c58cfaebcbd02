// ShardedReduce: pre-aggregates by key, one store call per touched shard, changed totals in
// first-appearance order; partial shard failures are retryable and complete exactly once.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  columnToRows,
  decodeBatch,
  encodeBatch,
  parseSchema,
  rowsToColumn,
} from "../../src/columnar/index.ts";
import { parseChain, planChain, type ReduceStage } from "../../src/chain/index.ts";
import { ColwasmError } from "../../src/error.ts";
import {
  aggregateKeys,
  fnv1a32,
  MemoryReduceStore,
  type ReduceStore,
  ShardedReduce,
  type ShardDelta,
} from "../../src/state/index.ts";

async function stageFor(schemaText: string): Promise<ReduceStage> {
  const plan = await planChain(parseChain("reduce:wc"), parseSchema(schemaText), {
    resolve: () => Promise.reject(new Error("no operators")),
  });
  const stage = plan.stages[0];
  if (stage.kind !== "reduce") throw new Error("expected a reduce stage");
  return { ...stage, index: 0 };
}

const batchOf = (schemaText: string, rows: unknown[]) => {
  const schema = parseSchema(schemaText);
  return decodeBatch(encodeBatch(rowsToColumn(schema, rows)), schema);
};

describe("aggregateKeys()", () => {
  it("sums diffs per distinct key in first-appearance order", () => {
    const view = batchOf("(String, i64)", [
      ["b", 1],
      ["a", 2],
      ["b", 3],
      ["", 4],
      ["a", -2],
    ]);
    if (view.column.kind !== "tuple") throw new Error("tuple");
    const [key, diff] = view.column.elements;
    if (diff.kind !== "i64") throw new Error("i64");
    const agg = aggregateKeys(key, diff.data);
    assert.deepEqual(agg.keys, ["b", "a", ""]);
    assert.deepEqual([...agg.sums], [4n, 0n, 4n]);
    assert.deepEqual([...agg.firstIndex], [0, 1, 3]);
    assert.equal(agg.hashes[0], fnv1a32(new TextEncoder().encode("b")));
  });
});

/** A String key column of `keys` (built directly: a million rows through rowsToColumn is slow). */
function stringColumn(keys: readonly string[]) {
  const encoded = keys.map((k) => new TextEncoder().encode(k));
  const bytes = new Uint8Array(encoded.reduce((sum, e) => sum + e.length, 0));
  const bounds = new BigUint64Array(keys.length);
  let at = 0;
  encoded.forEach((e, i) => {
    bytes.set(e, at);
    at += e.length;
    bounds[i] = BigInt(at);
  });
  return { kind: "string" as const, length: keys.length, bounds, bytes };
}

/** What aggregateKeys must answer, computed the plain way: a Map of BigInt sums. */
function referenceAggregate(keys: readonly string[], diffs: BigInt64Array) {
  const sums = new Map<string, { first: number; sum: bigint }>();
  keys.forEach((k, i) => {
    const entry = sums.get(k);
    if (entry === undefined) sums.set(k, { first: i, sum: BigInt.asIntN(64, diffs[i]) });
    else entry.sum = BigInt.asIntN(64, entry.sum + diffs[i]);
  });
  return {
    keys: [...sums.keys()],
    sums: [...sums.values()].map((e) => e.sum),
    firstIndex: [...sums.values()].map((e) => e.first),
  };
}

describe("aggregateKeys() on String keys, against a plain Map of BigInt sums", () => {
  it("random batches: repeats, empty and non-ASCII keys, diffs at the ends of i64", () => {
    let seed = 12345;
    const random = (below: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % below;
    };
    const alphabet = ["a", "b", "é", "日", "🙂", ""];
    const extremes = [-(2n ** 63n), 2n ** 63n - 1n, -1n, 0n, 1n, 2n ** 32n - 1n, -(2n ** 31n), 2n ** 31n];
    for (let round = 0; round < 40; round++) {
      const n = random(3000);
      const distinct = 1 + random(round % 2 === 0 ? 20 : 2000);
      const names = Array.from(
        { length: distinct },
        (_, d) =>
          Array.from({ length: random(6) }, () => alphabet[random(alphabet.length)]).join("") +
          (d % 3 === 0 ? "" : d),
      );
      const keys = Array.from({ length: n }, () => names[random(names.length)]);
      const diffs = BigInt64Array.from(keys, () =>
        random(3) === 0 ? extremes[random(extremes.length)] : BigInt(random(2001) - 1000),
      );
      const agg = aggregateKeys(stringColumn(keys), diffs);
      const expected = referenceAggregate(keys, diffs);
      assert.deepEqual(agg.keys, expected.keys);
      assert.deepEqual([...agg.sums], expected.sums);
      assert.deepEqual([...agg.firstIndex], expected.firstIndex);
      const encoder = new TextEncoder();
      assert.deepEqual(
        [...agg.hashes],
        expected.keys.map((k) => fnv1a32(encoder.encode(k))),
      );
    }
  });

  it("stays exact over 2^21 records of one key with diffs near 2^63 (where a double alone would round)", () => {
    // the low words of 2^21 diffs of 2^32 - 1 pass 2^53: only carrying them into the high words keeps the sum exact
    const n = 2 ** 21 + 4321;
    const bytes = new Uint8Array(n).fill(0x61); // every key is "a"
    const bounds = BigUint64Array.from({ length: n }, (_, i) => BigInt(i + 1));
    const diffs = new BigInt64Array(n).fill(2n ** 63n - 1n);
    diffs[7] = -(2n ** 63n);
    const agg = aggregateKeys({ kind: "string", length: n, bounds, bytes }, diffs);
    assert.deepEqual(agg.keys, ["a"]);
    assert.deepEqual([...agg.sums], [BigInt.asIntN(64, BigInt(n - 1) * (2n ** 63n - 1n) - 2n ** 63n)]);
  });
});

describe("ShardedReduce", () => {
  it("answers one (K, i64) row per distinct key with its new total, zeros included", async () => {
    const reduce = new ShardedReduce(new MemoryReduceStore(), { shards: 4 });
    const stage = await stageFor("(String, i64)");
    await reduce.applyReduce(stage, batchOf("(String, i64)", [["x", 5]]), {});
    const out = await reduce.applyReduce(
      stage,
      batchOf("(String, i64)", [
        ["y", 1],
        ["x", -5],
        ["y", 1],
      ]),
      {},
    );
    assert.deepEqual(columnToRows(out.schema, out.column), [
      ["y", 2],
      ["x", 0],
    ]);
  });

  it("takes integer keys and struct-shaped input", async () => {
    const reduce = new ShardedReduce(new MemoryReduceStore(), { shards: 4 });
    const stage = await stageFor("{word: u32, diff: i64}");
    const out = await reduce.applyReduce(
      stage,
      batchOf("{word: u32, diff: i64}", [
        { word: 7, diff: 1 },
        { word: 7, diff: 2 },
      ]),
      {},
    );
    assert.deepEqual(columnToRows(out.schema, out.column), [[7, 3]]);
  });

  it("refuses a batch of another key type with 409 before any shard changes, even shards still empty", async () => {
    const store = new MemoryReduceStore();
    const reduce = new ShardedReduce(store, { shards: 16 });
    // one String key: it lands on one shard, the 15 others stay empty
    await reduce.applyReduce(await stageFor("(String, i64)"), batchOf("(String, i64)", [["a", 1]]), {});
    const before = await store.readAll("wc", 16);
    const numbers = Array.from({ length: 200 }, (_, i) => [i, 1]);
    await assert.rejects(
      reduce.applyReduce(await stageFor("(u64, i64)"), batchOf("(u64, i64)", numbers), {}),
      (error: unknown) =>
        error instanceof ColwasmError && error.type === "conflict" && /String/.test(error.message),
    );
    assert.deepEqual(await store.readAll("wc", 16), before);
    // dropping the namespace frees its key type
    assert.ok(await store.drop("wc", 16));
    await reduce.applyReduce(await stageFor("(u64, i64)"), batchOf("(u64, i64)", numbers), {});
    assert.equal((await store.readAll("wc", 16))?.keyType, "u64");
  });

  it("binds no key type for an empty batch", async () => {
    const store = new MemoryReduceStore();
    const reduce = new ShardedReduce(store, { shards: 16 });
    const out = await reduce.applyReduce(await stageFor("(u64, i64)"), batchOf("(u64, i64)", []), {});
    assert.equal(out.length, 0);
    await reduce.applyReduce(await stageFor("(String, i64)"), batchOf("(String, i64)", [["a", 1]]), {});
    assert.equal((await store.readAll("wc", 16))?.keyType, "String");
  });

  it("binds a namespace's key type once: of two concurrent first batches of different types, one wins", async () => {
    const store = new MemoryReduceStore();
    const reduce = new ShardedReduce(store, { shards: 16 });
    const results = await Promise.allSettled([
      reduce.applyReduce(
        await stageFor("(String, i64)"),
        batchOf("(String, i64)", [
          ["a", 1],
          ["b", 1],
        ]),
        {},
      ),
      reduce.applyReduce(
        await stageFor("(i64, i64)"),
        batchOf("(i64, i64)", [
          [1, 1],
          [2, 1],
        ]),
        {},
      ),
    ]);
    assert.deepEqual(
      results.map((r) => r.status),
      ["fulfilled", "rejected"],
    );
    assert.equal((await store.readAll("wc", 16))?.keyType, "String");
  });

  it("makes exactly one store call per touched shard", async () => {
    const store = new MemoryReduceStore();
    const reduce = new ShardedReduce(store, { shards: 16 });
    const words = Array.from({ length: 500 }, (_, i) => [`w${i % 200}`, 1]);
    await reduce.applyReduce(await stageFor("(String, i64)"), batchOf("(String, i64)", words), {});
    const touched = new Set(
      Array.from({ length: 200 }, (_, i) => fnv1a32(new TextEncoder().encode(`w${i}`)) % 16),
    );
    assert.equal(store.calls, touched.size);
    assert.equal(touched.size, 16);
  });

  it("answers 503 unavailable when some shards fail, and a retry with the key completes exactly once", async () => {
    const memory = new MemoryReduceStore();
    let failShard: number | undefined = 5;
    const flaky: ReduceStore = {
      claimKeyType: (n, t) => memory.claimKeyType(n, t),
      applyShard: (d: ShardDelta) =>
        d.shard === failShard ? Promise.reject(new Error("injected")) : memory.applyShard(d),
      readAll: (n, s) => memory.readAll(n, s),
      readKey: (n, s, k) => memory.readKey(n, s, k),
      drop: (n, s) => memory.drop(n, s),
    };
    const reduce = new ShardedReduce(flaky, { shards: 16 });
    const stage = await stageFor("(String, i64)");
    const rows = Array.from({ length: 300 }, (_, i) => [`k${i % 100}`, 1]);
    const context = { idempotency: { key: "req-1", bodyHash: "h" } };
    await assert.rejects(
      reduce.applyReduce(stage, batchOf("(String, i64)", rows), context),
      (error: unknown) => error instanceof ColwasmError && error.type === "unavailable",
    );
    failShard = undefined;
    await reduce.applyReduce(stage, batchOf("(String, i64)", rows), context);
    await reduce.applyReduce(stage, batchOf("(String, i64)", rows), context);
    const all = await memory.readAll("wc", 16);
    assert.equal(all?.totals.length, 100);
    assert.ok(all?.totals.every((t) => t.total === 3n));
  });
});
