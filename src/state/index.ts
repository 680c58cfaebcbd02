// Public surface of keyed reduce state: the store contract, the sharded reduce stage, stores.
export { aggregateKeys, type AggregatedKeys, MAX_REDUCE_KEY_BYTES } from "./aggregate-keys.ts";
export { fnv1a32, shardOfKey } from "./key-hash.ts";
export { KeyTypeCache } from "./key-type-cache.ts";
export { MemoryReduceStore } from "./memory-store.ts";
export {
  DEFAULT_IDEMPOTENCY_TTL_MS,
  keyTypeConflict,
  type ReduceStore,
  type ShardDelta,
  type ShardTotals,
  type StoredTotal,
} from "./reduce-store.ts";
export { DEFAULT_REDUCE_SHARDS, ShardedReduce } from "./sharded-reduce.ts";
export { applyToShard, emptyShard, type ShardState } from "./shard-state.ts";
export {
  type IdempotencyClaim,
  idempotencyConflict,
  type IdempotencyLedger,
  MemoryIdempotencyLedger,
  reduceRecordKey,
  requestFingerprint,
  requestKeyOf,
  type RequestParts,
} from "./idempotency-ledger.ts";
export { FaultInjectingStore, parseFailShards } from "./fault-injecting-store.ts";
