// Pre-aggregation of a `(K, i64)` batch before any storage call (issue #6): one entry per distinct
// key in first-appearance order, diffs summed with i64 wrap-around. Keys are hashed from their
// bytes into an open-addressing table, so String keys need no per-record JS string.
import type { Column } from "../columnar/index.ts";
import { ColwasmError } from "../error.ts";
import { fnv1a32 } from "./key-hash.ts";

/** The distinct keys of a batch and their summed diffs. */
export interface AggregatedKeys {
  /** Record index of each distinct key's first appearance. */
  readonly firstIndex: Uint32Array;
  /** Canonical key text (String as is, integers in decimal) per distinct key. */
  readonly keys: readonly string[];
  /** Sum of the diffs of each distinct key. */
  readonly sums: BigInt64Array;
  /** FNV-1a of the key text's UTF-8 bytes (the shard hash input). */
  readonly hashes: Uint32Array;
}

/**
 * The largest reduce key, in UTF-8 bytes, on every runtime (what a Deno KV key part holds with room
 * for its prefix). Checked here, before any shard is touched: a key over it refused by one store
 * after other shards had committed left a batch that no retry could complete.
 */
export const MAX_REDUCE_KEY_BYTES = 65_000;

const utf8 = new TextDecoder("utf-8", { ignoreBOM: true }); // a key may start with U+FEFF: keep it
const encoder = new TextEncoder();

/** Key bytes of record i: the String bytes, or the decimal text of an integer. */
function keyBytesReader(key: Column): (i: number) => Uint8Array {
  if (key.kind === "string") {
    return (i) => key.bytes.subarray(i === 0 ? 0 : Number(key.bounds[i - 1]), Number(key.bounds[i]));
  }
  if (
    key.kind === "u8" ||
    key.kind === "u16" ||
    key.kind === "u32" ||
    key.kind === "i8" ||
    key.kind === "i16" ||
    key.kind === "i32" ||
    key.kind === "u64" ||
    key.kind === "i64"
  ) {
    const data = key.data;
    return (i) => encoder.encode(String(data[i]));
  }
  throw new ColwasmError(
    "bad-request",
    `Cannot reduce over keys of kind ${key.kind}: keys are String or integers`,
  );
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Groups a (K, i64) column pair by key. */
export function aggregateKeys(key: Column, diffs: BigInt64Array): AggregatedKeys {
  const n = key.length;
  const read = keyBytesReader(key);
  let capacity = 16;
  while (capacity < n * 2) capacity *= 2;
  const table = new Int32Array(capacity).fill(-1); // slot -> distinct index
  const first: number[] = [];
  const hashes: number[] = [];
  const sums: bigint[] = [];
  const keyBytes: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const bytes = read(i);
    if (bytes.length > MAX_REDUCE_KEY_BYTES) {
      throw new ColwasmError(
        "too-large",
        `Cannot reduce record ${i}: its key has ${bytes.length} bytes, reduce keys hold at most ${MAX_REDUCE_KEY_BYTES}`,
        { row: i },
      );
    }
    const h = fnv1a32(bytes);
    let slot = h & (capacity - 1);
    for (;;) {
      const d = table[slot];
      if (d === -1) {
        table[slot] = first.length;
        first.push(i);
        hashes.push(h);
        sums.push(diffs[i]);
        keyBytes.push(bytes);
        break;
      }
      if (hashes[d] === h && sameBytes(keyBytes[d], bytes)) {
        sums[d] = BigInt.asIntN(64, sums[d] + diffs[i]);
        break;
      }
      slot = (slot + 1) & (capacity - 1);
    }
  }
  return {
    firstIndex: Uint32Array.from(first),
    keys: keyBytes.map((b) => utf8.decode(b)),
    sums: BigInt64Array.from(sums),
    hashes: Uint32Array.from(hashes),
  };
}
