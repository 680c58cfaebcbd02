// The exchange contract of keyed reduce (like timely dataflow's exchange pact): a key's shard is a
// stable hash of its canonical text's UTF-8 bytes, the same on every runtime and every release.

/** FNV-1a, 32 bits, over bytes [from, to). */
export function fnv1a32(bytes: Uint8Array, from = 0, to = bytes.length): number {
  let h = 0x811c9dc5;
  for (let i = from; i < to; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return h >>> 0;
}

/** Shard of a key whose canonical text is `bytes[from, to)`, among `shards` shards. */
export function shardOfKey(bytes: Uint8Array, shards: number, from = 0, to = bytes.length): number {
  return fnv1a32(bytes, from, to) % shards;
}
