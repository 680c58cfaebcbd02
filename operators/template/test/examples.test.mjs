// NAME: runs every `examples` entry of manifest.json through build/NAME.wasm with `colwasm exec`
// (the same check the runtime makes on upload). Run from the operator folder: node --test test/
// after `colwasm build`. COLWASM_BIN overrides where the colwasm CLI is.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const DIR = fileURLToPath(new URL("../", import.meta.url));
const COLWASM_BIN = process.env.COLWASM_BIN ?? "__COLWASM_BIN__";
const manifest = JSON.parse(readFileSync(new URL("../manifest.json", import.meta.url), "utf8"));

for (const [k, example] of manifest.examples.entries()) {
  test(`NAME example ${k} gives its "out" rows`, () => {
    const run = spawnSync(
      process.execPath,
      [COLWASM_BIN, "exec", "--chain", "./build/NAME.wasm", "--schema", manifest.input],
      { cwd: DIR, input: example.in.map((row) => `${JSON.stringify(row)}\n`).join(""), encoding: "utf8" },
    );
    assert.equal(run.status, 0, run.stderr);
    const rows = run.stdout
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => JSON.parse(line));
    assert.deepEqual(rows, example.out);
  });
}
