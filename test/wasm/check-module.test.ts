// checkOperatorModule (src/wasm/check-module.ts) on modules assembled here: what the host supplies
// (AssemblyScript's env.abort, WASI preview 1 functions) is accepted; other imports are refused
// naming each one, with a hint where a toolchain adds them by default (an older WASI, wasm-bindgen),
// and none for one of the author's own.
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

  test("AssemblyScript's other stock env functions are accepted; a near miss is not", () => {
    const names = ["trace", "seed", "Date.now", "console.log", "console.error", "console.time"];
    assert.doesNotThrow(() =>
      checkOperatorModule(moduleImporting(names.map((n): [string, string] => ["env", n])), "colwasm/1"),
    );
    assert.match(refusal([["env", "console.table"]]).message, /found env\.console\.table$/);
  });

  test("emscripten's standalone env.emscripten_notify_memory_growth is accepted", () => {
    const growth = "(func (param i32))";
    assert.doesNotThrow(() =>
      checkOperatorModule(moduleImporting([["env", "emscripten_notify_memory_growth", growth]]), "colwasm/1"),
    );
  });

  test("an env.abort that is not a function is refused, naming its kind", () => {
    const error = refusal([["env", "abort", "(global i32)"]]);
    assert.match(
      error.message,
      /may import only AssemblyScript's env functions \(abort, trace, seed, Date\.now, console\.\*\), env\.emscripten_notify_memory_growth and wasi_snapshot_preview1 functions, found env\.abort \(a global\)$/,
    );
  });

  test("WASI preview 1 functions are accepted, any of them (the host answers ENOSYS for what it lacks)", () => {
    const wasi = [
      ["wasi_snapshot_preview1", "fd_write"],
      ["wasi_snapshot_preview1", "proc_exit"],
      ["wasi_snapshot_preview1", "path_open"],
    ] as [string, string][];
    assert.doesNotThrow(() => checkOperatorModule(moduleImporting(wasi), "colwasm/1"));
  });

  test("the older wasi_unstable and a WASI global are refused, with what to build for", () => {
    const error = refusal([
      ["wasi_unstable", "fd_write"],
      ["wasi_snapshot_preview1", "clock", "(global i32)"],
    ]);
    assert.match(
      error.message,
      /found wasi_unstable\.fd_write, wasi_snapshot_preview1\.clock \(a global\) \(/,
    );
    assert.match(error.message, /wasm32-wasip1/);
  });

  test("wasm-bindgen glue is refused with a hint; several kinds give several hints", () => {
    const error = refusal([
      ["__wbindgen_placeholder__", "__wbindgen_describe"],
      ["env", "abort"],
      ["wasi_unstable", "fd_write"],
    ]);
    assert.match(
      error.message,
      /found __wbindgen_placeholder__\.__wbindgen_describe, wasi_unstable\.fd_write \(/,
    );
    assert.match(error.message, /wasm-bindgen/);
    assert.match(error.message, /wasm32-wasip1/);
  });

  test("an import of the author's own is refused by name, without a toolchain hint", () => {
    const error = refusal([["env", "log"]]);
    assert.match(
      error.message,
      /operators may import only AssemblyScript's env functions \(abort, trace, seed, Date\.now, console\.\*\), env\.emscripten_notify_memory_growth and wasi_snapshot_preview1 functions, found env\.log$/,
    );
  });
});

describe("checkOperatorModule: exports", () => {
  test("a WASI program (it exports _start) is told to build a library instead", () => {
    const program = new WebAssembly.Module(
      wat(`(module (memory (export "memory") 1) (func (export "_start")))`),
    );
    assert.throws(
      () => checkOperatorModule(program, "colwasm/1", "op"),
      (error: unknown) =>
        error instanceof InvalidOperatorError &&
        error.fields.rule === "exports" &&
        /must export function "alloc" \(it exports _start: it was built as a WASI program; .*cdylib.*reactor\)$/.test(
          error.message,
        ),
    );
  });
});
