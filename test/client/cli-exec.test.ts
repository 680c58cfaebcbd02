// `colwasm exec` (spec/cli.md) as a real process: built-in stages, a .wasm path with a headers
// manifest, and a runaway loop stopped at the deadline with a one-line failure.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

function colwasm(args: string[], input: string) {
  const result = spawnSync(process.execPath, ["bin/colwasm.mjs", ...args], {
    cwd: ROOT,
    input,
    timeout: 60_000,
  });
  return {
    status: result.status,
    stdout: result.stdout.toString("utf8"),
    stderr: result.stderr.toString("utf8"),
  };
}

describe("colwasm exec", () => {
  it("runs split_words,lowercase over JSONL rows", () => {
    const run = colwasm(
      ["exec", "--chain", "split_words,lowercase", "--schema", "(String, i64)"],
      '["Hello World",1]\n["the THE",-2]\n',
    );
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, '["hello",1]\n["world",1]\n["the",-2]\n["the",-2]\n');
  });

  it("runs a blog-ABI .wasm path given its manifest as flags (the worked example)", () => {
    const run = colwasm(
      [
        "exec",
        "--chain",
        "test/fixtures/wasm/dist/../../../../operators/dist/len_plus_diff_blog.wasm",
        "--schema",
        "(String, i64)",
        "--abi",
        "blog",
        "--input",
        "(String, i64)",
        "--output",
        "(String, i64)",
      ],
      '["hello",1]\n["world",-2]\n["",3]\n',
    );
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, '["hello",6]\n["world",3]\n["",3]\n');
  });

  it("stops an infinite loop at the deadline and exits non-zero with one line", () => {
    const run = colwasm(
      ["exec", "--chain", "test/fixtures/wasm/dist/infinite_loop.wasm", "--schema", "(String, i64)"],
      '["x",1]\n',
    );
    assert.equal(run.status, 1);
    assert.match(run.stderr, /^Operator failed: .*deadline.*\n$/);
  });

  it("fails before running on a type mismatch", () => {
    const run = colwasm(["exec", "--chain", "lowercase", "--schema", "(u64, i64)"], "[1,2]\n");
    assert.equal(run.status, 1);
    assert.equal(run.stderr.split("\n").length, 2);
  });
});
