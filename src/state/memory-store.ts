// In-memory reduce state for unit tests and `colwasm exec`: same contract as the durable stores,
// nothing survives the process. Each call is synchronous inside, hence atomic.
import {
  DEFAULT_IDEMPOTENCY_TTL_MS,
  keyTypeConflict,
  type ReduceStore,
  type ShardDelta,
  type ShardTotals,
  type StoredTotal,
} from "./reduce-store.ts";
import { applyToShard, emptyShard, type ShardState } from "./shard-state.ts";

/** A ReduceStore in a Map. */
export class MemoryReduceStore implements ReduceStore {
  readonly #shards = new Map<string, ShardState>();
  readonly #keyTypes = new Map<string, string>();
  /** Shard calls made so far (benchmarks and tests count them). */
  calls = 0;
  readonly #idempotencyTtlMs: number;
  readonly #now: () => number;

  /** `idempotencyTtlMs`: how long an Idempotency-Key is honoured; `now`: the clock (tests). */
  constructor(options: { idempotencyTtlMs?: number; now?: () => number } = {}) {
    this.#idempotencyTtlMs = options.idempotencyTtlMs ?? DEFAULT_IDEMPOTENCY_TTL_MS;
    this.#now = options.now ?? Date.now;
  }

  #shard(namespace: string, shard: number, create: boolean): ShardState | undefined {
    const id = `${namespace}\u0000${shard}`;
    let state = this.#shards.get(id);
    if (state === undefined && create) this.#shards.set(id, (state = emptyShard()));
    return state;
  }

  async claimKeyType(namespace: string, keyType: string): Promise<void> {
    const bound = this.#keyTypes.get(namespace);
    if (bound === undefined) this.#keyTypes.set(namespace, keyType);
    else if (bound !== keyType) throw keyTypeConflict(namespace, bound, keyType);
  }

  async applyShard(delta: ShardDelta): Promise<ShardTotals> {
    this.calls++;
    const state = this.#shard(delta.namespace, delta.shard, true) ?? emptyShard();
    return applyToShard(state, delta, { now: this.#now(), ttlMs: this.#idempotencyTtlMs });
  }

  async readAll(
    namespace: string,
    shards: number,
  ): Promise<{ keyType: string; totals: StoredTotal[] } | undefined> {
    let keyType: string | undefined;
    const totals: StoredTotal[] = [];
    for (let s = 0; s < shards; s++) {
      const state = this.#shard(namespace, s, false);
      if (state === undefined || state.keyType === undefined) continue;
      keyType = state.keyType;
      for (const [key, total] of state.totals) totals.push({ key, total });
    }
    return keyType === undefined ? undefined : { keyType, totals };
  }

  async readKey(
    namespace: string,
    shard: number,
    key: string,
  ): Promise<{ keyType: string; total: bigint } | undefined> {
    const state = this.#shard(namespace, shard, false);
    const total = state?.totals.get(key);
    return state?.keyType === undefined || total === undefined
      ? undefined
      : { keyType: state.keyType, total };
  }

  async keyTypeOf(namespace: string): Promise<string | undefined> {
    const bound = this.#keyTypes.get(namespace);
    if (bound !== undefined) return bound;
    // shards applied to directly (no claimKeyType before) still tell their type
    for (const [id, state] of this.#shards)
      if (id.startsWith(`${namespace}\u0000`) && state.keyType !== undefined) return state.keyType;
    return undefined;
  }

  async drop(namespace: string, shards: number): Promise<boolean> {
    let existed = this.#keyTypes.delete(namespace);
    for (let s = 0; s < shards; s++) existed = this.#shards.delete(`${namespace}\u0000${s}`) || existed;
    return existed;
  }
}
