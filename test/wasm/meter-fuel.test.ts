// meterFuel: metered modules stop when fuel runs out, compute the same results as before, keep
// custom sections and the built operators valid, and malformed bytes only ever raise
// InvalidOperatorError (rule "not-wasm" or "instructions").
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { DEFAULT_OPERATOR_LIMITS, InvalidOperatorError, OperatorError } from "../../src/wasm/index.ts";
import { OperatorCalls } from "../../src/wasm/operator-calls.ts";
import { findRewritePoints } from "../../src/wasm/instruction-walk.ts";
import { WasmReader } from "../../src/wasm/wasm-reader.ts";
import { readSections } from "../../src/wasm/wasm-sections.ts";
import {
  FUEL_EXPORT,
  FUEL_PER_MS,
  fuelForDeadline,
  GROW_FAILED_EXPORT,
  instrumentOperator,
  START_EXPORT,
  INITIAL_FUEL,
  MAX_FUEL,
  meterFuel,
} from "../../src/wasm/meter-fuel.ts";
import { wat as watBytes } from "../support/wat.ts";

/** Compiles WAT text to bytes with every feature the metering walk supports. */
const wat = (text: string) =>
  watBytes(text, {
    bulk_memory: true,
    multi_value: true,
    reference_types: true,
    simd: true,
    tail_call: true,
  });

type Exports = Record<string, unknown>;

const readSectionIds = (wasm: Uint8Array): number[] => readSections(wasm).map((s) => s.id);

function instantiate(bytes: Uint8Array<ArrayBuffer>, imports: WebAssembly.Imports = {}): Exports {
  return new WebAssembly.Instance(new WebAssembly.Module(bytes), imports).exports;
}

function fuelOf(exports: Exports): WebAssembly.Global {
  const fuel = exports[FUEL_EXPORT];
  assert.ok(fuel instanceof WebAssembly.Global, `${FUEL_EXPORT} is a WebAssembly.Global`);
  return fuel;
}

function call(exports: Exports, name: string, ...args: unknown[]): unknown {
  const fn = exports[name];
  assert.equal(typeof fn, "function", `export ${name}`);
  return (fn as (...a: unknown[]) => unknown)(...args);
}

/** Asserts that `fn` throws InvalidOperatorError, with `rule` when given. */
function assertInvalid(fn: () => unknown, rule?: string): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof InvalidOperatorError, `expected InvalidOperatorError, got ${String(error)}`);
    assert.equal(error.type, "invalid-operator");
    if (rule !== undefined) assert.equal(error.fields.rule, rule);
    return true;
  });
}

/** Runs `fn` with `fuel` units and asserts it traps with the fuel global at 0. */
function assertRunsOutOfFuel(exports: Exports, fuel: number, fn: () => unknown): void {
  fuelOf(exports).value = BigInt(fuel);
  assert.throws(fn, WebAssembly.RuntimeError);
  assert.equal(fuelOf(exports).value, 0n);
}

