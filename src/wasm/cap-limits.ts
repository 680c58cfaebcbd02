// Rewrites a module's memory and table sections so what it can allocate stays under the host's
// limits. A module defines its own memory and tables, so the host cannot create them with a
// maximum; patching the limits makes `memory.grow` / `table.grow` past the cap fail inside WASM
// (they return -1) instead of allocating gigabytes. One memory only: a second one (multi-memory)
// would be a second cap the host does not watch. Tables are capped too: ten tables of 10^7
// funcrefs exhaust workerd's heap on instantiation, whatever the memory cap.
import { InvalidOperatorError } from "./operator-error.ts";
import { concatBytes, encodeU32, WasmReader } from "./wasm-reader.ts";

/** Elements a table may hold (initially or grown): far more than the function pointers of real code. */
export const MAX_TABLE_ELEMENTS = 65_536;
/** Tables a module may define. */
export const MAX_TABLES = 8;

const MEMORY = 5;
const TABLE = 4;

/** Reads limits (flags 0: min; 1: min and max; anything else refused) and writes them capped at `cap`. */
function cappedLimits(reader: WasmReader, cap: number, what: string, rule: "memory" | "tables"): number[] {
  const flags = reader.byte();
  if (flags !== 0 && flags !== 1) {
    // 2: shared (threads), 4: 64-bit addresses (memory64 / table64)
    const kinds = [flags & 2 ? "shared" : "", flags & 4 ? "64-bit" : ""].filter((k) => k !== "");
    const detail =
      flags > 7 || kinds.length === 0
        ? `unknown limits flags 0x${flags.toString(16)} on its ${what}`
        : `its ${what} is ${kinds.join(" and ")}; an operator's must be unshared and 32-bit (build without threads and memory64)`;
    throw new InvalidOperatorError(`Cannot host the module: ${detail}`, { rule });
  }
  const min = reader.u32();
  const max = flags === 1 ? Math.min(reader.u32(), cap) : cap;
  if (min > cap) {
    throw new InvalidOperatorError(
      `Cannot host the module: its ${what} needs ${min} ${what === "memory" ? "pages" : "elements"}, the limit is ${cap}`,
      { rule },
    );
  }
  return [1, ...encodeU32(min), ...encodeU32(max)];
}

function cappedMemorySection(content: Uint8Array, base: number, maxPages: number): Uint8Array {
  const reader = new WasmReader(content, base);
  const count = reader.u32();
  if (count > 1) {
    throw new InvalidOperatorError(
      `Cannot host the module: an operator has one memory, this module defines ${count}`,
      { rule: "memory" },
    );
  }
  const out = [...encodeU32(count)];
  for (let k = 0; k < count; k++) out.push(...cappedLimits(reader, maxPages, "memory", "memory"));
  return Uint8Array.from(out);
}

function cappedTableSection(content: Uint8Array, base: number): Uint8Array {
  const reader = new WasmReader(content, base);
  const count = reader.u32();
  if (count > MAX_TABLES) {
    throw new InvalidOperatorError(
      `Cannot host the module: it defines ${count} tables, the limit is ${MAX_TABLES}`,
      { rule: "tables" },
    );
  }
  const out = [...encodeU32(count)];
  for (let k = 0; k < count; k++) {
    const type = reader.byte();
    if (type !== 0x70 && type !== 0x6f) {
      throw new InvalidOperatorError(
        `Cannot host the module: table ${k} is not of funcref or externref (0x${type.toString(16)})`,
        { rule: "tables" },
      );
    }
    out.push(type, ...cappedLimits(reader, MAX_TABLE_ELEMENTS, "table", "tables"));
  }
  return Uint8Array.from(out);
}

/**
 * The module bytes with its memory's maximum clamped to `maxPages` and every table's to
 * MAX_TABLE_ELEMENTS (a copy; input untouched). Throws `InvalidOperatorError` (rule "memory" or
 * "tables") for a module that needs more, or defines more than one memory or MAX_TABLES tables.
 */
export function capModuleLimits(wasm: Uint8Array, maxPages: number): Uint8Array<ArrayBuffer> {
  if (wasm.length < 8 || wasm[0] !== 0 || wasm[1] !== 0x61 || wasm[2] !== 0x73 || wasm[3] !== 0x6d) {
    throw new InvalidOperatorError("Cannot read the module: it is not WebAssembly (no \\0asm header)", {
      rule: "not-wasm",
    });
  }
  const parts: Uint8Array[] = [wasm.subarray(0, 8)];
  const reader = new WasmReader(wasm);
  reader.at = 8;
  while (!reader.isDone) {
    const sectionStart = reader.at;
    const id = reader.byte();
    const size = reader.u32();
    const contentStart = reader.at;
    const content = reader.take(size);
    if (id === MEMORY || id === TABLE) {
      const section =
        id === MEMORY
          ? cappedMemorySection(content, contentStart, maxPages)
          : cappedTableSection(content, contentStart);
      parts.push(Uint8Array.from([id, ...encodeU32(section.length)]), section);
    } else {
      parts.push(wasm.subarray(sectionStart, reader.at));
    }
  }
  return concatBytes(parts);
}
