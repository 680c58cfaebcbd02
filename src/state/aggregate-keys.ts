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
  if (key.kind === "string") {
    const ends = lowWordsOf(key.bounds);
    if (ends !== undefined) return aggregateStrings(key.bytes, ends, diffs);
  }
  return aggregateAny(key, diffs);
}

/** A table size for `n` records: a power of two, at least twice `n`. */
function capacityFor(n: number): number {
  let capacity = 16;
  while (capacity < n * 2) capacity *= 2;
  return capacity;
}

/**
 * The u64 bounds as a Uint32Array of their low and high words, when every bound is below 2^32 (a
 * validated batch's bounds rise, so the last one decides): reading them then allocates no BigInt.
 */
function lowWordsOf(bounds: BigUint64Array): Uint32Array | undefined {
  const n = bounds.length;
  if (n > 0 && bounds[n - 1] > 0xffffffffn) return undefined;
  return new Uint32Array(bounds.buffer, bounds.byteOffset, 2 * n);
}

/** Records between carries of the low-word sums into the high ones: keeps every sum exact in a double. */
const CARRY_EVERY = 1 << 20;
const TWO_32 = 2 ** 32;

/** Per distinct key: its first record, its hash and its sum's low and high words (see carry). */
interface Groups {
  readonly first: Uint32Array;
  readonly hashes: Uint32Array;
  readonly lows: Float64Array;
  readonly highs: Float64Array;
}

/**
 * String keys, without a view, a BigInt or a string per record: keys are hashed and compared in
 * place, and each distinct key's i64 sum is kept as two doubles (low words unsigned, high words
 * signed) that cannot lose a bit before the next carry.
 */
function aggregateStrings(bytes: Uint8Array, ends: Uint32Array, diffs: BigInt64Array): AggregatedKeys {
  const n = ends.length >>> 1;
  const groups: Groups = {
    first: new Uint32Array(n),
    hashes: new Uint32Array(n),
    lows: new Float64Array(n),
    highs: new Float64Array(n),
  };
  const distinct = groupStrings(bytes, ends, new Int32Array(diffs.buffer, diffs.byteOffset, 2 * n), groups);
  return groupsToKeys(bytes, ends, groups, distinct);
}

/** The distinct keys' texts and i64 sums (its own function, like groupStrings, for the same reason). */
function groupsToKeys(
  bytes: Uint8Array,
  ends: Uint32Array,
  groups: Groups,
  distinct: number,
): AggregatedKeys {
  const { first, hashes, lows, highs } = groups;
  carry(lows, highs, distinct);
  const keys = new Array<string>(distinct);
  const sums = new BigInt64Array(distinct);
  // nothing but the loop's results after it: V8 enters this loop mid-way in optimized code too
  const result = { firstIndex: first.slice(0, distinct), keys, sums, hashes: hashes.slice(0, distinct) };
  // each sum's two words written as int32s (ToInt32 keeps the low 32 bits): i64 wrap, no BigInt
  const sumWords = new Int32Array(sums.buffer);
  for (let d = 0; d < distinct; d++) {
    const at = first[d];
    keys[d] = utf8.decode(bytes.subarray(at === 0 ? 0 : ends[2 * at - 2], ends[2 * at]));
    sumWords[2 * d] = lows[d] | 0;
    sumWords[2 * d + 1] = highs[d] | 0;
  }
  return result;
}

/**
 * The hot loop of aggregateStrings, on its own: V8 then optimizes it as a whole function instead
 * of entering it mid-loop and leaving optimized code at the loop's end on every call (measured:
 * 6 ms for 100k words, against 18 ms before these changes, most of it in that deoptimization).
 * Fills `groups` and answers the number of distinct keys.
 */
function groupStrings(bytes: Uint8Array, ends: Uint32Array, words: Int32Array, groups: Groups): number {
  const { first, hashes, lows, highs } = groups;
  const n = first.length;
  // sized to the distinct keys seen, not to the records: a table that fits in cache (10k distinct
  // keys: 128 KiB, against 1 MiB sized for 100k records) and is rebuilt as keys arrive
  let mask = 1023;
  let table = new Int32Array(mask + 1).fill(-1); // slot -> distinct index
  let distinct = 0;
  let start = 0;
  for (let i = 0; i < n; i++) {
    const end = ends[2 * i];
    if (end - start > MAX_REDUCE_KEY_BYTES) throw keyTooLarge(i, end - start);
    const h = fnv1a32(bytes, start, end);
    let slot = h & mask;
    for (;;) {
      const d = table[slot];
      if (d === -1) {
        table[slot] = distinct;
        first[distinct] = i;
        hashes[distinct] = h;
        lows[distinct] = words[2 * i] >>> 0;
        highs[distinct] = words[2 * i + 1];
        distinct++;
        if (2 * distinct > mask) {
          mask = 2 * mask + 1;
          table = rehashed(hashes, distinct, mask);
        }
        break;
      }
      if (hashes[d] === h && sameRange(bytes, ends, first[d], start, end)) {
        lows[d] += words[2 * i] >>> 0;
        highs[d] += words[2 * i + 1];
        break;
      }
      slot = (slot + 1) & mask;
    }
    start = end;
    if ((i + 1) % CARRY_EVERY === 0) carry(lows, highs, distinct);
  }
  return distinct;
}

/** A table of `mask + 1` slots holding distinct indexes 0..distinct-1 at their hashes' slots. */
function rehashed(hashes: Uint32Array, distinct: number, mask: number): Int32Array<ArrayBuffer> {
  const table = new Int32Array(mask + 1).fill(-1);
  for (let d = 0; d < distinct; d++) {
    let slot = hashes[d] & mask;
    while (table[slot] !== -1) slot = (slot + 1) & mask;
    table[slot] = d;
  }
  return table;
}

/** Whether the key of record `r` has the bytes [start, end). */
function sameRange(bytes: Uint8Array, ends: Uint32Array, r: number, start: number, end: number): boolean {
  const from = r === 0 ? 0 : ends[2 * r - 2];
  if (ends[2 * r] - from !== end - start) return false;
  for (let k = 0; k < end - start; k++) if (bytes[from + k] !== bytes[start + k]) return false;
  return true;
}

/** Moves each low sum's whole multiples of 2^32 into its high sum, which is kept modulo 2^32. */
function carry(lows: Float64Array, highs: Float64Array, distinct: number): void {
  for (let d = 0; d < distinct; d++) {
    const over = Math.floor(lows[d] / TWO_32);
    lows[d] -= over * TWO_32;
    highs[d] = (highs[d] + over) % TWO_32;
  }
}

function keyTooLarge(row: number, bytes: number): ColwasmError {
  return new ColwasmError(
    "too-large",
    `Cannot reduce record ${row}: its key has ${bytes} bytes, reduce keys hold at most ${MAX_REDUCE_KEY_BYTES}`,
    { row },
  );
}

/** Any key kind: each record's key bytes as a view (the decimal text of an integer). */
function aggregateAny(key: Column, diffs: BigInt64Array): AggregatedKeys {
  const n = key.length;
  const read = keyBytesReader(key);
  const capacity = capacityFor(n);
  const table = new Int32Array(capacity).fill(-1); // slot -> distinct index
  const first: number[] = [];
  const hashes: number[] = [];
  const sums: bigint[] = [];
  const keyBytes: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const bytes = read(i);
    if (bytes.length > MAX_REDUCE_KEY_BYTES) throw keyTooLarge(i, bytes.length);
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
