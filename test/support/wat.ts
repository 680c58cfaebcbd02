// WAT text to module bytes with wabt, for tests that build small one-off modules inline.
const wabt = await (await import("wabt")).default();

/** The features of wabt's parser a test may turn on (see wabt's WasmFeatures). */
type Features = Parameters<typeof wabt.parseWat>[2];

/** Compiles `text` to a plain ArrayBuffer-backed module, with `features` on. */
export function wat(text: string, features: Features = {}): Uint8Array<ArrayBuffer> {
  const module = wabt.parseWat("test.wat", text, features);
  try {
    return Uint8Array.from(module.toBinary({}).buffer); // copy: a plain ArrayBuffer-backed view
  } finally {
    module.destroy();
  }
}
