// Operators built by other toolchains (test/fixtures/toolchains: C with wasi-libc, C++ with libc++,
// Rust with std for wasm32-wasi and wasm32-unknown-unknown) run under the host as uploaded modules do, plain and
// fuel-metered: random batches against a plain-JS reference, and their failures told in their own
// words (what they printed just before, a Rust panic's message and place). Also what the WASI
// imports do at the host's edge: proc_exit, and random_get's fuel.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { InstancePool } from "../../src/wasm/index.ts";
import { failureOf, hostModule, runRows } from "../support/hosted-module.ts";
import { TEST_LIMITS } from "../support/operators.ts";
import { wat } from "../support/wat.ts";

/** Seeded rows: ASCII and non-ASCII words, some empty, diffs >= 0. */
function randomRows(count: number, seed: number): [string, number][] {
  let s = seed;
  const next = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const alphabet = ["a", "Z", "q", " ", "é", "ß", "中", "7", "x", "Ö"];
  return Array.from({ length: count }, () => {
    const length = Math.floor(next() * 12);
    const text = Array.from({ length }, () => alphabet[Math.floor(next() * alphabet.length)]).join("");
    return [text, Math.floor(next() * 1000)];
  });
}

const upperAscii = (text: string) => text.replace(/[a-z]/g, (c) => c.toUpperCase());

const FIXTURES: {
  name: string;
  expected: (row: [string, number]) => [string, number];
  failure: RegExp;
}[] = [
  {
    name: "c_echo",
    expected: (row) => row,
    // what it printed in the failing call only: not the "N records" line of the call before
    failure:
      /act trapped: RuntimeError: unreachable; it printed: c_echo: record 1 has a negative diff \(-2\)$/,
  },
  {
    name: "cpp_upper",
    expected: ([text, diff]) => [upperAscii(text), diff],
    failure:
      /act trapped: RuntimeError: unreachable; it printed: cpp_upper: record 1 has a negative diff \(-2\)$/,
  },
  {
    name: "rust_upper_wasi",
    expected: ([text, diff]) => [upperAscii(text), diff],
    failure:
      /act trapped: RuntimeError: unreachable; it printed: thread '<unnamed>' panicked at 'record 1 has a negative diff \(-2\)', rust_upper\.rs:\d+:\d+ \| note: /,
  },
  {
    name: "rust_upper_unknown",
    expected: ([text, diff]) => [upperAscii(text), diff],
    failure: /act trapped: RuntimeError: unreachable$/,
  },
];

describe("operators from other toolchains", () => {
  for (const fixture of FIXTURES) {
    for (const fuel of [false, true]) {
      it(`${fixture.name}${fuel ? " (fuel-metered)" : ""} computes its reference on random batches and fails in its own words`, () => {
        const bytes = readFileSync(new URL(`../fixtures/toolchains/${fixture.name}.wasm`, import.meta.url));
        const op = hostModule(fixture.name, bytes, { fuel });
        const pool = new InstancePool(TEST_LIMITS);
        for (const [seed, count] of [
          [1, 0],
          [2, 1],
          [3, 500],
          [4, 20_000],
        ]) {
          const rows = randomRows(count, seed);
          assert.deepEqual(runRows(pool, op, rows), rows.map(fixture.expected), `seed ${seed}`);
        }
        const error = failureOf(pool, op, [
          ["a", 1],
          ["b", -2],
        ]);
        assert.equal(error.reason, "trap");
        assert.match(error.message, fixture.failure);
        assert.deepEqual(runRows(pool, op, [["again", 3]]), [fixture.expected(["again", 3])]);
      });
    }
  }

  it("the Rust template of colwasm new --lang rust, built from its current source, passes random batches through", () => {
    const fixtures = new URL("../fixtures/toolchains/", import.meta.url);
    // lib.rs, then batch.rs (which rust_upper.rs shares), as build.sh hashes them
    const source = Buffer.concat(
      ["lib.rs", "batch.rs"].map((file) =>
        readFileSync(new URL(`../../operators/template-rust/src/${file}`, import.meta.url)),
      ),
    );
    const builtFrom = readFileSync(new URL("rust_template.src.sha256", fixtures), "utf8").trim();
    assert.equal(
      createHash("sha256").update(source).digest("hex"),
      builtFrom,
      "operators/template-rust/src changed: rebuild the fixtures with test/fixtures/toolchains/build.sh",
    );
    for (const fuel of [false, true]) {
      const op = hostModule("rust_template", readFileSync(new URL("rust_template.wasm", fixtures)), { fuel });
      const pool = new InstancePool(TEST_LIMITS);
      for (const [seed, count] of [
        [5, 0],
        [6, 3],
        [7, 5_000],
      ]) {
        const rows = randomRows(count, seed);
        assert.deepEqual(runRows(pool, op, rows), rows, `seed ${seed}`);
      }
    }
  });

  it("act returning 0 after printing: reason error, with what it printed", () => {
    const op = hostModule(
      "says_why",
      wat(`(module (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
        (memory (export "memory") 1)
        (data (i32.const 64) "bad input: no rows\\n")
        (func (export "alloc") (param i32) (result i32) (i32.const 1024))
        (func (export "act") (param i32 i32) (result i32)
          (i32.store (i32.const 0) (i32.const 64))
          (i32.store (i32.const 4) (i32.const 19))
          (drop (call $write (i32.const 2) (i32.const 0) (i32.const 1) (i32.const 16)))
          (i32.const 0)))`),
    );
    const error = failureOf(new InstancePool(TEST_LIMITS), op, [["a", 1]]);
    assert.equal(error.reason, "error");
    assert.match(error.message, /act returned 0; it printed: bad input: no rows$/);
  });

  it("proc_exit in act fails the batch as reason trap with its status", () => {
    const op = hostModule(
      "exits",
      wat(`(module (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
        (memory (export "memory") 1)
        (func (export "alloc") (param i32) (result i32) (i32.const 1024))
        (func (export "act") (param i32 i32) (result i32) (call $exit (i32.const 3)) (i32.const 0)))`),
    );
    const error = failureOf(new InstancePool(TEST_LIMITS), op, [["a", 1]]);
    assert.equal(error.reason, "trap");
    assert.match(error.message, /act exited: it called proc_exit\(3\)$/);
  });

  it("random_get spends fuel: a metered loop of large random_get calls runs out as reason deadline", () => {
    const limits = { ...TEST_LIMITS, fuel: 10_000_000 };
    const op = hostModule(
      "random_loop",
      wat(`(module (import "wasi_snapshot_preview1" "random_get" (func $random (param i32 i32) (result i32)))
        (memory (export "memory") 4)
        (func (export "alloc") (param i32) (result i32) (i32.const 1024))
        (func (export "act") (param i32 i32) (result i32)
          (loop $l (drop (call $random (i32.const 65536) (i32.const 131072))) (br $l))
          (i32.const 0)))`),
      { fuel: true, limits },
    );
    const started = performance.now();
    const error = failureOf(new InstancePool(limits), op, [["a", 1]]);
    assert.equal(error.reason, "deadline");
    assert.match(error.message, /act ran out of fuel/);
    // 10^7 units at 4 a byte: ~2.5 MB of random bytes, not a loop without end
    assert.ok(performance.now() - started < 5_000);
  });
});
