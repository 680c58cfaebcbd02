// The env imports the host supplies (src/wasm/host-imports.ts; WASI has its own tests). A module
// built with asc's stock flags runs, and its abort fails the batch as reason "trap" with the
// author's message and place; the next batch gets a fresh instance. Also the edges: an abort in a
// start function, at the memory cap, of another signature, strings that cannot be read, and
// emscripten's memory-growth notice.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InstancePool } from "../../src/wasm/index.ts";
import { failureOf, hostModule, runRows } from "../support/hosted-module.ts";
import { describeAbort, hostImports } from "../../src/wasm/host-imports.ts";
import { HOST_CALL_FUEL, PrintedOutput } from "../../src/wasm/wasi-preview1.ts";
import { builtWasm, TEST_LIMITS } from "../support/operators.ts";
import { wat } from "../support/wat.ts";

/** WAT data for an AssemblyScript string at `at` + 4 (its u32 byte length first, then UTF-16). */
function asString(at: number, text: string): string {
  const units = [...text].map((c) => `\\${c.charCodeAt(0).toString(16).padStart(2, "0")}\\00`).join("");
  const length = text.length * 2;
  return `(data (i32.const ${at}) "\\${length.toString(16).padStart(2, "0")}\\00\\00\\00${units}")`;
}

/** A colwasm/1 module importing env.abort as AssemblyScript declares it; `body` is act's. */
function abortingModule(body: string, extra = ""): Uint8Array {
  return wat(`(module
    (import "env" "abort" (func $abort (param i32 i32 i32 i32)))
    (memory (export "memory") 1)
    ${asString(16, "bad row")} ${asString(48, "op.ts")}
    (func (export "alloc") (param $size i32) (result i32)
      (i32.shl (memory.grow (i32.add (i32.shr_u (local.get $size) (i32.const 16)) (i32.const 1))) (i32.const 16)))
    ${extra}
    (func (export "act") (param $ptr i32) (param $len i32) (result i32) ${body}))`);
}

