// Appends the `colwasm` custom section (UTF-8 JSON manifest, spec/operator-abi.md §Manifest) to a
// compiled module. Reading it back is the host's job (src/wasm), not this file's.

const WASM_HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
const CUSTOM_SECTION_ID = 0;
const SECTION_NAME = "colwasm";

/** Encodes `value` (a u32) as unsigned LEB128, as the binary format requires for sizes. */
function encodeUleb128(value: number): number[] {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new RangeError(`Cannot encode LEB128: ${value} is not a u32`);
  }
  const out: number[] = [];
  let rest = value;
  do {
    let byte = rest & 0x7f;
    rest = Math.floor(rest / 128);
    if (rest !== 0) byte |= 0x80;
    out.push(byte);
  } while (rest !== 0);
  return out;
}

/**
 * Returns a copy of `wasm` with a custom section named "colwasm" holding `JSON.stringify(manifest)`
 * appended at the end (custom sections may appear anywhere).
 *
 * @example
 * ```ts
 * const out = appendManifestSection(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]), { abi: 'colwasm/1' });
 * // out = header · 0x00 (custom) · size · 7 "colwasm" · '{"abi":"colwasm/1"}'
 * ```
 */
export function appendManifestSection(wasm: Uint8Array, manifest: object): Uint8Array {
  if (wasm.length < 8 || WASM_HEADER.some((byte, i) => wasm[i] !== byte)) {
    throw new RangeError("Cannot append manifest section: input is not a WebAssembly 1.0 module");
  }
  const encoder = new TextEncoder();
  const name = encoder.encode(SECTION_NAME);
  const payload = encoder.encode(JSON.stringify(manifest));
  const nameLength = encodeUleb128(name.length);
  const sectionSize = encodeUleb128(nameLength.length + name.length + payload.length);
  const out = new Uint8Array(
    wasm.length + 1 + sectionSize.length + nameLength.length + name.length + payload.length,
  );
  let at = 0;
  const put = (bytes: ArrayLike<number>): void => {
    out.set(bytes, at);
    at += bytes.length;
  };
  put(wasm); // copy: the output is a new module
  put([CUSTOM_SECTION_ID]);
  put(sectionSize);
  put(nameLength);
  put(name);
  put(payload);
  return out;
}
