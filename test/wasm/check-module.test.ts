// checkOperatorModule (src/wasm/check-module.ts) on modules assembled here: the host's one import,
// AssemblyScript's env.abort, is accepted; other imports are refused naming each one, with a hint
// where a toolchain adds them by default (WASI, wasm-bindgen), and none for one of the author's own.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { checkOperatorModule } from "../../src/wasm/check-module.ts";
import { InvalidOperatorError } from "../../src/wasm/operator-error.ts";
import { wat } from "../support/wat.ts";

/** A colwasm/1 module importing `imports` (module, name) as functions of no arguments, or as `kind`. */
function moduleImporting(imports: readonly [string, string, string?][]): WebAssembly.Module {
  const lines = imports.map(([m, n, kind = "(func)"]) => `(import "${m}" "${n}" ${kind})`).join("\n");
  return new WebAssembly.Module(
    wat(`(module ${lines}
      (memory (export "memory") 1)
      (func (export "alloc") (param i32) (result i32) (i32.const 8))
      (func (export "act") (param i32 i32) (result i32) (local.get 0)))`),
  );
}

function refusal(imports: readonly [string, string, string?][]): InvalidOperatorError {
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

  test("AssemblyScript's env.abort is accepted: the host supplies it (src/wasm/host-imports.ts)", () => {
    assert.doesNotThrow(() => checkOperatorModule(moduleImporting([["env", "abort"]]), "colwasm/1"));
    const typed = "(func (param i32 i32 i32 i32))";
    assert.doesNotThrow(() => checkOperatorModule(moduleImporting([["env", "abort", typed]]), "colwasm/1"));
  });

  test("an env.abort that is not a function is refused, naming its kind", () => {
    const error = refusal([["env", "abort", "(global i32)"]]);
    assert.match(error.message, /may import only the function env\.abort, found env\.abort \(a global\)$/);
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
      ["wasi_snapshot_preview1", "fd_write"],
    ]);
    assert.match(
      error.message,
      /found __wbindgen_placeholder__\.__wbindgen_describe, wasi_snapshot_preview1\.fd_write \(/,
    );
    assert.match(error.message, /wasm-bindgen/);
    assert.match(error.message, /wasm32-unknown-unknown/);
  });

  test("an import of the author's own is refused by name, without a toolchain hint", () => {
    const error = refusal([["env", "log"]]);
    assert.match(error.message, /operators may import only the function env\.abort, found env\.log$/);
  });
});
