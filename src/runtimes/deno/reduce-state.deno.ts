// Keyed reduce state of the Deno entry: the KV-backed store (read by the state routes) and the
// sharded reduce stage over it (written through `reduce:` stages). With COLWASM_TEST_HOOKS=1,
// COLWASM_TEST_FAIL_SHARDS (`ns/shard,...`) makes those shards fail once (exactly-once tests).
import { FaultInjectingStore, parseFailShards, type ReduceStore, ShardedReduce } from "../../state/index.ts";
import { KvReduceStore } from "./kv-reduce-store.deno.ts";

/** `state` for createApp and `reduce` for the chain service, sharing one KvReduceStore. */
export function kvReduceState(
  kv: Deno.Kv,
  shards: number,
  options: { failShardsOnce?: string; idempotencyTtlMs?: number } = {},
) {
  const kvStore = new KvReduceStore(kv, { idempotencyTtlMs: options.idempotencyTtlMs });
  const store: ReduceStore =
    options.failShardsOnce === undefined
      ? kvStore
      : new FaultInjectingStore(kvStore, parseFailShards(options.failShardsOnce));
  const state = { store, shards };
  return { state, reduce: new ShardedReduce(state.store, { shards }) };
}
