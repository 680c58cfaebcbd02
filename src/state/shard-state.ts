// The per-shard application rule shared by the in-process stores: check the idempotency record,
// check the key type, add deltas, delete zeros, record the answer. Storage-specific stores (SQLite
// in a Durable Object, Deno KV) implement the same steps inside their own transaction.
import { idempotencyConflict, requestKeyOf } from "./idempotency-ledger.ts";
import {
  DEFAULT_IDEMPOTENCY_TTL_MS,
  keyTypeConflict,
  type ShardDelta,
  type ShardTotals,
} from "./reduce-store.ts";

/** Plain in-memory state of one shard of one namespace. */
export interface ShardState {
  keyType?: string;
  readonly totals: Map<string, bigint>;
  /** Idempotency records in the order they were made (`at`: ms), so expired ones lead. */
  readonly applied: Map<
    string,
    { readonly bodyHash: string; readonly totals: BigInt64Array; readonly at: number }
  >;
}

/** A new, empty shard. */
export function emptyShard(): ShardState {
  return { totals: new Map(), applied: new Map() };
}

/**
 * Applies `delta` to `state` (the caller makes it atomic); returns the new totals. Idempotency
 * records older than `ttlMs` at `now` are forgotten first.
 */
export function applyToShard(
  state: ShardState,
  delta: ShardDelta,
  clock: { readonly now: number; readonly ttlMs: number } = {
    now: Date.now(),
    ttlMs: DEFAULT_IDEMPOTENCY_TTL_MS,
  },
): ShardTotals {
  for (const [key, record] of state.applied) {
    if (record.at > clock.now - clock.ttlMs) break;
    state.applied.delete(key);
  }
  const idem = delta.idempotency;
  if (idem !== undefined) {
    const earlier = state.applied.get(idem.key);
    if (earlier !== undefined) {
      if (earlier.bodyHash !== idem.bodyHash) throw idempotencyConflict(requestKeyOf(idem.key));
      return { totals: earlier.totals.slice(), isReplay: true };
    }
  }
  if (state.keyType !== undefined && state.keyType !== delta.keyType && state.totals.size > 0) {
    throw keyTypeConflict(delta.namespace, state.keyType, delta.keyType);
  }
  state.keyType = delta.keyType;
  const totals = new BigInt64Array(delta.keys.length);
  delta.keys.forEach((key, k) => {
    const next = BigInt.asIntN(64, (state.totals.get(key) ?? 0n) + delta.deltas[k]);
    if (next === 0n) state.totals.delete(key);
    else state.totals.set(key, next);
    totals[k] = next;
  });
  if (idem !== undefined)
    state.applied.set(idem.key, { bodyHash: idem.bodyHash, totals: totals.slice(), at: clock.now });
  return { totals, isReplay: false };
}
