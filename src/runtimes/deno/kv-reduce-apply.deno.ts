// Applying one shard's reduce delta to Deno KV (KvReduceStore.applyShard; layout in
// kv-reduce-store.deno.ts): the KV key each total is stored under, the cut of the delta into
// commits that fit KV's limits, and the read-compute-commit of each of them.
//
// Guarantees. A chunk reads the meta, the idempotency record and the current totals of its keys,
// computes with the rule of src/state/shard-state.ts (replay or conflict on the record, key-type
// conflict when the shard holds keys of another type, i64 wrap, delete zeros, record the answer),
// then commits every write in ONE `kv.atomic()` guarded by a `check` on the versionstamp of every
// entry it read (absent ones included). A concurrent commit that touched any of them fails the
// check and the whole read-compute-commit is retried (bounded, with jitter), so concurrent
// requests over overlapping keys add up exactly. `meta.count` lets the key-type check know whether
// the shard holds keys without an unguardable range read; commits that add or delete keys
// therefore write the meta and serialise with each other on that shard.
//
// Chunking. One commit holds at most 100 checks, 1000 mutations, 800 KiB and 80 KiB of keys set
// (docs/runtime-notes §5), so a shard's delta is applied in chunks of at most CHUNK_KEYS keys,
// CHUNK_BYTES bytes and CHUNK_SET_KEY_BYTES of keys (a 1500-byte key text: ~48 keys a chunk),
// one atomic commit each, in order. Each chunk is exactly-once on its own: with an idempotency key
// it records `${idem}#chunk${i}` (chunk 0 too, so the same key with a body chunked otherwise still
// conflicts). A crash (or retry exhaustion) between chunks leaves the shard partially applied —
// the chunks already committed, no other — and reports 503 `unavailable`; a retry with the same
// Idempotency-Key replays the committed chunks and applies the rest, so the batch completes
// exactly once. Without an Idempotency-Key, a partial failure of a multi-chunk shard cannot be
// completed exactly (as for a partial failure across shards). Idempotency records are honoured for
// the idempotency TTL (24 h by default), as in the other stores, then forgotten.
//
// The rule is replicated, not shared with applyToShard: the key-type check needs `meta.count`
// (the shard's key count) rather than an in-memory map of every total.
import { ColwasmError } from "../../error.ts";
import { KV_MAX_SET_KEY_BYTES, kvKeyBytes } from "./kv-key-bytes.deno.ts";
import {
  idempotencyConflict,
  keyTypeConflict,
  MAX_REDUCE_KEY_BYTES,
  requestKeyOf,
  type ShardDelta,
  type ShardTotals,
} from "../../state/index.ts";
import {
  type Applied,
  bytesToTotals,
  corrupt,
  isApplied,
  isMeta,
  type LongTotal,
  type Meta,
  storedTotal,
  totalsToBytes,
} from "./kv-reduce-values.deno.ts";

/** Keys per commit: their checks, plus the meta's and the idempotency record's, stay ≤ 100. */
const CHUNK_KEYS = 96;
/** Estimated mutation + check bytes per commit, under the 819 200-byte limit. */
const CHUNK_BYTES = 600 * 1024;
/** Bytes of the total keys a chunk sets, leaving room for its meta and idempotency record keys. */
const CHUNK_SET_KEY_BYTES = KV_MAX_SET_KEY_BYTES - 8 * 1024;
/** KV keys are at most 2048 bytes; a total key with a longer key text is stored by hash. */
const MAX_KEY_TEXT_BYTES = 1500;
/** KV values are at most 65 536 bytes (a long key is stored in its value): ShardedReduce refuses longer keys. */
const MAX_KEY_BYTES = MAX_REDUCE_KEY_BYTES;
/** getMany reads at most 10 keys. */
const READ_BATCH = 10;
/** Read-compute-commit attempts per chunk before answering 503. */
const COMMIT_ATTEMPTS = 32;

const encoder = new TextEncoder();

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** What applying needs of the store: its database, its idempotency TTL, a count of retried commits. */
export interface ApplyContext {
  readonly kv: Deno.Kv;
  /** How long an Idempotency-Key is honoured. */
  readonly idempotencyTtlMs: number;
  /** Called once for every commit that failed a check and is retried. */
  readonly onRetry: () => void;
}

/** One key of a chunk: its text, diff, KV key, whether it is stored by hash, and its sizes. */
export interface ChunkKey {
  readonly key: string;
  readonly diff: bigint;
  readonly kvKey: Deno.KvKey;
  readonly isLong: boolean;
  /** UTF-8 bytes of `key`. */
  readonly textBytes: number;
  /** kvKeyBytes(kvKey): what setting it counts against KV's set-key limit. */
  readonly setKeyBytes: number;
}

/** Where a key's total lives in KV, and its sizes (see totalKey). */
interface TotalKey {
  readonly kvKey: Deno.KvKey;
  readonly isLong: boolean;
  readonly textBytes: number;
  readonly lastPart: Uint8Array;
}

