// The contract every reduce state store honours (Durable Objects, Deno KV, memory): a shard applies
// all of its keys or none, records the idempotency key in the same transaction, and answers a
// retry with what it answered the first time.
import { ColwasmError } from "../error.ts";

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

/**
 * How long a shard honours an Idempotency-Key (`COLWASM_IDEMPOTENCY_TTL_SECONDS`): a retry within
 * it replays, after it the key is forgotten (and its record's storage reclaimed).
 */
export const DEFAULT_IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

/** The conflict of a batch whose key type is not its namespace's. */
export function keyTypeConflict(namespace: string, bound: string, keyType: string): ColwasmError {
  return new ColwasmError(
    "conflict",
    `Cannot reduce into "${namespace}": it holds keys of type ${bound}, this batch has ${keyType} (drop the namespace to change its key type)`,
  );
}

/** Where keyed reduce totals live. */
export interface ReduceStore {
  /**
   * Binds `namespace` to `keyType` when it has no key type yet, atomically, or throws
   * `keyTypeConflict` when it is bound to another: called before any shard of a batch is touched,
   * so a batch of the wrong key type changes nothing (no shard that happens to be empty takes it).
   * A namespace keeps its key type until it is dropped.
   */
  claimKeyType(namespace: string, keyType: string): Promise<void>;
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
  /**
   * The key type `namespace` is bound to (claimKeyType), or undefined when it has none; one cheap
   * read, not a walk of the shards. `GET /v1/state/NAME?key=K` asks it when K has no total, to tell
   * a key that cannot be of the namespace's type (400) from one that is absent (404). Optional: a
   * store without it leaves every such key a 404.
   */
  keyTypeOf?(namespace: string): Promise<string | undefined>;
}
