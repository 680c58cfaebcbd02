// The imports the host documents (spec/operator-abi.md: "imports must be empty unless the runtime
// documents one"), so modules run as their toolchains build them:
// - AssemblyScript's `env` imports of a stock build: `abort` (asserts, bounds checks, `throw`),
//   `trace` and `console.log`/`info`/`warn`/`error`/`debug` (kept as the module's printed output,
//   as WASI's stdout and stderr are), `seed` (Math.random: a fixed seed, so an operator stays a
//   pure function of its input) and `Date.now`;
// - emscripten's `env.emscripten_notify_memory_growth` (standalone builds call it after growing
//   memory: nothing to do, the host takes a fresh view of memory at every call);
// - WASI preview 1 (wasi-preview1.ts), which libc and Rust's std call.
// An abort, an exit or a panic becomes an operator failure that carries the module's own words.
import { charged, WASI_MODULE, type WasiHost, wasiImports } from "./wasi-preview1.ts";

/** AssemblyScript's `abort(message, fileName, line, column)`. */
export const ABORT_IMPORT = { module: "env", name: "abort", kind: "function" } as const;

/** AssemblyScript's console methods that print a string (`console.time` and kin are no-ops). */
const CONSOLE_PRINTS = ["log", "info", "warn", "error", "debug"].map((m) => `console.${m}`);
const CONSOLE_TIMERS = ["time", "timeLog", "timeEnd"].map((m) => `console.${m}`);

/** Math.random's seed: any fixed value; this one is the 64-bit golden ratio's top 52 bits. */
const FIXED_SEED = 0x9e3779b97f4a7 / 2 ** 52;

/** The `env` functions the host supplies, by name. */
const ENV_NAMES: ReadonlySet<string> = new Set([
  ABORT_IMPORT.name,
  "trace",
  "seed",
  "Date.now",
  ...CONSOLE_PRINTS,
  ...CONSOLE_TIMERS,
  "emscripten_notify_memory_growth",
]);

/**
 * What a module may import, as `GET /` tells clients: each env function by name, and
 * `wasi_snapshot_preview1.*` (every WASI preview 1 function, without capabilities).
 */
export const SUPPLIED_IMPORTS: readonly string[] = [
  ...[...ENV_NAMES].map((name) => `${ABORT_IMPORT.module}.${name}`),
  `${WASI_MODULE}.*`,
];

/** Whether `i` is an import the host supplies: one of the env functions, or a WASI preview 1 one. */
export function isHostImport(i: WebAssembly.ModuleImportDescriptor): boolean {
  if (i.kind !== "function") return false;
  if (i.module === ABORT_IMPORT.module) return ENV_NAMES.has(i.name);
  return i.module === WASI_MODULE;
}

/** Thrown by the supplied `env.abort` through the operator's frames; OperatorCalls reports it. */
export class OperatorAbort extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OperatorAbort";
  }
}

/** Characters read of one string: a message longer than this is cut, not refused. */
const MAX_CHARS = 1024;

/**
 * The AssemblyScript string at `ptr` in `memory`, or undefined when `ptr` cannot be one: its
 * object header keeps the UTF-16 byte length in the u32 just before the characters.
 */
function readAssemblyScriptString(memory: WebAssembly.Memory, ptr: unknown): string | undefined {
  if (typeof ptr !== "number" || !Number.isInteger(ptr)) return undefined;
  const at = ptr >>> 0;
  const bytes = memory.buffer.byteLength;
  if (at < 4 || at % 2 !== 0 || at > bytes) return undefined;
  const length = new DataView(memory.buffer).getUint32(at - 4, true);
  if (length % 2 !== 0 || length > bytes - at) return undefined;
  const units = new Uint16Array(memory.buffer.slice(at, at + Math.min(length, MAX_CHARS * 2)));
  const text = String.fromCharCode(...units);
  return length > MAX_CHARS * 2 ? `${text}…` : text;
}

/**
 * What an AssemblyScript abort says: "message (at file:line:column)", each part only when it can
 * be read. A module of another toolchain may declare `env.abort` with other parameters; it still
 * aborts, with what could be read.
 */
export function describeAbort(memory: WebAssembly.Memory | undefined, args: readonly unknown[]): string {
  if (memory === undefined) return "abort() was called";
  const [messagePtr, filePtr, line, column] = args;
  const message = readAssemblyScriptString(memory, messagePtr);
  const file = readAssemblyScriptString(memory, filePtr);
  const position =
    typeof line === "number" && line > 0
      ? `:${line}${typeof column === "number" && column > 0 ? `:${column}` : ""}`
      : "";
  const where = file === undefined || file === "" ? "" : ` (at ${file}${position})`;
  return `${message === undefined || message === "" ? "abort() was called" : message}${where}`;
}

/**
 * The import object for one instance of `module`. `host` is asked for the memory when a call
 * needs it: the instance (and so its exported memory) does not exist yet while this is built.
 */
export function hostImports(module: WebAssembly.Module, host: WasiHost): WebAssembly.Imports {
  const print = (text: string) => host.printed.append(new TextEncoder().encode(`${text}\n`));
  const stringAt = (ptr: unknown) => {
    const memory = host.memory();
    return memory === undefined ? undefined : readAssemblyScriptString(memory, ptr);
  };
  // every call but abort (which ends the call) spends fuel, as WASI's do: see HOST_CALL_FUEL
  const env: Record<string, (...args: never[]) => unknown> = {
    // trace(message, n, a0, …, a4): the message, then the first n numbers
    trace: (message: unknown, count: unknown, ...numbers: unknown[]) => {
      const shown = numbers.slice(0, typeof count === "number" ? Math.max(0, Math.min(count, 5)) : 0);
      print(`trace: ${stringAt(message) ?? "?"}${shown.length > 0 ? ` ${shown.join(", ")}` : ""}`);
    },
    seed: () => FIXED_SEED,
    "Date.now": () => Date.now(),
    emscripten_notify_memory_growth: () => undefined,
  };
  for (const name of CONSOLE_PRINTS) env[name] = (message: unknown) => print(stringAt(message) ?? "?");
  for (const name of CONSOLE_TIMERS) env[name] = () => undefined;
  return {
    [ABORT_IMPORT.module]: {
      ...Object.fromEntries(Object.entries(env).map(([name, fn]) => [name, charged(host, fn)])),
      [ABORT_IMPORT.name]: (...args: unknown[]): never => {
        throw new OperatorAbort(describeAbort(host.memory(), args));
      },
    },
    [WASI_MODULE]: wasiImports(module, host),
  };
}
