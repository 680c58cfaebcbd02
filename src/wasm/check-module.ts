// Export/import checks of spec/operator-abi.md: what each ABI requires before a module may run.
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
];

/** Throws `InvalidOperatorError` unless `module` has the exports of `abi` and no imports. */
export function checkOperatorModule(module: WebAssembly.Module, abi: OperatorAbi, operator?: string): void {
  const imports = WebAssembly.Module.imports(module);
  if (imports.length > 0) {
    const names = imports.map((i) => `${i.module}.${i.name}`).join(", ");
    throw new InvalidOperatorError(
      `Cannot host the module: operators may not import anything, found ${names}`,
      { operator, rule: "imports" },
    );
  }
  const exports = new Map(WebAssembly.Module.exports(module).map((e) => [e.name, e.kind]));
  for (const [name, kind] of REQUIRED[abi]) {
    if (exports.get(name) !== kind) {
      throw new InvalidOperatorError(`Cannot host the module as ${abi}: it must export ${kind} "${name}"`, {
        operator,
        rule: "exports",
      });
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
