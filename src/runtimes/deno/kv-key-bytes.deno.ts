// The encoded size of a Deno KV key, for keeping commits under KV's limits: the keys a commit
// sets may total at most 81 920 bytes, and its mutations (keys and values) 819 200 bytes.

const encoder = new TextEncoder();

/** Set-key bytes one commit may carry (KV: "Total key size too large (max 81920 bytes)"). */
export const KV_MAX_SET_KEY_BYTES = 81_920;

/** Zero bytes in `bytes`: KV escapes each as two. */
function zeros(bytes: Uint8Array): number {
  let count = 0;
  for (const byte of bytes) if (byte === 0) count++;
  return count;
}

/**
 * `key` as KV encodes it, in bytes, or a little over: a tag per part; strings and byte arrays
 * with each zero byte escaped and a terminator; at most 10 bytes for a number, bigint or boolean.
 */
export function kvKeyBytes(key: Deno.KvKey): number {
  let bytes = 0;
  for (const part of key) {
    const raw =
      typeof part === "string" ? encoder.encode(part) : part instanceof Uint8Array ? part : undefined;
    bytes += raw === undefined ? 10 : raw.byteLength + zeros(raw) + 2;
  }
  return bytes;
}
