// Hex SHA-256 through Web Crypto, the same in Workers, Deno and Node: module hashes (registry),
// run-isolate ids (Workers) and Idempotency-Key fingerprints (state) all name bytes this way.

/** Hex SHA-256 of `bytes`. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const source =
    bytes.buffer instanceof ArrayBuffer
      ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)
      : bytes.slice();
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", source));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}