const MIXED = wat(`(module
  (type $bin (func (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (table 3 funcref)
  (elem (i32.const 0) $add $sub $mul)
  (data $seed "\\01\\02\\03\\04\\05\\06\\07\\08")
  (func $add (type $bin) (i32.add (local.get 0) (local.get 1)))
  (func $sub (type $bin) (i32.sub (local.get 0) (local.get 1)))
  (func $mul (type $bin) (i32.mul (local.get 0) (local.get 1)))
  (func (export "mix") (param $n i32) (result i64)
    (local $i i32) (local $j i32) (local $acc i64)
    (local.set $acc (i64.const -81985529216486896))
    (block $done
      (loop $outer
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $j (i32.const 0))
        (loop $inner
          (block $b2 (block $b1 (block $b0
            (br_table $b0 $b1 $b2 (i32.rem_u (i32.add (local.get $i) (local.get $j)) (i32.const 3))))
            (local.set $acc (i64.add (local.get $acc) (i64.const 0x123456789abc)))
            (br $b2))
            (local.set $acc (i64.xor (local.get $acc) (i64.extend_i32_s
              (call_indirect (type $bin) (local.get $i) (local.get $j) (i32.rem_u (local.get $j) (i32.const 3)))))))
          (local.set $acc (select (result i64) (i64.rotl (local.get $acc) (i64.const 7)) (local.get $acc)
            (i32.and (local.get $j) (i32.const 1))))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br_if $inner (i32.lt_u (local.get $j) (i32.const 5))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $outer)))
    (local.get $acc))
  (func (export "sum") (param $n i32) (result i32) (local $k i32)
    i32.const 0
    local.get $n
    loop $l (param i32 i32) (result i32)
      local.set $k
      local.get $k
      i32.add
      local.get $k
      i32.const 1
      i32.sub
      local.get $k
      i32.const 1
      i32.gt_u
      br_if $l
      drop
    end)
  (func (export "pair") (param $a i32) (result i32 i64)
    (block (result i32 i64) (i32.extend8_s (local.get $a)) (i64.const 0x7fffffffffffffff)))
  (func (export "bulk") (param $at i32) (result i32)
    (memory.fill (i32.const 0) (i32.const 7) (i32.const 100))
    (memory.copy (i32.const 200) (i32.const 50) (i32.const 100))
    (memory.init $seed (i32.const 300) (i32.const 0) (i32.const 8))
    (i32.add (i32.load8_u (local.get $at)) (i32.load16_s offset=2 (i32.const 300))))
  (func (export "simd") (param $x i32) (result i32)
    (v128.store (i32.const 400) (i32x4.add (i32x4.splat (local.get $x)) (v128.const i32x4 1 2 3 4)))
    (i32.add
      (i32x4.extract_lane 2 (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 (v128.load (i32.const 400)) (v128.const i64x2 0 0)))
      (i32.trunc_sat_f32_s (f32.const 1.5e10))))
  (func (export "refs") (result i32)
    (i32.add (ref.is_null (ref.null func)) (ref.is_null (ref.func $add)))))`);