describe("env.abort, supplied by the host", () => {
  for (const fuel of [false, true]) {
    it(`runs an AssemblyScript module built with asc's stock flags${fuel ? " (fuel-metered, as on Workers and Deno)" : ""}; its abort is reason trap with the message, place and what it logged`, () => {
      const op = hostModule("stock_abort", builtWasm("stock_abort", "fixture"), { fuel });
      assert.deepEqual(
        WebAssembly.Module.imports(op.module).map((i) => `${i.module}.${i.name}`),
        ["env.abort", "env.trace", "env.seed", "env.console.log"],
      );
      const pool = new InstancePool(TEST_LIMITS);
      assert.deepEqual(
        runRows(pool, op, [
          ["a", 1],
          ["b", 2],
        ]),
        [
          ["a", 1],
          ["b", 2],
        ],
      );
      const error = failureOf(pool, op, [
        ["a", 1],
        ["b", -2],
      ]);
      assert.equal(error.reason, "trap");
      assert.equal(error.operator, "stock_abort");
      // what it logged and traced in the failing call comes after, as WASI's output does
      assert.match(
        error.message,
        /act aborted: a diff is negative \(at \S*stock_abort\.ts:\d+:\d+\); it printed: checking 2 diffs \| trace: negative diff at 1$/,
      );
      assert.deepEqual(runRows(pool, op, [["c", 3]]), [["c", 3]]); // the next batch, a fresh instance
    });
  }

  it("reads the message and place an AssemblyScript-style abort passes", () => {
    const op = hostModule(
      "aborts",
      abortingModule(
        `(call $abort (i32.const 20) (i32.const 52) (i32.const 12) (i32.const 5)) (i32.const 0)`,
      ),
    );
    const error = failureOf(new InstancePool(TEST_LIMITS), op, [["a", 1]]);
    assert.equal(error.reason, "trap");
    assert.match(error.message, /failed: act aborted: bad row \(at op\.ts:12:5\)$/);
  });

  it("says abort() was called when the message cannot be read, and never reads outside memory", () => {
    const op = hostModule(
      "aborts_badly",
      abortingModule(
        `(call $abort (i32.const 65534) (i32.const -4) (i32.const 0) (i32.const 0)) (i32.const 0)`,
      ),
    );
    const error = failureOf(new InstancePool(TEST_LIMITS), op, [["a", 1]]);
    assert.match(error.message, /failed: act aborted: abort\(\) was called$/);
  });

  it("takes an env.abort of another signature, and aborts all the same", () => {
    const op = hostModule(
      "aborts_plainly",
      wat(`(module (import "env" "abort" (func $abort)) (memory (export "memory") 1)
        (func (export "alloc") (param i32) (result i32) (i32.const 1024))
        (func (export "act") (param i32 i32) (result i32) (call $abort) (i32.const 0)))`),
    );
    const error = failureOf(new InstancePool(TEST_LIMITS), op, [["a", 1]]);
    assert.equal(error.reason, "trap");
    assert.match(error.message, /act aborted: abort\(\) was called$/);
  });

  it("reports an abort at the memory cap as reason memory, keeping the message", () => {
    const limits = { ...TEST_LIMITS, maxMemoryPages: 8 };
    const op = hostModule(
      "aborts_at_cap",
      abortingModule(
        `(drop (memory.grow (i32.const 4)))
         (if (i32.lt_s (memory.grow (i32.const 4)) (i32.const 0))
           (then (call $abort (i32.const 20) (i32.const 52) (i32.const 3) (i32.const 1))))
         (local.get $ptr)`,
      ),
      { limits },
    );
    const error = failureOf(new InstancePool(limits), op, [["a", 1]]);
    assert.equal(error.reason, "memory");
    assert.match(
      error.message,
      /act aborted: memory limit of 8 pages reached \(bad row \(at op\.ts:3:1\)\)$/,
    );
  });

  it("reports an abort in a start function: with its message when metered (the host calls it), without when the engine runs it", () => {
    const start = `(func $start (call $abort (i32.const 20) (i32.const 52) (i32.const 1) (i32.const 1))) (start $start)`;
    const bytes = abortingModule(`(local.get $ptr)`, start);
    const metered = failureOf(
      new InstancePool(TEST_LIMITS),
      hostModule("start_aborts", bytes, { fuel: true }),
      [["a", 1]],
    );
    assert.equal(metered.reason, "trap");
    assert.match(metered.message, /aborted: bad row \(at op\.ts:1:1\)$/);
    const plain = failureOf(new InstancePool(TEST_LIMITS), hostModule("start_aborts", bytes), [["a", 1]]);
    assert.equal(plain.reason, "trap");
    assert.match(plain.message, /its start function aborted: abort\(\) was called$/);
  });

  it("supplies emscripten's memory-growth notice as a no-op: a module that grows memory and calls it runs", () => {
    const op = hostModule(
      "notifies",
      wat(`(module (import "env" "emscripten_notify_memory_growth" (func $grew (param i32)))
        (memory (export "memory") 1)
        (func (export "alloc") (param i32) (result i32) (i32.const 1024))
        (func (export "act") (param i32 i32) (result i32)
          (drop (memory.grow (i32.const 1))) (call $grew (i32.const 0)) (local.get 0)))`),
    );
    assert.deepEqual(runRows(new InstancePool(TEST_LIMITS), op, [["a", 1]]), [["a", 1]]);
  });

  it("AssemblyScript's seed is fixed, Date.now reads the clock, and console timers do nothing", () => {
    const bytes = wat(`(module
      (import "env" "seed" (func $seed (result f64)))
      (import "env" "Date.now" (func $now (result f64)))
      (import "env" "console.time" (func $time (param i32)))
      (memory (export "memory") 1)
      (func (export "alloc") (param i32) (result i32) (i32.const 1024))
      ;; act answers its input when the seed is the one it expects and the clock is past 2020
      (func (export "act") (param i32 i32) (result i32)
        (call $time (i32.const 0))
        (if (f64.ne (call $seed) (f64.const ${0x9e3779b97f4a7 / 2 ** 52})) (then (return (i32.const 0))))
        (if (f64.lt (call $now) (f64.const 1577836800000)) (then (return (i32.const 0))))
        (local.get 0)))`);
    const op = hostModule("as_env", bytes);
    const pool = new InstancePool(TEST_LIMITS);
    for (let k = 0; k < 2; k++) assert.deepEqual(runRows(pool, op, [["a", k]]), [["a", k]]);
  });

  it("every env call but abort spends HOST_CALL_FUEL, so a loop of them cannot outlive its fuel", () => {
    const module = new WebAssembly.Module(
      wat(`(module
        (import "env" "seed" (func $seed (result f64)))
        (import "env" "console.log" (func $log (param i32)))
        (import "env" "abort" (func $abort (param i32 i32 i32 i32)))
        (memory (export "memory") 1)
        (func (export "calls") (drop (call $seed)) (call $log (i32.const 0)))
        (func (export "aborts") (call $abort (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0))))`),
    );
    const spent: number[] = [];
    let instance: WebAssembly.Instance | undefined;
    const host = {
      memory: () => instance?.exports.memory as WebAssembly.Memory | undefined,
      spend: (units: number) => void spent.push(units),
      printed: new PrintedOutput(),
    };
    instance = new WebAssembly.Instance(module, hostImports(module, host));
    (instance.exports.calls as () => void)();
    assert.deepEqual(spent, [HOST_CALL_FUEL, HOST_CALL_FUEL]);
    assert.throws(() => (instance?.exports.aborts as () => void)());
    assert.equal(spent.length, 2);
  });

  it("describeAbort cuts a long message and ignores pointers that are not strings", () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const view = new DataView(memory.buffer);
    view.setUint32(100, 4000, true); // 2000 UTF-16 units of "x" at 104
    for (let i = 0; i < 2000; i++) view.setUint16(104 + 2 * i, 0x78, true);
    const long = describeAbort(memory, [104, 0, 0, 0]);
    assert.equal(long, `${"x".repeat(1024)}…`);
    view.setUint32(200, 0xfffffff0, true); // a length past the end of memory
    assert.equal(describeAbort(memory, [204, 105, 7, 0]), "abort() was called");
    assert.equal(describeAbort(memory, [10n, 1.5, "x", undefined]), "abort() was called");
    assert.equal(describeAbort(undefined, [104, 0, 0, 0]), "abort() was called");
  });
});
