// Reads a whole input stream into one 8-aligned buffer (a batch body cannot be decoded in parts).
/** Concatenates `chunks` into one fresh buffer. */
export async function readAll(chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of chunks) {
    parts.push(chunk);
    total += chunk.byteLength;
  }
  // copy: stdin arrives in pooled chunks; the body must be one buffer at offset 0 (spec §10 alignment).
  const body = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    body.set(part, at);
    at += part.byteLength;
  }
  return body;
}
