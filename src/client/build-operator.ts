// `colwasm build`: compiles an operator folder (assembly/index.ts + manifest.json, as `colwasm new`
// makes) with the built-ins' asc flags, or takes a module another toolchain built (C, Rust, …),
// appends the manifest section, then runs the manifest's examples in a sandbox thread (a runaway
// example stops at the deadline) as an upload would.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { ThreadExecutor } from "../chain/index.ts";
import { nodeSandbox, TSX_PRELOAD } from "../chain/node-sandbox.node.ts";
import { ColwasmError } from "../error.ts";
import { checkExamplesIn } from "../registry/index.ts";
import {
  capModuleLimits,
  DEFAULT_OPERATOR_LIMITS,
  InvalidOperatorError,
  parseManifest,
  prepareOperator,
} from "../wasm/index.ts";
import { concatBytes } from "../wasm/wasm-reader.ts";
import { readSections } from "../wasm/wasm-sections.ts";
import { compileAssemblyScript } from "../../operators/compile-assemblyscript.ts";
import { appendManifestSection } from "../../operators/manifest-section.ts";

/** What `buildOperator` made. */
export interface BuiltOperator {
  readonly name: string;
  readonly wasmPath: string;
  readonly byteLength: number;
  readonly exampleCount: number;
}

/** asc's first error as one line: `ERROR TS2304: Cannot find name 'x'. in assembly/index.ts(3,5)`. */
function firstDiagnostic(text: string): string {
  const lines = text.split("\n").map((l) => l.trim());
  const at = lines.findIndex((l) => l.startsWith("ERROR"));
  if (at < 0) return lines.find((l) => l !== "") ?? "asc failed";
  const where = lines.slice(at).find((l) => l.includes("in ") && /\(\d+,\d+\)/.test(l));
  return `${lines[at]}${where === undefined ? "" : ` ${where.replace(/^.*?in /, "in ")}`}`;
}

async function compile(name: string, entry: string): Promise<Uint8Array> {
  try {
    return await compileAssemblyScript(entry);
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    throw new InvalidOperatorError(`Cannot compile ${name}: ${firstDiagnostic(error.message)}`, {
      operator: name,
      rule: "compile",
    });
  }
}

/** The bytes of a module built elsewhere; one that is not WebAssembly fails here, in its terms. */
function readModule(path: string): Uint8Array {
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = new Uint8Array(readFileSync(path));
  } catch (error) {
    throw new ColwasmError(
      "bad-request",
      `Cannot read module ${JSON.stringify(path)}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (!WebAssembly.validate(bytes))
    throw new InvalidOperatorError(
      `Cannot build from ${JSON.stringify(path)}: it is not a valid WebAssembly module`,
      {
        rule: "not-wasm",
      },
    );
  return withoutManifest(bytes);
}

/**
 * `wasm` without its `colwasm` sections: a module built before (or by another tool) gets this
 * folder's manifest instead of a second one beside its old one.
 */
function withoutManifest(wasm: Uint8Array): Uint8Array {
  const kept = readSections(wasm).filter(
    (s) => s.id !== 0 || new TextDecoder().decode(s.content.name()) !== "colwasm",
  );
  return concatBytes([wasm.subarray(0, 8), ...kept.map((s) => s.raw)]);
}

/**
 * Builds `dir` to `dir/build/NAME.wasm` (NAME: the folder's name) and checks its examples. With
 * `module` (the path of a module built elsewhere), that module takes the place of compiling
 * `dir/assembly/index.ts`: only `dir/manifest.json` is needed.
 */
export async function buildOperator(dir: string, options: { module?: string } = {}): Promise<BuiltOperator> {
  const name = basename(dir);
  const entry = join(dir, "assembly", "index.ts");
  const manifestPath = join(dir, "manifest.json");
  if (options.module !== undefined && !existsSync(manifestPath))
    throw new ColwasmError(
      "invalid-operator",
      `Cannot build ${JSON.stringify(dir)}: expected manifest.json there (abi, input, output, examples)`,
    );
  if (options.module === undefined && (!existsSync(entry) || !existsSync(manifestPath)))
    throw new ColwasmError(
      "invalid-operator",
      `Cannot build ${JSON.stringify(dir)}: expected assembly/index.ts and manifest.json there (colwasm new NAME makes them)`,
    );
  let manifestJson: unknown;
  try {
    manifestJson = JSON.parse(readFileSync(manifestPath, "utf8"));
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
    throw new InvalidOperatorError(`Cannot read manifest.json: ${error.message}`, {
      operator: name,
      rule: "manifest",
    });
  }
  parseManifest(manifestJson, name); // fail on a bad manifest before spending seconds in asc
  const manifest = typeof manifestJson === "object" && manifestJson !== null ? manifestJson : {};
  const binary = options.module === undefined ? await compile(name, entry) : readModule(options.module);
  const wasm = appendManifestSection(binary, manifest);
  const executor = new ThreadExecutor(DEFAULT_OPERATOR_LIMITS, {
    spawn: nodeSandbox({ preload: TSX_PRELOAD }),
  });
  try {
    const module = new WebAssembly.Module(capModuleLimits(wasm, DEFAULT_OPERATOR_LIMITS.maxMemoryPages));
    const hosted = prepareOperator(name, module);
    await checkExamplesIn(executor)(hosted);
    const outDir = join(dir, "build");
    mkdirSync(outDir, { recursive: true });
    const wasmPath = join(outDir, `${name}.wasm`);
    writeFileSync(wasmPath, wasm);
    return { name, wasmPath, byteLength: wasm.byteLength, exampleCount: hosted.manifest.examples.length };
  } finally {
    await executor.close();
  }
}
