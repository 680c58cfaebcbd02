// Builds every operator module: AssemblyScript examples + template (asc), WAT operators and the
// test fixtures (wabt; asc with its stock flags), then appends the `colwasm` manifest section. Skips a module whose output
// is newer than its sources and this build code. Run: node --import tsx operators/build.ts [--force] [name…]

import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { listBuildTargets, type BuildTarget } from "./build-targets.ts";
import { ASC_STOCK_FLAGS, compileAssemblyScript } from "./compile-assemblyscript.ts";
import { compileWat } from "./compile-wat.ts";
import { appendManifestSection } from "./manifest-section.ts";

const OPERATORS_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(OPERATORS_DIR);
const BUILD_CODE = [
  "build.ts",
  "build-targets.ts",
  "compile-assemblyscript.ts",
  "compile-wat.ts",
  "manifest-section.ts",
].map((file) => join(OPERATORS_DIR, file));

function mtimeMs(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return -1; // missing output: always stale
  }
}

function isFresh(target: BuildTarget, outPath: string): boolean {
  const newestSource = Math.max(...target.sourcePaths.map(mtimeMs), ...BUILD_CODE.map(mtimeMs));
  return mtimeMs(outPath) > newestSource;
}

function readManifest(path: string): object {
  const parsed: unknown = JSON.parse(readFileSync(path, "utf8"));
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new Error(`Cannot read manifest "${path}": expected a JSON object`);
  }
  return parsed;
}

async function buildTarget(target: BuildTarget): Promise<number> {
  const binary =
    target.kind === "wat"
      ? await compileWat(target.entryPath)
      : await compileAssemblyScript(
          target.entryPath,
          target.kind === "assemblyscript-stock" ? ASC_STOCK_FLAGS : undefined,
        );
  const manifest = target.manifestPath === null ? null : readManifest(target.manifestPath);
  const wasm = manifest === null ? binary : appendManifestSection(binary, manifest);
  mkdirSync(target.outDir, { recursive: true });
  if (manifest !== null && target.writesManifestFile) {
    writeFileSync(
      join(target.outDir, `${target.name}.manifest.json`),
      `${JSON.stringify(manifest, null, 2)}\n`,
    );
  }
  writeFileSync(join(target.outDir, `${target.name}.wasm`), wasm);
  return wasm.length;
}

async function main(args: string[]): Promise<number> {
  const isForced = args.includes("--force");
  const names = args.filter((arg) => !arg.startsWith("--"));
  const targets = listBuildTargets(ROOT).filter((t) => names.length === 0 || names.includes(t.name));
  let failures = 0;
  for (const target of targets) {
    const outPath = join(target.outDir, `${target.name}.wasm`);
    const shown = relative(ROOT, outPath);
    if (!isForced && isFresh(target, outPath)) {
      console.log(`fresh  ${target.name.padEnd(20)} ${shown}`);
      continue;
    }
    const startMs = performance.now();
    try {
      const byteLength = await buildTarget(target);
      const ms = Math.round(performance.now() - startMs);
      console.log(`built  ${target.name.padEnd(20)} ${shown} (${byteLength} bytes, ${ms} ms)`);
    } catch (error: unknown) {
      failures++;
      console.log(
        `FAILED ${target.name.padEnd(20)} ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
  return failures === 0 ? 0 : 1;
}

process.exitCode = await main(process.argv.slice(2));