describe("meterFuel()", () => {
  it("meterFuel() stops an infinite loop", () => {
    const exports = instantiate(meterFuel(wat(`(module (func (export "spin") (loop br 0)))`)));
    assertRunsOutOfFuel(exports, 100_000, () => call(exports, "spin"));
  });

  // "sum": its entry runs 4 instructions outside the loop, of which i32.const, local.get and the
  // final end count half (2.5 units, rounded up to 3), and each of its 10 iterations the loop's 12:
  // i32.add, i32.sub, i32.gt_u and br_if whole, the 8 local accesses, constants, drop and end half
  const SUM_10 = 3 + 10 * (4 + 8 / 2);

  it("meterFuel() spends, per function entry and loop iteration, the instructions each can run", () => {
    const exports = instantiate(meterFuel(MIXED));
    fuelOf(exports).value = 1000n;
    call(exports, "sum", 10);
    assert.equal(fuelOf(exports).value, BigInt(1000 - SUM_10));
  });

  it("meterFuel() charges a long loop body per iteration by its length", () => {
    // 100 iterations of a loop nesting a 2000-instruction one: 500 times local.set, i32.add,
    // local.get, i32.const, of which only the add counts whole (2.5 units), so 1250 units each
    const body = Array.from({ length: 500 }, () => "(local.set $x (i32.add (local.get $x) (i32.const 1)))");
    const exports = instantiate(
      meterFuel(
        wat(`(module (func (export "run") (param $n i32) (result i32) (local $x i32) (local $i i32)
          (loop $outer
            (loop $inner ${body.join(" ")})
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br_if $outer (i32.lt_u (local.get $i) (local.get $n))))
          (local.get $x)))`),
      ),
    );
    fuelOf(exports).value = 1_000_000n;
    assert.equal(call(exports, "run", 100), 100 * 500);
    const spent = 1_000_000n - (fuelOf(exports).value as bigint);
    assert.ok(spent >= 100n * 1250n && spent < 100n * 1300n, `spent ${spent}`);
    assertRunsOutOfFuel(exports, 100_000, () => call(exports, "run", 100));
  });

  it("meterFuel() charges sized bulk instructions one unit per 16 bytes", () => {
    const exports = instantiate(
      meterFuel(
        wat(`(module (memory 4) (data $d "0123456789abcdef")
          (func (export "fill") (param $n i32) (memory.fill (i32.const 0) (i32.const 7) (local.get $n)))
          (func (export "copy") (param $n i32) (memory.copy (i32.const 0) (i32.const 8) (local.get $n)))
          (func (export "init") (param $n i32) (memory.init $d (i32.const 0) (i32.const 0) (local.get $n))))`),
      ),
    );
    for (const name of ["fill", "copy"]) {
      fuelOf(exports).value = 100_000n;
      call(exports, name, 65536);
      const spent = 100_000n - (fuelOf(exports).value as bigint);
      assert.ok(spent >= 4096n && spent < 4096n + 20n, `${name} spent ${spent}`);
      assertRunsOutOfFuel(exports, 4000, () => call(exports, name, 65536));
    }
    fuelOf(exports).value = 100n;
    call(exports, "init", 16); // 16 bytes: 2 units (count >> 4, plus one)
    assert.ok(100n - (fuelOf(exports).value as bigint) < 20n);
  });

  it("meterFuel() starts the fuel global at INITIAL_FUEL, an i64 that takes budgets past 2^31", () => {
    const exports = instantiate(meterFuel(MIXED));
    assert.equal(fuelOf(exports).value, BigInt(INITIAL_FUEL));
    fuelOf(exports).value = BigInt(MAX_FUEL);
    call(exports, "sum", 10);
    assert.equal(fuelOf(exports).value, BigInt(MAX_FUEL) - BigInt(SUM_10));
  });

  it("meterFuel() stops an exponential call tree that has no loop", () => {
    const funcs = Array.from({ length: 40 }, (_, k) => `(func $f${k} (call $f${k + 1}) (call $f${k + 1}))`);
    const exports = instantiate(
      meterFuel(wat(`(module ${funcs.join(" ")} (func $f40) (export "tree" (func $f0)))`)),
    );
    assertRunsOutOfFuel(exports, 100_000, () => call(exports, "tree"));
  });

  it("meterFuel() stops infinite tail recursion", () => {
    const exports = instantiate(meterFuel(wat(`(module (func $f (export "f") (return_call $f)))`)));
    assertRunsOutOfFuel(exports, 100_000, () => call(exports, "f"));
  });

  it("meterFuel() keeps the results of loops, br_table, call_indirect, bulk memory, SIMD and multi-value", () => {
    const plain = instantiate(MIXED);
    const metered = instantiate(meterFuel(MIXED));
    const cases: [string, number[]][] = [
      ["mix", [0]],
      ["mix", [1]],
      ["mix", [37]],
      ["sum", [0]],
      ["sum", [1]],
      ["sum", [1000]],
      ["pair", [0x1ff]],
      ["bulk", [60]],
      ["bulk", [250]],
      ["simd", [-5]],
      ["refs", []],
    ];
    for (const [name, args] of cases) {
      assert.deepEqual(
        call(metered, name, ...args),
        call(plain, name, ...args),
        `${name}(${args.join(", ")})`,
      );
    }
  });

  it("meterFuel() keeps exception handling working (try, catch, catch_all, throw, rethrow, delegate) and stops a loop that throws", () => {
    // the legacy encoding that clang's -fwasm-exceptions emits and Node 20 runs
    const bytes = watBytes(
      `(module
        (tag $odd (param i32))
        (func $check (param $x i32)
          (if (i32.and (local.get $x) (i32.const 1)) (then (throw $odd (local.get $x)))))
        (func (export "countOdd") (param $n i32) (result i32) (local $i i32) (local $odd i32)
          (block $done
            (loop $l
              (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
              (try
                (do (call $check (local.get $i)))
                (catch $odd (drop) (local.set $odd (i32.add (local.get $odd) (i32.const 1)))))
              (try (do (try (do (call $check (local.get $i))) (delegate 0))) (catch_all))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br $l)))
          (local.get $odd))
        (func (export "rethrows") (param $x i32) (result i32)
          (try (result i32) (do (call $check (local.get $x)) (i32.const 0)) (catch $odd (rethrow 0))))
        (func (export "spin")
          (loop $l (try (do (throw $odd (i32.const 1))) (catch $odd (drop))) (br $l))))`,
      { exceptions: true },
    );
    assert.ok(readSectionIds(bytes).includes(13), "the module has a tag section");
    const plain = instantiate(bytes);
    const metered = instantiate(meterFuel(bytes));
    assert.equal(call(metered, "countOdd", 11), 5);
    assert.equal(call(metered, "countOdd", 11), call(plain, "countOdd", 11));
    assert.equal(call(metered, "rethrows", 2), 0);
    assert.throws(
      () => call(metered, "rethrows", 3),
      (error: unknown) => !(error instanceof WebAssembly.RuntimeError),
    );
    assertRunsOutOfFuel(metered, 100_000, () => call(metered, "spin"));
  });

  it("the instruction walk reads try_table's catch clauses and throw_ref (exnref exception handling)", () => {
    // A body assembled by hand: neither wabt here nor Node 20 knows try_table.
    // prettier-ignore
    const body = Uint8Array.from([
      0x00, // no locals
      0x02, 0x69, // block (result exnref)
      0x03, 0x40, // loop
      // try_table with 4 clauses: catch 0 0, catch_ref 0 1, catch_all 1, catch_all_ref 0
      0x1f, 0x40, 0x04, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x02, 0x01, 0x03, 0x00,
      0x08, 0x00, // throw 0
      0x0b, // end (try_table)
      0x0c, 0x00, // br 0 (the loop)
      0x0b, // end (loop)
      0xd0, 0x69, // ref.null exn
      0x0b, // end (block)
      0x0a, // throw_ref
      0x0b, // end (function)
    ]);
    const reader = new WasmReader(body, 0);
    reader.u32(); // local declarations
    const points = findRewritePoints(reader);
    assert.equal(points.loops.length, 1);
    assert.equal(points.loops[0].at, 5); // just past the loop's block type
  });

  it("the instruction walk reads relaxed SIMD (0xfd 0x100-0x113, no immediates) and refuses past it", () => {
    // A body assembled by hand: Node 20 cannot compile relaxed SIMD (workerd and Deno can).
    const walk = (sub: number[]) => {
      // prettier-ignore
      const body = Uint8Array.from([
        0x00, // no locals
        0x03, 0x40, // loop
        0xfd, 0x0c, ...new Array(16).fill(0), // v128.const 0
        0xfd, 0x0c, ...new Array(16).fill(0), // v128.const 0
        0xfd, ...sub, // the relaxed instruction (sub-opcode as an unsigned LEB)
        0x1a, // drop
        0x0b, // end (loop)
        0x0b, // end (function)
      ]);
      const reader = new WasmReader(body, 0);
      reader.u32();
      return findRewritePoints(reader);
    };
    for (let sub = 0x100; sub <= 0x113; sub++) {
      assert.equal(walk([0x80 | (sub & 0x7f), sub >> 7]).loops.length, 1, `0xfd ${sub}`);
    }
    assertInvalid(() => walk([0x94, 0x02]), "instructions"); // 0x114: none such
  });

  it("meterFuel() puts the fuel global after imported and defined globals", () => {
    const bytes = wat(`(module
      (import "env" "g" (global $g i32))
      (global $h (mut i32) (i32.const 5))
      (func (export "read") (result i32) (global.set $h (i32.add (global.get $h) (i32.const 1))) (i32.add (global.get $g) (global.get $h)))
      (func (export "spin") (loop br 0)))`);
    const exports = instantiate(meterFuel(bytes), { env: { g: 100 } });
    assert.equal(call(exports, "read"), 106);
    assertRunsOutOfFuel(exports, 1000, () => call(exports, "spin"));
    fuelOf(exports).value = 100n; // enough for read's entry: $h is not where the fuel went
    assert.equal(call(exports, "read"), 107);
  });

  it("meterFuel() adds the global and export sections when a module has none", () => {
    const bytes = wat(`(module (func $spin (loop br 0)) (start $spin))`);
    // The start function becomes an export, so instantiating runs nothing.
    const module = new WebAssembly.Module(meterFuel(bytes));
    assert.deepEqual(WebAssembly.Module.exports(module), [
      { name: FUEL_EXPORT, kind: "global" },
      { name: GROW_FAILED_EXPORT, kind: "global" },
      { name: START_EXPORT, kind: "function" },
    ]);
    assert.deepEqual(
      WebAssembly.Module.exports(new WebAssembly.Module(meterFuel(wat(`(module (func $f))`)))),
      [
        { name: FUEL_EXPORT, kind: "global" },
        { name: GROW_FAILED_EXPORT, kind: "global" },
      ],
    );
  });

  it("instrumentOperator() records a failed memory.grow and keeps its result", () => {
    const bytes = wat(`(module (memory (export "memory") 1 3)
      (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))`);
    for (const fuel of [false, true]) {
      const instance = new WebAssembly.Instance(
        new WebAssembly.Module(instrumentOperator(bytes, { fuel })),
        {},
      );
      const grow = instance.exports.grow as (pages: number) => number;
      const failed = instance.exports[GROW_FAILED_EXPORT] as WebAssembly.Global;
      assert.equal(grow(1), 1);
      assert.equal(failed.value, 0);
      assert.equal(grow(5), -1);
      assert.equal(failed.value, 1);
      assert.equal(FUEL_EXPORT in instance.exports, fuel);
    }
  });

  it("meterFuel() keeps custom sections byte for byte", () => {
    const manifest = new TextEncoder().encode('{"abi":"colwasm/1"}');
    const custom = (name: string, payload: Uint8Array): Uint8Array => {
      const n = new TextEncoder().encode(name);
      return Uint8Array.from([0, n.length + 1 + payload.length, n.length, ...n, ...payload]);
    };
    const bytes = MIXED;
    const withCustom = Uint8Array.from([
      ...bytes.subarray(0, 8),
      ...custom("first", Uint8Array.of(1, 2, 3)),
      ...bytes.subarray(8),
      ...custom("colwasm", manifest),
    ]);
    const module = new WebAssembly.Module(meterFuel(withCustom));
    const [section] = WebAssembly.Module.customSections(module, "colwasm");
    assert.deepEqual(new Uint8Array(section), manifest);
    assert.deepEqual(
      new Uint8Array(WebAssembly.Module.customSections(module, "first")[0]),
      Uint8Array.of(1, 2, 3),
    );
  });

  it("meterFuel() keeps the built operators and fixtures compiling", () => {
    const dirs = ["../../operators/dist/", "../fixtures/wasm/dist/"].map((d) =>
      fileURLToPath(new URL(d, import.meta.url)),
    );
    const files = dirs.flatMap((dir) =>
      readdirSync(dir)
        .filter((f) => f.endsWith(".wasm"))
        .map((f) => dir + f),
    );
    assert.ok(files.length >= 10, "operators are built (npm run build:operators)");
    for (const file of files) {
      const module = new WebAssembly.Module(meterFuel(readFileSync(file)));
      const fuel = WebAssembly.Module.exports(module).find((e) => e.name === FUEL_EXPORT);
      assert.equal(fuel?.kind, "global", file);
    }
  });

  it("meterFuel() exports the start function instead of running it at instantiation", () => {
    const metered = meterFuel(
      wat(`(module
        (global $ready (mut i32) (i32.const 0))
        (func $init (global.set $ready (i32.const 7)))
        (start $init)
        (func (export "ready") (result i32) (global.get $ready)))`),
    );
    assert.equal(
      readSectionIds(metered).includes(8),
      false,
      "no start section: instantiating runs no operator code",
    );
    const exports = instantiate(metered);
    assert.equal(call(exports, "ready"), 0);
    call(exports, START_EXPORT);
    assert.equal(call(exports, "ready"), 7, "the start function, called by the host, still runs first");
    // without fuel (instrumentOperator for thread-stopped runtimes) the start section stays
    assert.ok(
      readSectionIds(instrumentOperator(wat(`(module (func $s) (start $s))`), { fuel: false })).includes(8),
    );
  });

  it("OperatorCalls runs a metered start function under the deadline: an endless one is reason deadline", () => {
    const looping = meterFuel(
      readFileSync(new URL("../fixtures/wasm/dist/start_loop.wasm", import.meta.url)),
    );
    const limits = { ...DEFAULT_OPERATOR_LIMITS, fuel: 1_000_000 };
    assert.throws(
      () => OperatorCalls.instantiate("start_loop", new WebAssembly.Module(looping), limits),
      (error: unknown) =>
        error instanceof OperatorError &&
        error.fields.reason === "deadline" &&
        /start ran out of fuel/.test(error.message),
    );
  });

  it("OperatorCalls takes a fractional fuel budget as its whole units", () => {
    const identity = meterFuel(readFileSync(new URL("../../operators/dist/identity.wasm", import.meta.url)));
    const limits = { ...DEFAULT_OPERATOR_LIMITS, fuel: 19_531.25 };
    const calls = OperatorCalls.instantiate("identity", new WebAssembly.Module(identity), limits);
    const act = calls.exports.act;
    assert.equal(
      calls.call("act", () => act(1024, 0)),
      1024,
    );
    assert.equal(
      calls.exports.fuel?.value !== undefined && BigInt(calls.exports.fuel.value) <= 19_531n,
      true,
    );
  });

  it("meterFuel() meters a module of 50k functions (its parts are never spread into a call)", () => {
    const funcs = "(func) ".repeat(50_000);
    const metered = meterFuel(wat(`(module ${funcs} (func (export "f") (result i32) (i32.const 7)))`));
    assert.equal(call(instantiate(metered), "f"), 7);
  });

  it("meterFuel() rejects a module that already exports the fuel global", () => {
    assertInvalid(
      () => meterFuel(wat(`(module (global (export "${FUEL_EXPORT}") i32 (i32.const 0)))`)),
      "exports",
    );
  });
});

