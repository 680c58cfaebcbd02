// capModuleLimits(): a hosted module's memory and tables stay under the host's limits (grows past
// them fail inside WASM), and modules that need more, or a second memory, are refused.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  capModuleLimits,
  InvalidOperatorError,
  MAX_TABLE_ELEMENTS,
  MAX_TABLES,
} from "../../src/wasm/index.ts";
import { wat as watBytes } from "../support/wat.ts";

const wat = (text: string) => watBytes(text, { reference_types: true, threads: true });

type Exports = Record<string, (...args: number[]) => number>;
const instantiate = (bytes: Uint8Array<ArrayBuffer>) =>
  new WebAssembly.Instance(new WebAssembly.Module(bytes), {}).exports as unknown as Exports;

function assertRefused(bytes: Uint8Array, rule: string, pattern: RegExp): void {
  assert.throws(
    () => capModuleLimits(bytes, 16),
    (error: unknown) =>
      error instanceof InvalidOperatorError && error.fields.rule === rule && pattern.test(error.message),
  );
}

describe("capModuleLimits()", () => {
  it("capModuleLimits() clamps the memory maximum: memory.grow past the cap answers -1", () => {
    const exports = instantiate(
      capModuleLimits(
        wat(
          `(module (memory 1) (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))`,
        ),
        16,
      ),
    );
    assert.equal(exports.grow(15), 1);
    assert.equal(exports.grow(1), -1);
  });

  it("capModuleLimits() refuses a memory whose minimum is over the cap, a shared one, a 64-bit one and a second one", () => {
    assertRefused(wat(`(module (memory 17))`), "memory", /needs 17 pages, the limit is 16/);
    assertRefused(
      wat(`(module (memory 1 1 shared))`),
      "memory",
      /its memory is shared; an operator's must be unshared and 32-bit/,
    );
    assertRefused(
      watBytes(`(module (memory i64 1))`, { memory64: true }),
      "memory",
      /its memory is 64-bit; an operator's must be unshared and 32-bit/,
    );
    assertRefused(wat(`(module (memory 1) (memory 1))`), "memory", /one memory, this module defines 2/);
  });

  it("capModuleLimits() clamps every table's maximum: table.grow past MAX_TABLE_ELEMENTS answers -1", () => {
    const exports = instantiate(
      capModuleLimits(
        wat(`(module (table $t 10 funcref) (table $u 1 100000000 externref)
          (func (export "grow") (param i32) (result i32) (table.grow $t (ref.null func) (local.get 0)))
          (func (export "growU") (param i32) (result i32) (table.grow $u (ref.null extern) (local.get 0))))`),
        16,
      ),
    );
    assert.equal(exports.grow(MAX_TABLE_ELEMENTS - 10), 10);
    assert.equal(exports.grow(1), -1);
    assert.equal(exports.growU(MAX_TABLE_ELEMENTS), -1);
    assert.equal(exports.growU(MAX_TABLE_ELEMENTS - 1), 1);
  });

  it("capModuleLimits() refuses a table over MAX_TABLE_ELEMENTS and more than MAX_TABLES tables", () => {
    assertRefused(
      wat(`(module (table ${MAX_TABLE_ELEMENTS + 1} funcref))`),
      "tables",
      new RegExp(`needs ${MAX_TABLE_ELEMENTS + 1} elements, the limit is ${MAX_TABLE_ELEMENTS}`),
    );
    const tables = Array.from({ length: MAX_TABLES + 1 }, () => "(table 1 funcref)").join(" ");
    assertRefused(wat(`(module ${tables})`), "tables", new RegExp(`defines ${MAX_TABLES + 1} tables`));
    capModuleLimits(
      wat(`(module ${Array.from({ length: MAX_TABLES }, () => "(table 1 funcref)").join(" ")})`),
      16,
    );
  });
});
