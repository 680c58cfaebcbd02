// The host runs each ABI correctly and turns every hostile behaviour into the right OperatorError,
// after which the same pool serves the next batch (spec/operator-abi.md §Limits and faults).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  columnToRows,
  decodeBatch,
  encodeBatch,
  parseSchema,
  rowsToColumn,
} from "../../src/columnar/index.ts";
import {
  capModuleLimits,
  CopyMeter,
  type HostedOperator,
  InstancePool,
  InvalidOperatorError,
  type OperatorBatch,
  OperatorError,
  prepareOperator,
} from "../../src/wasm/index.ts";
import { builtWasm, kernelModule, loadOperator, TEST_LIMITS } from "../support/operators.ts";
import { wat } from "../support/wat.ts";

const schema = parseSchema("(String, i64)");
const WORKED = [
  ["hello", 1],
  ["world", -2],
  ["", 3],
];
const batchOf = (rows: unknown[]) => decodeBatch(encodeBatch(rowsToColumn(schema, rows)), schema);

/** One batch through an instance of `op` from `pool`, given back unless a call into it failed. */
function runOnce(
  pool: InstancePool,
  op: HostedOperator,
  input: OperatorBatch,
  meter: CopyMeter,
): OperatorBatch {
  const instance = pool.take(op);
  const output = instance.run(input, meter); // a failed instance is not given back
  pool.give(op, instance);
  return output;
}

function runRows(
  pool: InstancePool,
  name: string,
  rows: unknown[],
  kind: "operator" | "fixture" = "operator",
) {
  const op = loadOperator(name, { kind });
  return columnToRows(op.manifest.output, runOnce(pool, op, batchOf(rows), new CopyMeter()).column);
}

