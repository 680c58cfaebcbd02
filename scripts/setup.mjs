#!/usr/bin/env node
// Set-up shared by `npm start` and `npm test` on a fresh clone: installs the pinned dependencies
// when they are missing or stale, then builds the operators, the Worker bundle and the client
// package entries. Plain Node, no dependencies.
import { execFileSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: "inherit" });

const marker = `${root}node_modules/.package-lock.json`;
const lock = `${root}package-lock.json`;
const isStale =
  !existsSync(marker) || (existsSync(lock) && statSync(lock).mtimeMs > statSync(marker).mtimeMs);
if (isStale) {
  console.log("colwasm setup: installing pinned dependencies (npm ci)");
  run(npm, ["ci", "--no-audit", "--no-fund"]);
}
run(process.execPath, ["--import", "tsx", "operators/build.ts"]);
// The Workers bundle (dist/worker) that `npm start`, `colwasm serve` and the workerd tests serve.
run(process.execPath, ["--import", "tsx", "scripts/build-worker.ts"]);
// The package entries `colwasm/client` and `colwasm/columnar` (package.json exports) as Node
// imports them: compiled JS and declarations in dist/ (~3 s).
const tsc = `${root}node_modules/typescript/bin/tsc`;
run(process.execPath, [tsc, "-p", "tsconfig.build.json"]);
run(process.execPath, [
  tsc,
  "-p",
  "tsconfig.build.json",
  "--emitDeclarationOnly",
  "false",
  "--declaration",
  "false",
  "--outDir",
  "dist",
]);
