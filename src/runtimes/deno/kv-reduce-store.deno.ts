// The ReduceStore of the Deno runtime (src/state/reduce-store.ts contract) on Deno KV. Layout:
//   ["reduce", ns, "keyType"]                   → string              (the namespace's key type)
//   ["reduce", ns, shard, "meta"]               → { keyType, count }  (count = keys held)
//   ["reduce", ns, shard, "total", key]         → bigint              (never 0: zeros are deleted)
//   ["reduce", ns, shard, "total", sha256(key)] → { key, total }      (keys too long for a KV key)
//   ["reduce", ns, shard, "applied", idem]      → { bodyHash, totals, at } (totals: i64 LE bytes;
//                                                  at: ms; ignored after the TTL, expireIn reclaims it)
//
// Guarantees. applyShard reads the meta, the idempotency record and the current totals of the
// delta's keys, computes with the rule of src/state/shard-state.ts (replay or conflict on the
// record, key-type conflict when the shard holds keys of another type, i64 wrap, delete zeros,
// record the answer), then commits every write in ONE `kv.atomic()` guarded by a `check` on the
// versionstamp of every entry it read (absent ones included). A concurrent commit that touched any
// of them fails the check and the whole read-compute-commit is retried (bounded, with jitter), so
// concurrent requests over overlapping keys add up exactly. `meta.count` lets the key-type check
// know whether the shard holds keys without an unguardable range read; commits that add or delete
// keys therefore write the meta and serialise with each other on that shard.
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
//
// Reads (readAll, drop) walk several shards and are not one snapshot; drop deletes in commits of
// at most 1000 mutations and 400 KiB of keys (kv-delete-listed.deno.ts), so a reduce running
// concurrently with a drop may leave some of its keys.
import { ColwasmError } from "../../error.ts";
import { deleteListed } from "./kv-delete-listed.deno.ts";
import { KV_MAX_SET_KEY_BYTES, kvKeyBytes } from "./kv-key-bytes.deno.ts";
import {
  DEFAULT_IDEMPOTENCY_TTL_MS,
  idempotencyConflict,
  KeyTypeCache,
  keyTypeConflict,
  MAX_REDUCE_KEY_BYTES,
  type ReduceStore,
  requestKeyOf,
  type ShardDelta,
  type ShardTotals,
  type StoredTotal,
} from "../../state/index.ts";
import {
  type Applied,
  bytesToTotals,
  corrupt,
  isApplied,
  isLongTotal,
  isMeta,
  type LongTotal,
  type Meta,
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

/** One key of a chunk: its text, diff, KV key and whether it is stored by hash. */
interface ChunkKey {
  readonly key: string;
  readonly diff: bigint;
  readonly kvKey: Deno.KvKey;
  readonly isLong: boolean;
}

/** Keeps reduce totals in a Deno KV database. */
export class KvReduceStore implements ReduceStore {
  readonly #kv: Deno.Kv;
  readonly #prefix: readonly Deno.KvKeyPart[];
  /** Commits that failed a check and were retried (tests and benchmarks read it). */
  retries = 0;
  /**
   * In-process queue per (namespace, shard): this process's own concurrent requests apply a shard
   * one after another instead of racing on versionstamps and retrying (which thrashes under load:
   * RELIABILITY.md measured 7-17 req/s). Other processes on the same KV still meet the checks.
   */
  readonly #queues = new Map<string, Promise<unknown>>();
  readonly #boundKeyTypes = new KeyTypeCache();

  readonly #idempotencyTtlMs: number;

  /** `idempotencyTtlMs`: how long an Idempotency-Key is honoured (COLWASM_IDEMPOTENCY_TTL_SECONDS). */
  constructor(kv: Deno.Kv, options: { prefix?: readonly Deno.KvKeyPart[]; idempotencyTtlMs?: number } = {}) {
    this.#kv = kv;
    this.#prefix = options.prefix ?? ["reduce"];
    this.#idempotencyTtlMs = options.idempotencyTtlMs ?? DEFAULT_IDEMPOTENCY_TTL_MS;
  }

  /**
   * Binds the namespace's key type with a versionstamp check (null: only if absent), so of two
   * first batches of different types exactly one binds. Bindings this process saw are cached for
   * 30 s (KeyTypeCache): a batch then costs no extra read; drop() forgets them.
   */
  claimKeyType(namespace: string, keyType: string): Promise<void> {
    return this.#boundKeyTypes.claim(namespace, keyType, () => this.#bindKeyType(namespace, keyType));
  }

  /** Sets the namespace's key type when absent; answers the one it holds. */
  async #bindKeyType(namespace: string, keyType: string): Promise<string> {
    const key = [...this.#prefix, namespace, "keyType"];
    for (let attempt = 0; attempt < COMMIT_ATTEMPTS; attempt++) {
      const entry = await this.#kv.get<string>(key);
      if (entry.versionstamp !== null) return String(entry.value);
      if ((await this.#kv.atomic().check(entry).set(key, keyType).commit()).ok) return keyType;
    }
    throw new ColwasmError(
      "unavailable",
      `Cannot bind the key type of "${namespace}": ${COMMIT_ATTEMPTS} commits lost to concurrent writers`,
      { retryAfterSeconds: 1 },
    );
  }

  #shardKey(namespace: string, shard: number): Deno.KvKey {
    return [...this.#prefix, namespace, shard];
  }

  async #totalKey(
    namespace: string,
    shard: number,
    key: string,
  ): Promise<{ kvKey: Deno.KvKey; isLong: boolean }> {
    const bytes = encoder.encode(key);
    if (bytes.byteLength <= MAX_KEY_TEXT_BYTES)
      return { kvKey: [...this.#shardKey(namespace, shard), "total", key], isLong: false };
    if (bytes.byteLength > MAX_KEY_BYTES) {
      throw new ColwasmError(
        "too-large",
        `Cannot reduce into "${namespace}": a key has ${bytes.byteLength} bytes, Deno KV state holds keys of at most ${MAX_KEY_BYTES}`,
      );
    }
    const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
    return { kvKey: [...this.#shardKey(namespace, shard), "total", hash], isLong: true };
  }

  async #getMany(keys: readonly Deno.KvKey[]): Promise<Deno.KvEntryMaybe<unknown>[]> {
    const batches: Promise<Deno.KvEntryMaybe<unknown>[]>[] = [];
    for (let at = 0; at < keys.length; at += READ_BATCH)
      batches.push(this.#kv.getMany(keys.slice(at, at + READ_BATCH)));
    return (await Promise.all(batches)).flat();
  }

  applyShard(delta: ShardDelta): Promise<ShardTotals> {
    return this.#inTurn(delta.namespace, delta.shard, () => this.#applyShard(delta));
  }

  /**
   * Runs `work` after every earlier apply or drop of this process on the same shard: one writer
   * at a time per shard, so commits do not race each other's checks, and a drop of the shard
   * falls between whole batches instead of in the middle of one.
   */
  #inTurn<T>(namespace: string, shard: number, work: () => Promise<T>): Promise<T> {
    const id = `${namespace}\u0000${shard}`;
    const run = (this.#queues.get(id) ?? Promise.resolve()).then(work);
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.#queues.set(id, settled);
    void settled.then(() => {
      if (this.#queues.get(id) === settled) this.#queues.delete(id);
    });
    return run;
  }

  async #applyShard(delta: ShardDelta): Promise<ShardTotals> {
    const { namespace, shard } = delta;
    // all keys are resolved first: a key that cannot be stored fails the shard before any commit
    const keys: ChunkKey[] = await Promise.all(
      delta.keys.map(async (key, k) => ({
        key,
        diff: delta.deltas[k],
        ...(await this.#totalKey(namespace, shard, key)),
      })),
    );
    const chunks: ChunkKey[][] = [];
    let chunk: ChunkKey[] = [];
    let bytes = 0;
    let setKeyBytes = 0;
    for (const key of keys) {
      // key written twice (check + set), long keys once more in the value
      const size = 2 * (64 + encoder.encode(key.key).byteLength) + (key.isLong ? key.key.length * 3 : 0);
      const keyBytes = kvKeyBytes(key.kvKey);
      const isFull =
        chunk.length === CHUNK_KEYS ||
        bytes + size > CHUNK_BYTES ||
        setKeyBytes + keyBytes > CHUNK_SET_KEY_BYTES;
      if (chunk.length > 0 && isFull) {
        chunks.push(chunk);
        chunk = [];
        bytes = 0;
        setKeyBytes = 0;
      }
      chunk.push(key);
      bytes += size;
      setKeyBytes += keyBytes;
    }
    chunks.push(chunk);
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
        answer = await this.#applyChunk(delta, chunks[i], idempotency);
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

  /** One chunk in one atomic commit (the rule of shard-state.ts), retried while checks fail. */
  async #applyChunk(
    delta: ShardDelta,
    keys: readonly ChunkKey[],
    idempotency: { key: string; bodyHash: string } | undefined,
  ): Promise<ShardTotals> {
    const shardKey = this.#shardKey(delta.namespace, delta.shard);
    const metaKey = [...shardKey, "meta"];
    const appliedKey = idempotency && [...shardKey, "applied", idempotency.key];
    const reads = [metaKey, ...(appliedKey ? [appliedKey] : []), ...keys.map((k) => k.kvKey)];
    for (let attempt = 0; attempt < COMMIT_ATTEMPTS; attempt++) {
      const entries = await this.#getMany(reads);
      const [metaEntry] = entries;
      const appliedEntry = appliedKey ? entries[1] : undefined;
      const totalEntries = entries.slice(appliedKey ? 2 : 1);
      // 1. idempotency record: replay, or conflict when the body differs; an expired one (KV's
      // expireIn deletes lazily) is overwritten below, guarded by its versionstamp like the rest
      const now = Date.now();
      const isLive = (record: Applied) => (record.at ?? now) > now - this.#idempotencyTtlMs;
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
      const op = this.#kv.atomic();
      for (const entry of entries) op.check(entry);
      const totals = new BigInt64Array(keys.length);
      let count = meta?.count ?? 0;
      keys.forEach((key, k) => {
        const entry = totalEntries[k];
        let current = 0n;
        if (entry.versionstamp !== null) {
          const value = key.isLong ? (isLongTotal(entry.value) ? entry.value.total : undefined) : entry.value;
          if (typeof value !== "bigint") throw corrupt(key.kvKey);
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
          { expireIn: this.#idempotencyTtlMs },
        );
      if ((await op.commit()).ok) return { totals, isReplay: false };
      this.retries++;
      await sleep(Math.random() * Math.min(50, 2 + 2 ** Math.min(attempt, 6)));
    }
    throw new ColwasmError(
      "unavailable",
      `Cannot apply a batch to shard ${delta.shard} of "${delta.namespace}": ${COMMIT_ATTEMPTS} commits lost to concurrent writers`,
      { retryAfterSeconds: 1 },
    );
  }

  async readAll(
    namespace: string,
    shards: number,
  ): Promise<{ keyType: string; totals: StoredTotal[] } | undefined> {
    let keyType: string | undefined;
    const totals: StoredTotal[] = [];
    for (let s = 0; s < shards; s++) {
      const shardKey = this.#shardKey(namespace, s);
      const meta = await this.#kv.get([...shardKey, "meta"]);
      if (meta.versionstamp === null) continue;
      if (!isMeta(meta.value)) throw corrupt(meta.key);
      keyType = meta.value.keyType;
      for await (const entry of this.#kv.list({ prefix: [...shardKey, "total"] })) {
        const key = entry.key[entry.key.length - 1];
        if (typeof key === "string" && typeof entry.value === "bigint")
          totals.push({ key, total: entry.value });
        else if (isLongTotal(entry.value)) totals.push({ key: entry.value.key, total: entry.value.total });
        else throw corrupt(entry.key);
      }
    }
    return keyType === undefined ? undefined : { keyType, totals };
  }

  async readKey(
    namespace: string,
    shard: number,
    key: string,
  ): Promise<{ keyType: string; total: bigint } | undefined> {
    if (encoder.encode(key).byteLength > MAX_KEY_BYTES) return undefined;
    const { kvKey, isLong } = await this.#totalKey(namespace, shard, key);
    const [meta, entry] = await this.#kv.getMany([[...this.#shardKey(namespace, shard), "meta"], kvKey]);
    if (meta.versionstamp === null || entry.versionstamp === null) return undefined;
    if (!isMeta(meta.value)) throw corrupt(meta.key);
    const total = isLong ? (isLongTotal(entry.value) ? entry.value.total : undefined) : entry.value;
    if (typeof total !== "bigint") throw corrupt(kvKey);
    return { keyType: meta.value.keyType, total };
  }

  /** The namespace's bound key type: one read of `["reduce", ns, "keyType"]`. */
  async keyTypeOf(namespace: string): Promise<string | undefined> {
    const entry = await this.#kv.get([...this.#prefix, namespace, "keyType"]);
    if (entry.versionstamp === null) return undefined;
    if (typeof entry.value !== "string") throw corrupt(entry.key);
    return entry.value;
  }

  /**
   * Forgets the namespace. Each shard is swept in its turn (#inTurn): a batch this process is
   * applying finishes on that shard first and is then dropped with it, and a batch after the
   * drop starts from nothing, instead of a sweep running beside a batch's chunks and leaving part
   * of it (with its key type) behind. (Another process's batch still races a drop: one process
   * per KV database is the supported deployment; see RELIABILITY.)
   */
  async drop(namespace: string, shards: number): Promise<boolean> {
    this.#boundKeyTypes.delete(namespace);
    const keyTypeKey = [...this.#prefix, namespace, "keyType"];
    const hadKeyType = (await this.#kv.get(keyTypeKey)).versionstamp !== null;
    await this.#kv.delete(keyTypeKey);
    const swept = await Promise.all(
      Array.from({ length: shards }, (_, s) =>
        this.#inTurn(namespace, s, () => this.#dropShard(namespace, s)),
      ),
    );
    this.#boundKeyTypes.delete(namespace); // a batch that bound it again meanwhile was swept too
    return hadKeyType || swept.some((found) => found);
  }

  /** Deletes every key of one shard; true when there was any. */
  async #dropShard(namespace: string, shard: number): Promise<boolean> {
    return (await deleteListed(this.#kv, { prefix: this.#shardKey(namespace, shard) })) > 0;
  }
}
