// checkExportSignatures() against the export types of spec/operator-abi.md, and the host's answer
// when a module of the wrong types runs anyway (stored before its types were checked).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { decodeBatch, encodeBatch, parseSchema, rowsToColumn } from "../../src/columnar/index.ts";
import {
  checkExportSignatures,
  CopyMeter,
  declaredAbi,
  InvalidOperatorError,
  OperatorError,
  OperatorInstance,
  prepareOperator,
} from "../../src/wasm/index.ts";
import { TEST_LIMITS } from "../support/operators.ts";
import { wat as watBytes } from "../support/wat.ts";

const wat = (text: string) => watBytes(text, { multi_value: true });

/** A colwasm/1-shaped module whose exports have the given signatures (bodies return zeros). */
function moduleWith(signatures: Record<string, string>, extra = ""): Uint8Array<ArrayBuffer> {
  const funcs = Object.entries(signatures)
    .map(([name, sig]) => {
      const results = /\(result ([^)]*)\)/.exec(sig)?.[1].trim().split(/\s+/) ?? [];
      const body = results.map((t) => `(${t}.const 0)`).join(" ");
      return `(func (export "${name}") ${sig} ${body})`;
    })
    .join("\n");
  return wat(`(module (memory (export "memory") 1) ${extra} ${funcs})`);
}

const GOOD = {
  alloc: "(param i32) (result i32)",
  act: "(param i32 i32) (result i32)",
  error: "(result i32)",
  reset: "",
};

function assertRejected(wasm: Uint8Array, abi: "colwasm/1" | "blog", pattern: RegExp): void {
  assert.throws(
    () => checkExportSignatures(wasm, abi, "op"),
    (error: unknown) =>
      error instanceof InvalidOperatorError && error.fields.rule === "exports" && pattern.test(error.message),
  );
}

describe("checkExportSignatures()", () => {
  it("checkExportSignatures() accepts every built operator and the ABI's own types", () => {
    for (const name of ["split_words", "lowercase", "filter_nonempty", "len_plus_diff", "identity"]) {
      checkExportSignatures(readFileSync(`operators/dist/${name}.wasm`), "colwasm/1", name);
    }
    checkExportSignatures(readFileSync("operators/dist/len_plus_diff_blog.wasm"), "blog");
    checkExportSignatures(moduleWith(GOOD), "colwasm/1");
    checkExportSignatures(moduleWith({ ...GOOD, _initialize: "" }), "colwasm/1");
    checkExportSignatures(moduleWith({ alloc: GOOD.alloc, act: GOOD.act }), "colwasm/1"); // optional ones absent
  });

  it("checkExportSignatures() rejects act, alloc, error and reset of other types, naming both types", () => {
    const cases: [string, string, RegExp][] = [
      [
        "act",
        "(param i64 i64) (result i64)",
        /"act" must have type \(i32, i32\) -> i32, it has \(i64, i64\) -> i64/,
      ],
      ["act", "(param i32 i32) (result i64)", /"act".*\(i32, i32\) -> i64/],
      ["act", "(param i32 i32)", /"act".*it has \(i32, i32\) -> \(\)/],
      ["act", "(param f64 f64) (result f64)", /"act".*\(f64, f64\) -> f64/],
      ["act", "(param i32 i32) (result i32 i32)", /"act".*\(i32, i32\) -> \(i32, i32\)/],
      ["alloc", "", /"alloc" must have type \(i32\) -> i32, it has \(\) -> \(\)/],
      ["reset", "(param i32) (result i32)", /"reset" must have type \(\) -> \(\)/],
      ["error", "(param i64) (result i64)", /"error" must have type \(\) -> i32/],
      ["_initialize", "(param i32)", /"_initialize" must have type \(\) -> \(\)/],
    ];
    for (const [name, sig, pattern] of cases) {
      assertRejected(moduleWith({ ...GOOD, [name]: sig }), "colwasm/1", pattern);
    }
    assertRejected(moduleWith({ act: "(param i32 i32) (result i64)" }), "blog", /"act"/);
  });

  it("checkExportSignatures() counts imported functions in the function index space", () => {
    // the export points past one imported function: its type is the second one
    const wasm = wat(`(module
      (type (func (param i32 i32) (result i32)))
      (type (func (param i64) (result i64)))
      (import "env" "f" (func (type 0)))
      (memory (export "memory") 1)
      (func (export "act") (type 1) (i64.const 0)))`);
    assertRejected(wasm, "blog", /it has \(i64\) -> i64/);
  });
});

describe("declaredAbi()", () => {
  it("declaredAbi() takes the header, else the last colwasm section, else nothing", () => {
    const blog = readFileSync("operators/dist/len_plus_diff_blog.wasm");
    const native = readFileSync("operators/dist/identity.wasm");
    assert.equal(declaredAbi(native), "colwasm/1");
    assert.equal(declaredAbi(native, "blog"), "blog");
    assert.equal(declaredAbi(blog, "colwasm/1"), "colwasm/1");
    assert.equal(declaredAbi(moduleWith(GOOD)), undefined);
    assert.equal(declaredAbi(moduleWith(GOOD), "something"), undefined);
  });
});

describe("a module of the wrong types that runs anyway", () => {
  it("an act returning i64 is an OperatorError (invalid-output), not a host crash", () => {
    // alloc hands out a usable region for the copy; act answers an i64
    const bytes = wat(`(module (memory (export "memory") 1)
      (func (export "alloc") (param i32) (result i32) (i32.const 8))
      (func (export "act") (param i32 i32) (result i64) (i64.const 8)))`);
    const op = prepareOperator("wide", new WebAssembly.Module(bytes), {
      headers: { abi: "colwasm/1", input: "(String, i64)", output: "(String, i64)" },
    });
    const schema = parseSchema("(String, i64)");
    const input = decodeBatch(encodeBatch(rowsToColumn(schema, [["a", 1]])), schema);
    const instance = OperatorInstance.create(op, TEST_LIMITS);
    assert.throws(
      () => instance.run(input, new CopyMeter()),
      (error: unknown) =>
        error instanceof OperatorError &&
        error.fields.reason === "invalid-output" &&
        /not an i32 address/.test(error.message),
    );
  });
});