/**
 * The KV key of `key`'s total in the shard at `shardKey`: the key text itself, or its SHA-256 when
 * the text is too long for a KV key (the text then lives in the value). Throws `too-large` for a
 * key too long even for that. readKey looks totals up by the same key. Also answers the text's
 * UTF-8 bytes and the key's last part as bytes (the text or the hash), so that chunking sizes the
 * key from this one encoding of its text.
 */
export function totalKey(shardKey: Deno.KvKey, namespace: string, key: string): TotalKey | Promise<TotalKey> {
  const bytes = encoder.encode(key);
  if (bytes.byteLength <= MAX_KEY_TEXT_BYTES)
    return {
      kvKey: [...shardKey, "total", key],
      isLong: false,
      textBytes: bytes.byteLength,
      lastPart: bytes,
    };
  if (bytes.byteLength > MAX_KEY_BYTES) {
    throw new ColwasmError(
      "too-large",
      `Cannot reduce into "${namespace}": a key has ${bytes.byteLength} bytes, Deno KV state holds keys of at most ${MAX_KEY_BYTES}`,
    );
  }
  // only a long key waits (its hash): the usual one is answered at once, without a promise per key
  return crypto.subtle.digest("SHA-256", bytes).then((digest) => {
    const hash = new Uint8Array(digest);
    return { kvKey: [...shardKey, "total", hash], isLong: true, textBytes: bytes.byteLength, lastPart: hash };
  });
}

/**
 * The delta's keys resolved to their KV keys and sized for chunking, in order; throws for a key
 * that cannot be stored, before anything is committed. kvKeyBytes adds up a key part by part and
 * sizes a string part as its UTF-8 bytes, so a key's set-key bytes are those of the shard's
 * `[...shardKey, "total"]` (sized once) plus those of its last part as bytes: the text is encoded
 * once, by totalKey, not again for each estimate.
 */
export async function chunkKeysOf(shardKey: Deno.KvKey, delta: ShardDelta): Promise<ChunkKey[]> {
  const totalsPrefixBytes = kvKeyBytes([...shardKey, "total"]);
  const keys = new Array<ChunkKey>(delta.keys.length);
  const hashing: Promise<void>[] = [];
  delta.keys.forEach((key, k) => {
    const place = ({ kvKey, isLong, textBytes, lastPart }: TotalKey) => {
      const setKeyBytes = totalsPrefixBytes + kvKeyBytes([lastPart]);
      keys[k] = { key, diff: delta.deltas[k], kvKey, isLong, textBytes, setKeyBytes };
    };
    const total = totalKey(shardKey, delta.namespace, key);
    if (total instanceof Promise) hashing.push(total.then(place));
    else place(total);
  });
  await Promise.all(hashing);
  return keys;
}

/** Applies `delta` to the shard at `shardKey` in chunks, one atomic commit each, in order. */
export async function applyInChunks(
  context: ApplyContext,
  shardKey: Deno.KvKey,
  delta: ShardDelta,
): Promise<ShardTotals> {
  const { namespace, shard } = delta;
  // all keys are resolved first: a key that cannot be stored fails the shard before any commit
  const keys = await chunkKeysOf(shardKey, delta);
  const chunks = splitIntoChunks(keys);
  const totals = new BigInt64Array(keys.length);
  let isReplay = true;
  let at = 0;
  for (let i = 0; i < chunks.length; i++) {
    const idempotency = delta.idempotency && {
      key: `${delta.idempotency.key}#chunk${i}`,
      bodyHash: delta.idempotency.bodyHash,
    };
    let answer: ShardTotals;
    try {
      answer = await applyChunk(context, shardKey, delta, chunks[i], idempotency);
    } catch (error) {
      if (i === 0 || !(error instanceof ColwasmError) || error.type !== "unavailable") throw error;
      throw new ColwasmError(
        "unavailable",
        `Reduce applied ${i} of ${chunks.length} chunks of shard ${shard} of "${namespace}"; retry with the same Idempotency-Key to complete it exactly once`,
        { retryAfterSeconds: 1 },
        { cause: error },
      );
    }
    totals.set(answer.totals, at);
    at += chunks[i].length;
    isReplay &&= answer.isReplay;
  }
  return { totals, isReplay };
}

/** `keys` in order, cut into chunks that each fit one commit (CHUNK_KEYS, CHUNK_BYTES, CHUNK_SET_KEY_BYTES). */
export function splitIntoChunks(keys: readonly ChunkKey[]): ChunkKey[][] {
  const chunks: ChunkKey[][] = [];
  let chunk: ChunkKey[] = [];
  let bytes = 0;
  let setKeyBytes = 0;
  for (const key of keys) {
    // key written twice (check + set), long keys once more in the value
    const size = 2 * (64 + key.textBytes) + (key.isLong ? key.key.length * 3 : 0);
    const isFull =
      chunk.length === CHUNK_KEYS ||
      bytes + size > CHUNK_BYTES ||
      setKeyBytes + key.setKeyBytes > CHUNK_SET_KEY_BYTES;
    if (chunk.length > 0 && isFull) {
      chunks.push(chunk);
      chunk = [];
      bytes = 0;
      setKeyBytes = 0;
    }
    chunk.push(key);
    bytes += size;
    setKeyBytes += key.setKeyBytes;
  }
  chunks.push(chunk);
  return chunks;
}

