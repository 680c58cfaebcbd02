// InstancePool keeps idle instances for reuse, bounded across operators (least recently given back
// out first), so a host that ran many operator names does not pin their grown memories for good.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decodeBatch, encodeBatch, parseSchema, rowsToColumn } from "../../src/columnar/index.ts";
import { CopyMeter, type HostedOperator, InstancePool, prepareOperator } from "../../src/wasm/index.ts";
import { loadOperator, TEST_LIMITS } from "../support/operators.ts";

const schema = parseSchema("(String, i64)");
const batchOf = (rows: unknown[]) => decodeBatch(encodeBatch(rowsToColumn(schema, rows)), schema);
const lowercase = loadOperator("lowercase");
/** The same module under another name: what a Workers runner isolate holds for each name. */
const named = (name: string): HostedOperator => prepareOperator(name, lowercase.module);

/** Takes an instance of `op`, runs a batch of `rows` records through it, gives it back. */
function runOn(pool: InstancePool, op: HostedOperator, rows = 1) {
  const instance = pool.take(op);
  instance.run(batchOf(Array.from({ length: rows }, (_, i) => [`Word ${i}`, i])), new CopyMeter());
  pool.give(op, instance);
  return instance;
}

describe("InstancePool", () => {
  it("gives back the same instance to the next batch of the operator", () => {
    const pool = new InstancePool(TEST_LIMITS);
    const first = runOn(pool, lowercase);
    assert.equal(runOn(pool, lowercase), first);
    assert.equal(pool.idle.instances, 1);
  });

  it("keeps at most two idle instances of one operator", () => {
    const pool = new InstancePool(TEST_LIMITS);
    const taken = [pool.take(lowercase), pool.take(lowercase), pool.take(lowercase)];
    for (const instance of taken) pool.give(lowercase, instance);
    assert.equal(pool.idle.instances, 2);
  });

  it("keeps at most maxInstances idle across operators, the least recently given back out first", () => {
    const pool = new InstancePool(TEST_LIMITS, { idle: { maxInstances: 4 } });
    const ops = Array.from({ length: 10 }, (_, i) => named(`name_${i}`));
    const instances = ops.map((op) => runOn(pool, op));
    assert.equal(pool.idle.instances, 4);
    // the last four names are still warm, the first ones start fresh
    assert.equal(pool.take(ops[9]), instances[9]);
    assert.notEqual(pool.take(ops[0]), instances[0]);
  });

  it("forgets the idle instances of one operator and keeps the others", () => {
    const pool = new InstancePool(TEST_LIMITS);
    const [gone, kept] = [named("gone"), named("kept")];
    const taken = [pool.take(gone), pool.take(gone)];
    for (const instance of taken) pool.give(gone, instance);
    const keptInstance = runOn(pool, kept);
    assert.equal(pool.idle.instances, 3);
    pool.forget(gone);
    assert.equal(pool.idle.instances, 1);
    assert.ok(!taken.includes(pool.take(gone)));
    assert.equal(pool.take(kept), keptInstance);
  });

  it("keeps at most maxBytes of idle memory, and never an instance larger than that", () => {
    const pool = new InstancePool(TEST_LIMITS, { idle: { maxBytes: 3 * 1024 * 1024 } });
    for (let i = 0; i < 20; i++) runOn(pool, named(`n${i}`), 10);
    assert.ok(pool.idle.bytes <= 3 * 1024 * 1024, `${pool.idle.bytes} idle bytes`);
    assert.ok(pool.idle.instances >= 1);
    // an instance grown past the bound (a 4 MB batch) is not kept
    const big = named("big");
    const instance = pool.take(big);
    instance.run(batchOf(Array.from({ length: 150_000 }, (_, i) => [`Word ${i}`, i])), new CopyMeter());
    assert.ok(instance.memoryBytes > 3 * 1024 * 1024);
    pool.give(big, instance);
    assert.notEqual(pool.take(big), instance);
  });
});
