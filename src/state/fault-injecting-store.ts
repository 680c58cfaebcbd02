// A test hook for the exactly-once guarantee (issue #6): wraps a ReduceStore so that chosen shards
// fail their next apply once, after which they behave. Runtime entries install it only when
// COLWASM_TEST_HOOKS=1 (never in production settings).
import { ColwasmError } from "../error.ts";
import type { ReduceStore, ShardDelta, ShardTotals, StoredTotal } from "./reduce-store.ts";

/** Parses `ns/shard,ns/shard` (e.g. `wc/3`) into the set of shards to fail once. */
export function parseFailShards(text: string): Set<string> {
  return new Set(
    text
      .split(",")
      .map((s) => s.trim())
      .filter((s) => /^[A-Za-z0-9_][A-Za-z0-9_.-]*\/\d+$/.test(s)),
  );
}

/** A ReduceStore whose listed shards throw (before touching state) the first time they are applied. */
export class FaultInjectingStore implements ReduceStore {
  readonly #inner: ReduceStore;
  readonly #pending: Set<string>;

  constructor(inner: ReduceStore, failOnce: Set<string>) {
    this.#inner = inner;
    this.#pending = new Set(failOnce);
  }

  claimKeyType(namespace: string, keyType: string): Promise<void> {
    return this.#inner.claimKeyType(namespace, keyType);
  }

  applyShard(delta: ShardDelta): Promise<ShardTotals> {
    const id = `${delta.namespace}/${delta.shard}`;
    if (this.#pending.delete(id)) {
      const message = `Injected failure of shard ${id} (COLWASM_TEST_HOOKS)`;
      return Promise.reject(new ColwasmError("unavailable", message, { retryAfterSeconds: 1 }));
    }
    return this.#inner.applyShard(delta);
  }

  readAll(
    namespace: string,
    shards: number,
  ): Promise<{ keyType: string; totals: StoredTotal[] } | undefined> {
    return this.#inner.readAll(namespace, shards);
  }

  readKey(
    namespace: string,
    shard: number,
    key: string,
  ): Promise<{ keyType: string; total: bigint } | undefined> {
    return this.#inner.readKey(namespace, shard, key);
  }

  drop(namespace: string, shards: number): Promise<boolean> {
    return this.#inner.drop(namespace, shards);
  }

  keyTypeOf(namespace: string): Promise<string | undefined> {
    return this.#inner.keyTypeOf?.(namespace) ?? Promise.resolve(undefined);
  }
}