/** `keys` read with getMany, READ_BATCH at a time, in order. */
async function getMany(kv: Deno.Kv, keys: readonly Deno.KvKey[]): Promise<Deno.KvEntryMaybe<unknown>[]> {
  const batches: Promise<Deno.KvEntryMaybe<unknown>[]>[] = [];
  for (let at = 0; at < keys.length; at += READ_BATCH)
    batches.push(kv.getMany(keys.slice(at, at + READ_BATCH)));
  return (await Promise.all(batches)).flat();
}

/** One chunk in one atomic commit (the rule of shard-state.ts), retried while checks fail. */
async function applyChunk(
  context: ApplyContext,
  shardKey: Deno.KvKey,
  delta: ShardDelta,
  keys: readonly ChunkKey[],
  idempotency: { key: string; bodyHash: string } | undefined,
): Promise<ShardTotals> {
  const { kv, idempotencyTtlMs } = context;
  const metaKey = [...shardKey, "meta"];
  const appliedKey = idempotency && [...shardKey, "applied", idempotency.key];
  const reads = [metaKey, ...(appliedKey ? [appliedKey] : []), ...keys.map((k) => k.kvKey)];
  for (let attempt = 0; attempt < COMMIT_ATTEMPTS; attempt++) {
    const entries = await getMany(kv, reads);
    const [metaEntry] = entries;
    const appliedEntry = appliedKey ? entries[1] : undefined;
    const totalEntries = entries.slice(appliedKey ? 2 : 1);
    // 1. idempotency record: replay, or conflict when the body differs; an expired one (KV's
    // expireIn deletes lazily) is overwritten below, guarded by its versionstamp like the rest
    const now = Date.now();
    const isLive = (record: Applied) => (record.at ?? now) > now - idempotencyTtlMs;
    if (
      idempotency !== undefined &&
      appliedEntry !== undefined &&
      appliedEntry.versionstamp !== null &&
      (!isApplied(appliedEntry.value) || isLive(appliedEntry.value))
    ) {
      if (!isApplied(appliedEntry.value)) throw corrupt(appliedEntry.key);
      if (appliedEntry.value.bodyHash !== idempotency.bodyHash)
        throw idempotencyConflict(requestKeyOf(idempotency.key));
      return { totals: bytesToTotals(appliedEntry.value.totals), isReplay: true };
    }
    // 2. key type: refused while the shard holds keys of another type
    let meta: Meta | undefined;
    if (metaEntry.versionstamp !== null) {
      if (!isMeta(metaEntry.value)) throw corrupt(metaKey);
      meta = metaEntry.value;
    }
    if (meta !== undefined && meta.keyType !== delta.keyType && meta.count > 0) {
      throw keyTypeConflict(delta.namespace, meta.keyType, delta.keyType);
    }
    // 3. add with i64 wrap, delete zeros, count keys created and removed
    const op = kv.atomic();
    for (const entry of entries) op.check(entry);
    const totals = new BigInt64Array(keys.length);
    let count = meta?.count ?? 0;
    keys.forEach((key, k) => {
      const entry = totalEntries[k];
      let current = 0n;
      if (entry.versionstamp !== null) {
        const value = storedTotal(entry.value, key.isLong);
        if (value === undefined) throw corrupt(key.kvKey);
        current = value;
      }
      const next = BigInt.asIntN(64, current + key.diff);
      totals[k] = next;
      if (next === 0n) {
        if (entry.versionstamp !== null) {
          op.delete(key.kvKey);
          count--;
        }
      } else {
        if (entry.versionstamp === null) count++;
        op.set(key.kvKey, key.isLong ? ({ key: key.key, total: next } satisfies LongTotal) : next);
      }
    });
    if (meta === undefined || meta.keyType !== delta.keyType || meta.count !== count)
      op.set(metaKey, { keyType: delta.keyType, count } satisfies Meta);
    // 4. record the answer in the same commit
    if (appliedKey !== undefined && idempotency !== undefined)
      op.set(
        appliedKey,
        { bodyHash: idempotency.bodyHash, totals: totalsToBytes(totals), at: now } satisfies Applied,
        { expireIn: idempotencyTtlMs },
      );
    if ((await op.commit()).ok) return { totals, isReplay: false };
    context.onRetry();
    await sleep(Math.random() * Math.min(50, 2 + 2 ** Math.min(attempt, 6)));
  }
  throw new ColwasmError(
    "unavailable",
    `Cannot apply a batch to shard ${delta.shard} of "${delta.namespace}": ${COMMIT_ATTEMPTS} commits lost to concurrent writers`,
    { retryAfterSeconds: 1 },
  );
}
