// The contract every reduce state store honours (Durable Objects, Deno KV, memory): a shard applies
// all of its keys or none, records the idempotency key in the same transaction, and answers a
// retry with what it answered the first time.

/** One shard's share of a batch: distinct keys and the sum of their diffs. */
export interface ShardDelta {
  readonly namespace: string;
  readonly shard: number;
  /** Canonical key texts, distinct. */
  readonly keys: readonly string[];
  readonly deltas: BigInt64Array;
  /** Key schema of the namespace (canonical text); a namespace keeps the type it was created with. */
  readonly keyType: string;
  /** Present when the request carried `Idempotency-Key`. */
  readonly idempotency?: { readonly key: string; readonly bodyHash: string };
}

/** The shard's new totals for the delta's keys, in the same order (0 = key deleted). */
export interface ShardTotals {
  readonly totals: BigInt64Array;
  /** True when this answer was replayed from an earlier application of the same key. */
  readonly isReplay: boolean;
}

/** One stored total. */
export interface StoredTotal {
  readonly key: string;
  readonly total: bigint;
}

/** Where keyed reduce totals live. */
export interface ReduceStore {
  /**
   * Applies a shard's delta atomically. Throws ColwasmError("conflict") when the idempotency key
   * was used with another body, or when the namespace holds keys of another type.
   */
  applyShard(delta: ShardDelta): Promise<ShardTotals>;
  /** Every total of a namespace across its `shards` shards, or undefined when none holds any state. */
  readAll(namespace: string, shards: number): Promise<{ keyType: string; totals: StoredTotal[] } | undefined>;
  /** One total from the shard that owns the key (with the namespace's key type), or undefined. */
  readKey(
    namespace: string,
    shard: number,
    key: string,
  ): Promise<{ keyType: string; total: bigint } | undefined>;
  /** Drops a namespace from every shard; returns false when no shard held it. */
  drop(namespace: string, shards: number): Promise<boolean>;
}
