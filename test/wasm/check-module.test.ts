// checkOperatorModule (src/wasm/check-module.ts) on modules assembled here: imports are refused
// naming each one, with a hint where a toolchain adds them by default (AssemblyScript's env.abort,
// WASI, wasm-bindgen), and none for an import of the author's own.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { checkOperatorModule } from "../../src/wasm/check-module.ts";
import { InvalidOperatorError } from "../../src/wasm/operator-error.ts";
import { wat } from "../support/wat.ts";

/** A colwasm/1 module importing `imports` (module, name) as functions of no arguments. */
function moduleImporting(imports: readonly [string, string][]): WebAssembly.Module {
  const lines = imports.map(([m, n]) => `(import "${m}" "${n}" (func))`).join("\n");
  return new WebAssembly.Module(
    wat(`(module ${lines}
      (memory (export "memory") 1)
      (func (export "alloc") (param i32) (result i32) (i32.const 8))
      (func (export "act") (param i32 i32) (result i32) (local.get 0)))`),
  );
}

function refusal(imports: readonly [string, string][]): InvalidOperatorError {
  try {
    checkOperatorModule(moduleImporting(imports), "colwasm/1", "op");
  } catch (error) {
    assert.ok(error instanceof InvalidOperatorError);
    assert.equal(error.fields.rule, "imports");
    return error;
  }
  assert.fail("the module was accepted");
}

describe("checkOperatorModule: imports", () => {
  test("a module without imports is accepted", () => {
    assert.doesNotThrow(() => checkOperatorModule(moduleImporting([]), "colwasm/1"));
  });

  test("AssemblyScript's env.abort is refused with how to build without it", () => {
    const error = refusal([["env", "abort"]]);
    assert.match(error.message, /found env\.abort/);
    assert.match(error.message, /--use abort=/);
  });

  test("WASI imports are refused with the target to build for", () => {
    const error = refusal([
      ["wasi_snapshot_preview1", "fd_write"],
      ["wasi_snapshot_preview1", "proc_exit"],
    ]);
    assert.match(error.message, /found wasi_snapshot_preview1\.fd_write, wasi_snapshot_preview1\.proc_exit/);
    assert.match(error.message, /wasm32-unknown-unknown/);
  });

  test("wasm-bindgen glue is refused with a hint; several kinds give several hints", () => {
    const error = refusal([
      ["__wbindgen_placeholder__", "__wbindgen_describe"],
      ["env", "abort"],
    ]);
    assert.match(error.message, /wasm-bindgen/);
    assert.match(error.message, /--use abort=/);
  });

  test("an import of the author's own is refused by name, without a toolchain hint", () => {
    const error = refusal([["env", "log"]]);
    assert.match(error.message, /operators may not import anything, found env\.log$/);
  });
});
