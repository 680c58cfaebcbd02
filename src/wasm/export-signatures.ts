// The function types of an operator's exports (spec/operator-abi.md tables), read from the module
// bytes: JS sees only a function's parameter count, so an `act` returning i64 or taking f64s
// would otherwise pass the export check and fail every batch later (a BigInt where an address
// belongs). Checked at upload, where the bytes are at hand.
import type { OperatorAbi } from "./manifest.ts";
import { InvalidOperatorError } from "./operator-error.ts";
import { readImports, readSections } from "./wasm-sections.ts";
import type { WasmReader } from "./wasm-reader.ts";

const I32 = 0x7f;
const VALUE_NAMES: Readonly<Record<number, string>> = {
  0x7f: "i32",
  0x7e: "i64",
  0x7d: "f32",
  0x7c: "f64",
  0x7b: "v128",
  0x70: "funcref",
  0x6f: "externref",
};

interface FunctionType {
  readonly params: readonly number[];
  readonly results: readonly number[];
}

/** `(params) -> results` the ABI requires of each function export the host calls. */
const SIGNATURES: Record<OperatorAbi, Readonly<Record<string, FunctionType>>> = {
  "colwasm/1": {
    alloc: { params: [I32], results: [I32] },
    act: { params: [I32, I32], results: [I32] },
    error: { params: [], results: [I32] },
    reset: { params: [], results: [] },
    _initialize: { params: [], results: [] }, // a WASI reactor's constructors (operator-calls.ts)
  },
  blog: { act: { params: [I32, I32], results: [I32] }, _initialize: { params: [], results: [] } },
};

const show = (t: FunctionType): string => {
  const list = (types: readonly number[]) => types.map((v) => VALUE_NAMES[v] ?? `0x${v.toString(16)}`);
  const results = list(t.results);
  return `(${list(t.params).join(", ")}) -> ${results.length === 1 ? results[0] : `(${results.join(", ")})`}`;
};

function readTypes(r: WasmReader): FunctionType[] {
  const types: FunctionType[] = [];
  const count = r.u32();
  for (let i = 0; i < count; i++) {
    const form = r.byte();
    if (form !== 0x60) r.fail(`type ${i} is not a function type (0x${form.toString(16)})`);
    const params = Array.from({ length: r.u32() }, () => r.valueType());
    const results = Array.from({ length: r.u32() }, () => r.valueType());
    types.push({ params, results });
  }
  return types;
}

/** The function type of each function export, by name. */
export function exportedFunctionTypes(wasm: Uint8Array): Map<string, FunctionType> {
  let types: FunctionType[] = [];
  let functions: number[] = [];
  const exports: [string, number][] = [];
  for (const section of readSections(wasm)) {
    const r = section.content;
    if (section.id === 1) types = readTypes(r);
    else if (section.id === 2) functions = readImports(r).functionTypes;
    else if (section.id === 3) {
      const count = r.u32();
      for (let i = 0; i < count; i++) functions.push(r.u32());
    } else if (section.id === 7) {
      const count = r.u32();
      for (let i = 0; i < count; i++) {
        const name = new TextDecoder().decode(r.name());
        const kind = r.byte();
        const index = r.u32();
        if (kind === 0) exports.push([name, index]);
      }
    }
  }
  const out = new Map<string, FunctionType>();
  for (const [name, index] of exports) {
    const type = types[functions[index] ?? -1];
    if (type !== undefined) out.set(name, type);
  }
  return out;
}

/** Throws `InvalidOperatorError` (rule "exports") when an export the host calls has another type. */
export function checkExportSignatures(wasm: Uint8Array, abi: OperatorAbi, operator?: string): void {
  const actual = exportedFunctionTypes(wasm);
  for (const [name, expected] of Object.entries(SIGNATURES[abi])) {
    const found = actual.get(name);
    if (found === undefined) continue; // presence and kind: checkOperatorModule
    const same =
      found.params.length === expected.params.length &&
      found.results.length === expected.results.length &&
      found.params.every((t, i) => t === expected.params[i]) &&
      found.results.every((t, i) => t === expected.results[i]);
    if (!same) {
      throw new InvalidOperatorError(
        `Cannot host the module as ${abi}: export "${name}" must have type ${show(expected)}, it has ${show(found)}`,
        { operator, rule: "exports" },
      );
    }
  }
}

/**
 * The ABI an upload declares (its `Operator-Abi` header, else its last `colwasm` section), read
 * from bytes where the module cannot be compiled first (workerd); undefined when neither names a
 * known ABI (manifest validation then rejects the upload).
 */
export function declaredAbi(wasm: Uint8Array, headerAbi?: string): OperatorAbi | undefined {
  const known = (abi: unknown): OperatorAbi | undefined =>
    abi === "colwasm/1" || abi === "blog" ? abi : undefined;
  if (headerAbi !== undefined) return known(headerAbi);
  let manifest: Uint8Array | undefined;
  for (const section of readSections(wasm)) {
    if (section.id !== 0) continue;
    const r = section.content;
    if (new TextDecoder().decode(r.name()) === "colwasm") manifest = r.bytes.subarray(r.at);
  }
  if (manifest === undefined) return undefined;
  try {
    return known((JSON.parse(new TextDecoder().decode(manifest)) as { abi?: unknown }).abi);
  } catch {
    return undefined;
  }
}
