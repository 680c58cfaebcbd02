// The imports the host documents (spec/operator-abi.md: "imports must be empty unless the runtime
// documents one"): `env.abort`, which AssemblyScript adds to every module built with its default
// flags (asserts, bounds checks, `throw`); `env.emscripten_notify_memory_growth`, which emscripten's
// standalone builds call after growing memory (nothing to do: the host reads the memory afresh at
// every call); and WASI preview 1 (wasi-preview1.ts), which libc and Rust's std call. Supplying
// them lets such modules run as they are built, and turns an abort, an exit or a panic into an
// operator failure that carries the module's own words.
import { WASI_MODULE, type WasiHost, wasiImports } from "./wasi-preview1.ts";

/** AssemblyScript's `abort(message, fileName, line, column)`. */
export const ABORT_IMPORT = { module: "env", name: "abort", kind: "function" } as const;

/** Emscripten's standalone-wasm notice that memory grew: supplied as a no-op. */
const MEMORY_GROWTH_IMPORT = "emscripten_notify_memory_growth";

/** Whether `i` is an import the host supplies: one of the env functions, or a WASI preview 1 one. */
export function isHostImport(i: WebAssembly.ModuleImportDescriptor): boolean {
  if (i.kind !== "function") return false;
  if (i.module === ABORT_IMPORT.module)
    return i.name === ABORT_IMPORT.name || i.name === MEMORY_GROWTH_IMPORT;
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
  return {
    [ABORT_IMPORT.module]: {
      [ABORT_IMPORT.name]: (...args: unknown[]): never => {
        throw new OperatorAbort(describeAbort(host.memory(), args));
      },
      [MEMORY_GROWTH_IMPORT]: () => undefined,
    },
    [WASI_MODULE]: wasiImports(module, host),
  };
}
