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
  const name = new TextEncoder().encode("colwasm");
  const json = new TextEncoder().encode(JSON.stringify(manifest));
  const content = [...encodeU32(name.length), ...name, ...json];
  return Uint8Array.from([...withoutSection(wasm), 0, ...encodeU32(content.length), ...content]);
}
