// Builds the Workers runtime into dist/: prepares the built-in operators (memory cap + fuel meter,
// examples run once here in Node) as `.wasm` + `.bin` twins under dist/worker-assets/builtins/,
// bundles the runner isolate's code to dist/worker-assets/runner.src.js (a Text module), then
// (unless `--assets-only`, which wrangler.toml's build command uses) bundles the Worker with
// esbuild to dist/worker/main.js (or `--out DIR`) + its assets, ready for Miniflare.
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build, type Plugin } from "esbuild";
import { WORKERD_BUNDLE_OPTIONS } from "./workerd-bundle-options.ts";
import { BUILTIN_NAMES } from "../src/registry/builtin-names.ts";
import {
  capModuleLimits,
  DEFAULT_OPERATOR_LIMITS,
  fuelForDeadline,
  meterFuel,
  prepareOperator,
  runExamples,
} from "../src/wasm/index.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const ASSETS = join(ROOT, "dist/worker-assets");
/** `--out DIR` bundles elsewhere (tests running in parallel each use their own). */
const outFlag = process.argv.indexOf("--out");
const OUT = outFlag > 0 ? join(ROOT, process.argv[outFlag + 1]) : join(ROOT, "dist/worker");

/**
 * Caps, meters and checks every built-in; writes `NAME.wasm` and `NAME.bin` (same bytes), and the
 * module as built, `NAME.source.bin`, which the listing describes (sha256, size) as Deno's does.
 */
function prepareBuiltins(): void {
  mkdirSync(join(ASSETS, "builtins"), { recursive: true });
  const limits = { ...DEFAULT_OPERATOR_LIMITS, fuel: fuelForDeadline(DEFAULT_OPERATOR_LIMITS.deadlineMs) };
  for (const name of BUILTIN_NAMES) {
    const source = readFileSync(join(ROOT, "operators/dist", `${name}.wasm`));
    const wasm = meterFuel(capModuleLimits(source, limits.maxMemoryPages));
    runExamples(prepareOperator(name, new WebAssembly.Module(wasm)), limits);
    for (const ext of ["wasm", "bin"]) writeFileSync(join(ASSETS, "builtins", `${name}.${ext}`), wasm);
    writeFileSync(join(ASSETS, "builtins", `${name}.source.bin`), source);
  }
  // The host's validation kernels, as data: every runner isolate gets them beside the operators.
  // (.bin for the Loader, .wasm compiled at deploy for the parent's body arenas)
  const kernels = readFileSync(join(ROOT, "dist/kernels/validate.wasm"));
  for (const ext of ["wasm", "bin"]) writeFileSync(join(ASSETS, `validate-kernels.${ext}`), kernels);
}

/** The runner isolate's library: serveRunner() over the chain's modules. */
async function bundleRunner(): Promise<void> {
  await build({
    entryPoints: [join(ROOT, "src/runtimes/workers/runner.workers.ts")],
    outfile: join(ASSETS, "runner.src.js"),
    ...WORKERD_BUNDLE_OPTIONS,
    logLevel: "warning",
  });
}

/** `.wasm`/`.bin` imports stay imports of `./assets/<file>`, copied beside main.js. */
const moduleAssets: Plugin = {
  name: "colwasm-module-assets",
  setup(b) {
    b.onResolve({ filter: /\.(wasm|bin)$/ }, (args) => {
      const source = join(args.resolveDir, args.path);
      copyFileSync(source, join(OUT, "assets", basename(source)));
      return { path: `./assets/${basename(source)}`, external: true };
    });
  },
};

/** The Worker, as Miniflare loads it (`modulesRules` for `.wasm` and `.bin`). */
async function bundleWorker(): Promise<void> {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(join(OUT, "assets"), { recursive: true });
  await build({
    entryPoints: [join(ROOT, "src/runtimes/workers.ts")],
    outfile: join(OUT, "main.js"),
    ...WORKERD_BUNDLE_OPTIONS,
    external: ["cloudflare:*", "node:*"], // node:async_hooks comes from workerd (nodejs_compat)
    loader: { ".src.js": "text" },
    plugins: [moduleAssets],
    logLevel: "warning",
  });
}

prepareBuiltins();
await bundleRunner();
if (!process.argv.includes("--assets-only")) await bundleWorker();
console.log(`colwasm: built ${process.argv.includes("--assets-only") ? ASSETS : OUT}`);
