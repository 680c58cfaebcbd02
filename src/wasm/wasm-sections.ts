// The section walk of a module and the two section reads fuel metering needs (imported globals,
// export names); everything else passes through untouched. Malformed bytes raise "not-wasm".
import { InvalidOperatorError } from "./operator-error.ts";
import { WasmReader } from "./wasm-reader.ts";

/**
 * Order rank of each known non-custom section id (binary/modules.html#sections): 13 (tag, exception
 * handling) sits between memory (5) and global (6), 12 (data count) between element (9) and code (10).
 */
export const SECTION_RANK: Readonly<Record<number, number>> = {
  1: 1,
  2: 2,
  3: 3,
  4: 4,
  5: 5,
  13: 5.5,
  6: 6,
  7: 7,
  8: 8,
  9: 9,
  12: 9.5,
  10: 10,
  11: 11,
};

/** One section of a module. */
export interface Section {
  id: number;
  /** The whole section: id, size and content. */
  raw: Uint8Array;
  /** A reader over the content alone, whose errors name module offsets. */
  content: WasmReader;
}

/**
 * The sections of `wasm` after checking its header; each size is checked, contents are not. Bytes
 * that do not start with `\0asm` fail with the words capModuleLimits uses (no offset: the header
 * is the first bytes), so an upload that is not WebAssembly reads the same on every runtime,
 * whichever of the two checks sees it first (the Workers entry walks sections before capping).
 */
export function readSections(wasm: Uint8Array): Section[] {
  if (wasm.length < 4 || wasm[0] !== 0 || wasm[1] !== 0x61 || wasm[2] !== 0x73 || wasm[3] !== 0x6d) {
    throw new InvalidOperatorError("Cannot read the module: it is not WebAssembly (no \\0asm header)", {
      rule: "not-wasm",
    });
  }
  const reader = new WasmReader(wasm);
  reader.at = 4;
  const version = reader.take(4); // a header cut short fails here, at byte 4
  if (version[0] !== 1 || version[1] !== 0 || version[2] !== 0 || version[3] !== 0) {
    reader.at = 4;
    reader.fail("not version 1");
  }
  const sections: Section[] = [];
  while (!reader.isDone) {
    const start = reader.at;
    const id = reader.byte();
    if (id !== 0 && SECTION_RANK[id] === undefined) reader.fail(`unknown section id ${id}`);
    const size = reader.u32();
    const contentStart = reader.at;
    const content = new WasmReader(reader.take(size), contentStart);
    sections.push({ id, raw: wasm.subarray(start, reader.at), content });
  }
  return sections;
}

function skipLimits(r: WasmReader): void {
  const flags = r.byte();
  if (flags > 1) r.fail(`unsupported limits flags 0x${flags.toString(16)}`);
  r.u32();
  if (flags === 1) r.u32();
}

/** What the import section in `r` imports that shifts index spaces: functions (their type indices) and globals. */
export function readImports(r: WasmReader): { functionTypes: number[]; globals: number } {
  const functionTypes: number[] = [];
  let globals = 0;
  const count = r.u32();
  for (let i = 0; i < count; i++) {
    r.name();
    r.name();
    const kind = r.byte();
    if (kind === 0) functionTypes.push(r.u32());
    else if (kind === 1) {
      r.valueType();
      skipLimits(r);
    } else if (kind === 2) skipLimits(r);
    else if (kind === 3) {
      r.valueType();
      r.byte();
      globals++;
    } else if (kind === 4) {
      r.byte(); // a tag: its attribute (0, exception), then its type index
      r.u32();
    } else r.fail(`unknown import kind ${kind}`);
  }
  return { functionTypes, globals };
}

/** How many globals the import section in `r` imports (they come first in the global index space). */
export function countImportedGlobals(r: WasmReader): number {
  return readImports(r).globals;
}

/** Whether the export section in `r` already exports `name`. */
export function hasExport(r: WasmReader, name: string): boolean {
  const wanted = new TextEncoder().encode(name);
  const count = r.u32();
  for (let i = 0; i < count; i++) {
    const n = r.name();
    r.byte();
    r.u32();
    if (n.length === wanted.length && n.every((b, k) => b === wanted[k])) return true;
  }
  return false;
}