describe("meterFuel() on malformed input", () => {
  const spin = wat(`(module (func (export "spin") (loop br 0)))`);

  it("meterFuel() rejects bytes that are not WebAssembly", () => {
    assertInvalid(() => meterFuel(new TextEncoder().encode("hello, world")), "not-wasm");
    assertInvalid(() => meterFuel(new Uint8Array()), "not-wasm");
  });

  it("meterFuel() rejects every truncation of a module that cuts a section", () => {
    const boundaries = sectionBoundaries(MIXED);
    for (let length = 0; length < MIXED.length; length++) {
      const prefix = MIXED.subarray(0, length);
      if (boundaries.has(length)) assert.ok(meterFuel(prefix).length > length, `length ${length}`);
      else assertInvalid(() => meterFuel(prefix), "not-wasm");
    }
  });

  it("meterFuel() rejects a section size that runs past the end", () => {
    const bogus = Uint8Array.from(spin);
    bogus[9] = 0x7f; // the type section's size
    assertInvalid(() => meterFuel(bogus), "not-wasm");
  });

  it("meterFuel() rejects unknown and unsupported opcodes", () => {
    const at = spin.lastIndexOf(0x03); // the loop opcode
    // 0xff unknown, 0xfe threads, 0xfb GC, 0x14 call_ref (typed function references)
    for (const opcode of [0xff, 0xfe, 0xfb, 0x14]) {
      const bytes = Uint8Array.from(spin);
      bytes[at] = opcode;
      assertInvalid(() => meterFuel(bytes), "instructions");
    }
  });

  it("meterFuel() raises only InvalidOperatorError on mutated modules, and keeps valid ones valid", () => {
    const seed = Number(process.env.COLWASM_SEED ?? Date.now() % 2 ** 31);
    let state = seed;
    const random = (n: number): number => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return (state >>> 8) % n;
    };
    for (let round = 0; round < 3000; round++) {
      const bytes = Uint8Array.from(MIXED);
      for (let k = 1 + random(3); k > 0; k--) bytes[8 + random(bytes.length - 8)] = random(256);
      let out: Uint8Array<ArrayBuffer> | undefined;
      try {
        out = meterFuel(bytes);
      } catch (error) {
        assert.ok(error instanceof InvalidOperatorError, `seed ${seed} round ${round}: ${String(error)}`);
      }
      if (out !== undefined && WebAssembly.validate(bytes)) {
        assert.ok(WebAssembly.validate(out), `seed ${seed} round ${round}: metered module is invalid`);
      }
    }
  });
});

describe("fuelForDeadline()", () => {
  it("fuelForDeadline() grows with the deadline and clamps to MAX_FUEL", () => {
    assert.equal(fuelForDeadline(0), 0);
    assert.ok(fuelForDeadline(2000) > fuelForDeadline(100));
    assert.ok(fuelForDeadline(2000) <= MAX_FUEL);
    assert.equal(fuelForDeadline(1e12), MAX_FUEL);
    // deadlines past ~2.1 s get budgets past the old i32 cap
    assert.equal(fuelForDeadline(10_000), 10_000 * FUEL_PER_MS);
  });
});

/** The offsets where a section of `wasm` ends (and the 8-byte header): well-formed cut points. */
function sectionBoundaries(wasm: Uint8Array): Set<number> {
  const boundaries = new Set<number>();
  let at = 8;
  while (at <= wasm.length) {
    boundaries.add(at);
    let size = 0;
    let i = at + 1;
    for (let shift = 0; i < wasm.length; i++, shift += 7) {
      size += (wasm[i] & 0x7f) * 2 ** shift;
      if ((wasm[i] & 0x80) === 0) break;
    }
    at = i + 1 + size;
  }
  return boundaries;
}
