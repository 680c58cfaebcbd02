// Rewrites a module's memory section so its maximum is at most the host's page limit. A module
// exports its own memory, so the host cannot create it with a maximum; patching the limits makes
// `memory.grow` past the cap fail inside WASM (returns -1) instead of allocating gigabytes.
import { InvalidOperatorError } from "./operator-error.ts";

function readLeb(bytes: Uint8Array, at: number): [value: number, next: number] {
  let value = 0;
  let shift = 0;
  for (let i = at; i < bytes.length && shift < 35; i++) {
    value += (bytes[i] & 0x7f) * 2 ** shift;
    shift += 7;
    if ((bytes[i] & 0x80) === 0) return [value, i + 1];
  }
  throw new InvalidOperatorError("Cannot read the module: malformed LEB128 number", { rule: "not-wasm" });
}

function writeLeb(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value % 128;
    value = Math.floor(value / 128);
    if (value > 0) byte |= 0x80;
    out.push(byte);
  } while (value > 0);
  return out;
}

function cappedMemorySection(content: Uint8Array, maxPages: number): Uint8Array {
  const [count, afterCount] = readLeb(content, 0);
  const out = [...writeLeb(count)];
  let at = afterCount;
  for (let k = 0; k < count; k++) {
    const flags = content[at++];
    if (flags !== 0 && flags !== 1) {
      throw new InvalidOperatorError("Cannot host the module: shared or 64-bit memories are not supported", {
        rule: "memory",
      });
    }
    const [min, afterMin] = readLeb(content, at);
    at = afterMin;
    let max = maxPages;
    if (flags === 1) {
      const [declared, afterMax] = readLeb(content, at);
      at = afterMax;
      max = Math.min(declared, maxPages);
    }
    if (min > maxPages) {
      throw new InvalidOperatorError(
        `Cannot host the module: it needs ${min} memory pages, the limit is ${maxPages}`,
        { rule: "memory" },
      );
    }
    out.push(1, ...writeLeb(min), ...writeLeb(max));
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
  let at = 8;
  while (at < wasm.length) {
    const id = wasm[at];
    const [size, contentStart] = readLeb(wasm, at + 1);
    const end = contentStart + size;
    if (end > wasm.length)
      throw new InvalidOperatorError("Cannot read the module: a section runs past the end", {
        rule: "not-wasm",
      });
    if (id === 5) {
      const section = cappedMemorySection(wasm.subarray(contentStart, end), maxPages);
      parts.push(Uint8Array.from([5, ...writeLeb(section.length)]), section);
    } else {
      parts.push(wasm.subarray(at, end));
    }
    at = end;
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let pos = 0;
  for (const p of parts) {
    out.set(p, pos); // copy: building the patched module once, at upload/build time
    pos += p.length;
  }
  return out;
}
