#!/usr/bin/env node
// `npm test` after set-up: strict type check, format check, then every test file under test/
// with Node's test runner (Node 20 has no TypeScript stripping, so tsx is the one loader).
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const bin = (name) => join(root, "node_modules", ".bin", name);

function step(label, cmd, args) {
  console.log(`\n== ${label}`);
  const result = spawnSync(cmd, args, { cwd: root, stdio: "inherit" });
  if (result.status !== 0) {
    console.error(`colwasm test: ${label} failed`);
    process.exit(result.status ?? 1);
  }
}

function testFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "fixtures" ? [] : testFiles(path);
    // `*.deno.test.ts` use Deno globals: they run in the deno step below, not under Node.
    const isNodeTest = entry.name.endsWith(".test.ts") && !entry.name.endsWith(".deno.test.ts");
    return isNodeTest ? [relative(root, path)] : [];
  });
}

const only = process.argv.slice(2);
if (only.length === 0) {
  step("typecheck (tsc --noEmit, strict)", bin("tsc"), ["--noEmit", "-p", "."]);
  step("format (prettier --check)", bin("prettier"), ["--check", "--log-level", "warn", "."]);
}
const files = only.length > 0 ? only : testFiles(join(root, "test")).sort();
step(`tests (${files.length} files)`, process.execPath, [
  "--import",
  "tsx",
  "--test",
  "--test-reporter",
  "spec",
  ...files,
]);
if (only.length === 0) {
  // style §9: pure tests run under both Node and `deno test` (Deno from npm), with the Deno-only
  // store tests (Deno KV) beside them.
  step("pure and Deno tests under deno test", bin("deno"), [
    "test",
    "--quiet",
    "--allow-read",
    "--allow-write",
    "--allow-env",
    "--unstable-kv",
    "test/columnar",
    "test/state",
    "test/registry/kv-operator-store.deno.test.ts",
  ]);
}
