// Contract suite of every OperatorStore, plus the registry over a disk store surviving a restart.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { DiskOperatorStore } from "../../src/registry/disk-store.node.ts";
import {
  MemoryOperatorStore,
  type OperatorStore,
  RegistryCore,
  type StoredOperator,
} from "../../src/registry/index.ts";
import { DEFAULT_OPERATOR_LIMITS } from "../../src/wasm/index.ts";
import { operatorWasm } from "../http/app-fixture.ts";

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "colwasm-store-"));
  dirs.push(dir);
  return dir;
};
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const record = (name: string, sha256: string): StoredOperator => ({
  entry: {
    name,
    abi: "colwasm/1",
    input: "(String, i64)",
    output: "(String, i64)",
    sha256,
    size: 3,
    builtin: false,
    uploaded_at: "2026-01-01T00:00:00.000Z",
  },
  headers: { abi: "colwasm/1" },
});

const stores: [string, () => OperatorStore][] = [
  ["MemoryOperatorStore", () => new MemoryOperatorStore()],
  ["DiskOperatorStore", () => new DiskOperatorStore(join(tempDir(), "ops"))],
];

for (const [label, makeStore] of stores) {
  describe(`${label} (OperatorStore contract)`, () => {
    test("putBlob() stores record and bytes; getEntry()/getBlob()/listEntries() read them", async () => {
      const store = makeStore();
      assert.deepEqual(await store.listEntries(), []);
      await store.putBlob(record("a", "01"), Uint8Array.of(1, 2, 3));
      assert.deepEqual(await store.getEntry("a"), record("a", "01"));
      assert.deepEqual(await store.getBlob("a"), Uint8Array.of(1, 2, 3));
      assert.deepEqual(
        (await store.listEntries()).map((r) => r.entry.name),
        ["a"],
      );
    });

    test("putBlob() replaces record and bytes together", async () => {
      const store = makeStore();
      await store.putBlob(record("a", "01"), Uint8Array.of(1));
      await store.putBlob(record("a", "02"), Uint8Array.of(2, 2));
      assert.equal((await store.getEntry("a"))?.entry.sha256, "02");
      assert.deepEqual(await store.getBlob("a"), Uint8Array.of(2, 2));
      assert.equal((await store.listEntries()).length, 1);
    });

    test("deleteBlob() removes an operator and says whether it existed", async () => {
      const store = makeStore();
      await store.putBlob(record("a", "01"), Uint8Array.of(1));
      assert.equal(await store.deleteBlob("a"), true);
      assert.equal(await store.deleteBlob("a"), false);
      assert.equal(await store.getEntry("a"), undefined);
      assert.equal(await store.getBlob("a"), undefined);
    });
  });
}

describe("RegistryCore over DiskOperatorStore", () => {
  test("an uploaded operator survives a restart and still resolves", async () => {
    const dir = tempDir();
    const options = {
      compile: (b: Uint8Array) => WebAssembly.compile(b.slice()),
      limits: { maxModuleBytes: 1 << 20, operator: DEFAULT_OPERATOR_LIMITS },
    };
    const first = await RegistryCore.create({ ...options, store: new DiskOperatorStore(dir) });
    const entry = await first.put("mine", operatorWasm("len_plus_diff"), { description: "kept" });
    const second = await RegistryCore.create({ ...options, store: new DiskOperatorStore(dir) });
    assert.deepEqual(await second.get("mine"), entry);
    const op = await second.resolve("mine");
    assert.equal(op.manifest.description, "kept");
    assert.equal(await second.resolve("mine"), op, "compiled once, then cached");
  });
});
