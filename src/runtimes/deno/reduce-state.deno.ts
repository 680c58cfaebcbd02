// Keyed reduce state of the Deno entry: the KV-backed store (read by the state routes) and the
// sharded reduce stage over it (written through `reduce:` stages).
import { ShardedReduce } from "../../state/index.ts";
import { KvReduceStore } from "./kv-reduce-store.deno.ts";

/** `state` for createApp and `reduce` for the chain service, sharing one KvReduceStore. */
export function kvReduceState(kv: Deno.Kv, shards: number) {
  const state = { store: new KvReduceStore(kv), shards };
  return { state, reduce: new ShardedReduce(state.store, { shards }) };
}
