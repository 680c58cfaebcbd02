// Rewrites a module's memory section so its maximum is at most the host's page limit. A module
// exports its own memory, so the host cannot create it with a maximum; patching the limits makes
// `memory.grow` past the cap fail inside WASM (returns -1) instead of allocating gigabytes.
import { InvalidOperatorError } from "./operator-error.ts";
import { encodeU32, WasmReader } from "./wasm-reader.ts";

function cappedMemorySection(content: Uint8Array, base: number, maxPages: number): Uint8Array {
  const reader = new WasmReader(content, base);
  const count = reader.u32();
  const out = [...encodeU32(count)];
  for (let k = 0; k < count; k++) {
    const flags = reader.byte();
    if (flags !== 0 && flags !== 1) {
      throw new InvalidOperatorError("Cannot host the module: shared or 64-bit memories are not supported", {
        rule: "memory",
      });
    }
    const min = reader.u32();
    const max = flags === 1 ? Math.min(reader.u32(), maxPages) : maxPages;
    if (min > maxPages) {
      throw new InvalidOperatorError(
        `Cannot host the module: it needs ${min} memory pages, the limit is ${maxPages}`,
        { rule: "memory" },
      );
    }
    out.push(1, ...encodeU32(min), ...encodeU32(max));
  }
  return Uint8Array.from(out);
}

/** The module bytes with every memory's maximum clamped to `maxPages` (a copy; input untouched). */
export function capMemoryPages(wasm: Uint8Array, maxPages: number): Uint8Array<ArrayBuffer> {
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
    if (id === 5) {
      const section = cappedMemorySection(content, contentStart, maxPages);
      parts.push(Uint8Array.from([5, ...encodeU32(section.length)]), section);
    } else {
      parts.push(wasm.subarray(sectionStart, reader.at));
    }
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos); // copy: building the patched module once, at upload/build time
    pos += p.length;
  }
  return out;
}
