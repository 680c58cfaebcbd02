// Module surgery for upload tests: drop or replace the `colwasm` manifest section of a built module.

function readLeb(bytes: Uint8Array, at: number): [value: number, next: number] {
  let value = 0;
  for (let shift = 0, i = at; ; shift += 7, i++) {
    value += (bytes[i] & 0x7f) * 2 ** shift;
    if ((bytes[i] & 0x80) === 0) return [value, i + 1];
  }
}

function leb(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value % 128;
    value = Math.floor(value / 128);
    if (value > 0) byte |= 0x80;
    out.push(byte);
  } while (value > 0);
  return out;
}

/** `wasm` without its custom sections named `name`. */
export function withoutSection(wasm: Uint8Array, name = "colwasm"): Uint8Array {
  const parts: number[] = [...wasm.subarray(0, 8)];
  let at = 8;
  while (at < wasm.length) {
    const id = wasm[at];
    const [size, start] = readLeb(wasm, at + 1);
    const end = start + size;
    let drop = false;
    if (id === 0) {
      const [nameLength, nameStart] = readLeb(wasm, start);
      drop = new TextDecoder().decode(wasm.subarray(nameStart, nameStart + nameLength)) === name;
    }
    if (!drop) parts.push(...wasm.subarray(at, end));
    at = end;
  }
  return Uint8Array.from(parts);
}

/** `wasm` with its `colwasm` section replaced by `manifest` as JSON. */
export function withManifest(wasm: Uint8Array, manifest: unknown): Uint8Array {
  const name = new TextEncoder().encode("colwasm");
  const json = new TextEncoder().encode(JSON.stringify(manifest));
  const content = [...leb(name.length), ...name, ...json];
  return Uint8Array.from([...withoutSection(wasm), 0, ...leb(content.length), ...content]);
}
