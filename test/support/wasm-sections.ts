// Module surgery for upload tests: drop or replace the `colwasm` manifest section of a built
// module, with the host's own section reader and LEB128 writer.
import { encodeU32 } from "../../src/wasm/wasm-reader.ts";
import { readSections } from "../../src/wasm/wasm-sections.ts";

/** `wasm` without its custom sections named `name`. */
export function withoutSection(wasm: Uint8Array, name = "colwasm"): Uint8Array {
  const parts: number[] = [...wasm.subarray(0, 8)];
  for (const section of readSections(wasm)) {
    const isDropped =
      section.id === 0 && new TextDecoder().decode(section.content.take(section.content.u32())) === name;
    if (!isDropped) parts.push(...section.raw);
  }
  return Uint8Array.from(parts);
}

/** `wasm` with its `colwasm` section replaced by `manifest` as JSON. */
export function withManifest(wasm: Uint8Array, manifest: unknown): Uint8Array {
  return withManifestText(wasm, JSON.stringify(manifest));
}

/** `wasm` with its `colwasm` section replaced by `json` (text JSON.stringify could not write). */
export function withManifestText(wasm: Uint8Array, json: string): Uint8Array {
  const name = new TextEncoder().encode("colwasm");
  const head = [...encodeU32(name.length), ...name];
  const text = new TextEncoder().encode(json);
  const rest = withoutSection(wasm);
  const size = encodeU32(head.length + text.length);
  const out = new Uint8Array(rest.length + 1 + size.length + head.length + text.length);
  out.set(rest);
  out.set([0, ...size, ...head], rest.length);
  out.set(text, rest.length + 1 + size.length + head.length);
  return out;
}
