// Export/import checks of spec/operator-abi.md: what each ABI requires before a module may run.
import { isHostImport } from "./host-imports.ts";
import { WASI_MODULE } from "./wasi-preview1.ts";
import type { OperatorAbi } from "./manifest.ts";
import { InvalidOperatorError } from "./operator-error.ts";

const REQUIRED: Record<OperatorAbi, readonly [string, WebAssembly.ImportExportKind][]> = {
  "colwasm/1": [
    ["memory", "memory"],
    ["alloc", "function"],
    ["act", "function"],
  ],
  blog: [
    ["memory", "memory"],
    ["act", "function"],
  ],
};

const OPTIONAL: readonly [string, WebAssembly.ImportExportKind][] = [
  ["error", "function"],
  ["reset", "function"],
  ["_initialize", "function"],
];

/**
 * How to build without the imports toolchains add by default, by the module they come from: an
 * author who compiled with stock flags learns what to change, not just that it is refused.
 */
const IMPORT_HINTS: readonly [(module: string, name: string) => boolean, string][] = [
  [
    (module) => module.startsWith("wasi"),
    `the host supplies WASI preview 1 as ${WASI_MODULE} only: build with a current toolchain for wasm32-wasip1, or for wasm32-unknown-unknown (Rust) or freestanding wasm32 with -nostdlib (C)`,
  ],
  [
    (module, name) => module === "__wbindgen_placeholder__" || name.startsWith("__wbindgen"),
    'wasm-bindgen glue imports JavaScript: export plain extern "C" functions instead',
  ],
];

/**
 * Throws `InvalidOperatorError` unless `module` has the exports of `abi` and imports nothing but
 * what the host supplies (host-imports.ts).
 */
export function checkOperatorModule(module: WebAssembly.Module, abi: OperatorAbi, operator?: string): void {
  const imports = WebAssembly.Module.imports(module).filter((i) => !isHostImport(i));
  if (imports.length > 0) {
    const names = imports
      .map((i) => `${i.module}.${i.name}${i.kind === "function" ? "" : ` (a ${i.kind})`}`)
      .join(", ");
    const hints = IMPORT_HINTS.filter(([applies]) => imports.some((i) => applies(i.module, i.name))).map(
      ([, hint]) => hint,
    );
    const supplied = `AssemblyScript's env functions (abort, trace, seed, Date.now, console.*), env.emscripten_notify_memory_growth and ${WASI_MODULE} functions`;
    throw new InvalidOperatorError(
      `Cannot host the module: operators may import only ${supplied}, found ${names}${hints.length > 0 ? ` (${hints.join("; ")})` : ""}`,
      { operator, rule: "imports" },
    );
  }
  const exports = new Map(WebAssembly.Module.exports(module).map((e) => [e.name, e.kind]));
  for (const [name, kind] of REQUIRED[abi]) {
    if (exports.get(name) !== kind) {
      // a program (it has a main) rather than a library: the usual way to miss every export
      const hint = exports.has("_start")
        ? " (it exports _start: it was built as a WASI program; build a library that exports the ABI's functions, e.g. Rust crate-type cdylib, clang -mexec-model=reactor)"
        : "";
      throw new InvalidOperatorError(
        `Cannot host the module as ${abi}: it must export ${kind} "${name}"${hint}`,
        {
          operator,
          rule: "exports",
        },
      );
    }
  }
  for (const [name, kind] of OPTIONAL) {
    if (exports.has(name) && exports.get(name) !== kind) {
      throw new InvalidOperatorError(`Cannot host the module: export "${name}" must be a ${kind}`, {
        operator,
        rule: "exports",
      });
    }
  }
}