describe("OperatorInstance", () => {
  it("runs a blog-ABI module: len(text) + diff replaces the last column (the worked example)", () => {
    const pool = new InstancePool(TEST_LIMITS);
    assert.deepEqual(runRows(pool, "len_plus_diff_blog", WORKED), [
      ["hello", 6],
      ["world", 3],
      ["", 3],
    ]);
    // the region in fresh pages is reused for the next batch of the same instance
    assert.deepEqual(runRows(pool, "len_plus_diff_blog", [["ab", 1]]), [["ab", 3]]);
  });

  it("runs the native len_plus_diff to the same result", () => {
    assert.deepEqual(runRows(new InstancePool(TEST_LIMITS), "len_plus_diff", WORKED), [
      ["hello", 6],
      ["world", 3],
      ["", 3],
    ]);
  });

  const failures: [fixture: string, reason: string][] = [
    ["trap", "trap"],
    ["memory_bomb", "memory"],
    ["act_zero", "error"],
    ["oob_output", "invalid-output"],
    ["huge_length", "invalid-output"],
    ["garbage_output", "invalid-output"],
  ];
  for (const [fixture, reason] of failures)
    for (const withKernels of [false, true]) {
      it(`reports ${fixture} as OperatorError reason ${reason}${withKernels ? " (WASM validation kernels)" : ""}, then the next batch succeeds`, () => {
        const pool = new InstancePool(TEST_LIMITS, {
          kernelModule: withKernels ? kernelModule() : undefined,
        });
        assert.throws(
          () => runRows(pool, fixture, WORKED, "fixture"),
          (error: unknown) =>
            error instanceof OperatorError && error.reason === reason && error.operator === fixture,
        );
        assert.deepEqual(runRows(pool, "len_plus_diff", WORKED), [
          ["hello", 6],
          ["world", 3],
          ["", 3],
        ]);
      });
    }

  it("reports a memory bomb as reason memory even when its first memory.grow already fails (tight cap)", () => {
    const limits = { ...TEST_LIMITS, maxMemoryPages: 64 };
    const op = loadOperator("memory_bomb", { kind: "fixture", limits });
    assert.throws(
      () => runOnce(new InstancePool(limits), op, batchOf(WORKED), new CopyMeter()),
      (error: unknown) => error instanceof OperatorError && error.reason === "memory",
    );
  });

  it("keeps the operator's error() text when act returns 0 at the memory cap", () => {
    // grows until memory.grow fails, then answers 0 with its own message
    const bytes = wat(
      `(module (memory (export "memory") 1)
        (data (i32.const 16) "\\13\\00\\00\\00\\00\\00\\00\\00bomb: out of memory")
        (func (export "alloc") (param i32) (result i32) (i32.const 1024))
        (func (export "error") (result i32) (i32.const 16))
        (func (export "act") (param i32 i32) (result i32)
          (block $full (loop $more
            (br_if $full (i32.lt_s (memory.grow (i32.const 16)) (i32.const 0))) (br $more)))
          (i32.const 0)))`,
    );
    const limits = { ...TEST_LIMITS, maxMemoryPages: 64 };
    const op = prepareOperator("bomb", new WebAssembly.Module(capModuleLimits(bytes, 64)), {
      headers: { abi: "colwasm/1", input: "(String, i64)", output: "(String, i64)" },
    });
    assert.throws(
      () => runOnce(new InstancePool(limits), op, batchOf(WORKED), new CopyMeter()),
      (error: unknown) =>
        error instanceof OperatorError &&
        error.reason === "memory" &&
        /limit 64\): bomb: out of memory$/.test(error.message),
    );
  });

  it("calls a WASI reactor's _initialize once per instance, before its first batch", () => {
    // act answers its input while _initialize ran exactly once, else 0 (a C++ global the
    // constructors set, read on every batch)
    const bytes = wat(
      `(module (memory (export "memory") 1) (global $inits (mut i32) (i32.const 0))
        (func (export "_initialize") (global.set $inits (i32.add (global.get $inits) (i32.const 1))))
        (func (export "alloc") (param i32) (result i32) (i32.const 1024))
        (func (export "act") (param i32 i32) (result i32)
          (select (local.get 0) (i32.const 0) (i32.eq (global.get $inits) (i32.const 1)))))`,
    );
    const op = prepareOperator("reactor", new WebAssembly.Module(bytes), {
      headers: { abi: "colwasm/1", input: "(String, i64)", output: "(String, i64)" },
    });
    const pool = new InstancePool(TEST_LIMITS);
    for (let batch = 0; batch < 3; batch++) {
      const out = runOnce(pool, op, batchOf(WORKED), new CopyMeter());
      assert.deepEqual(columnToRows(schema, out.column), WORKED);
    }
  });

  for (const name of ["identity", "len_plus_diff"]) {
    it(`reports an input larger than ${name}'s memory cap as reason memory, and runs the next batch`, () => {
      const limits = { ...TEST_LIMITS, maxMemoryPages: 16 }; // 1 MiB
      const op = loadOperator(name, { limits });
      const pool = new InstancePool(limits);
      const big = batchOf(Array.from({ length: 20 }, (_, i) => ["x".repeat(100_000), i]));
      assert.throws(
        () => runOnce(pool, op, big, new CopyMeter()),
        // WAT identity's alloc answers 0; the AssemblyScript SDK's traps: both are reason memory
        (error: unknown) => error instanceof OperatorError && error.reason === "memory",
      );
      const out = runOnce(pool, op, batchOf([["ok", 1]]), new CopyMeter());
      assert.equal(out.length, 1);
    });
  }

  it("runs a module that uses exception handling; an exception nothing catches is reason trap, and the next batch runs", () => {
    const bytes = wat(
      `(module (memory (export "memory") 1) (tag $carry (param i32))
        (func (export "alloc") (param i32) (result i32) (i32.const 1024))
        (func (export "act") (param $ptr i32) (param $len i32) (result i32) (local $out i32)
          (try (do (throw $carry (local.get $ptr))) (catch $carry (local.set $out)))
          (if (i32.ge_u (local.get $len) (i32.const 200)) (then (throw $carry (i32.const 0))))
          (local.get $out)))`,
      { exceptions: true },
    );
    const op = prepareOperator("exceptions", new WebAssembly.Module(bytes), {
      headers: { abi: "colwasm/1", input: "(String, i64)", output: "(String, i64)" },
    });
    const pool = new InstancePool(TEST_LIMITS);
    assert.deepEqual(
      columnToRows(schema, runOnce(pool, op, batchOf(WORKED), new CopyMeter()).column),
      WORKED,
    );
    assert.throws(
      () => runOnce(pool, op, batchOf([["x".repeat(300), 1]]), new CopyMeter()),
      (error: unknown) =>
        error instanceof OperatorError &&
        error.reason === "trap" &&
        /act threw: a WebAssembly exception that nothing caught$/.test(error.message),
    );
    assert.deepEqual(
      columnToRows(schema, runOnce(pool, op, batchOf(WORKED), new CopyMeter()).column),
      WORKED,
    );
  });

  it("carries the module's error() message when act returns 0", () => {
    const pool = new InstancePool(TEST_LIMITS);
    assert.throws(
      () => runRows(pool, "act_zero", WORKED, "fixture"),
      (error: unknown) => error instanceof OperatorError && error.message.includes("bad input: always fails"),
    );
  });

  it("keeps memory under the cap: a memory bomb never passes maxMemoryPages", () => {
    const op = loadOperator("memory_bomb", { kind: "fixture" });
    const instance = new WebAssembly.Instance(op.module, {});
    const memory = instance.exports.memory as WebAssembly.Memory;
    assert.throws(() => memory.grow(TEST_LIMITS.maxMemoryPages), RangeError);
  });

  it("prepareOperator() rejects a module with imports and one lacking act", () => {
    for (const name of ["with_import", "missing_export"]) {
      const module = new WebAssembly.Module(Uint8Array.from(builtWasm(name, "fixture")));
      assert.throws(() => prepareOperator(name, module), InvalidOperatorError);
    }
  });

  it("discards a failed instance: a trap does not poison later batches of the same operator", () => {
    const pool = new InstancePool(TEST_LIMITS);
    const op = loadOperator("split_words");
    assert.throws(
      () => runOnce(pool, op, batchOf(WORKED), new CopyMeter()) && runRows(pool, "trap", WORKED, "fixture"),
    );
    assert.deepEqual(columnToRows(schema, runOnce(pool, op, batchOf([["a b", 2]]), new CopyMeter()).column), [
      ["a", 2],
      ["b", 2],
    ]);
  });
});
