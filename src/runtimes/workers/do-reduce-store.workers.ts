// The ReduceStore of the Workers runtime (src/state/reduce-store.ts contract): one ReduceShard
// Durable Object per (namespace, shard), one RPC per touched shard carrying all of its keys as a
// columnar payload. Stubs are made fresh per call: workerd ties a stub's I/O to its request.
import { ColwasmError } from "../../error.ts";
import {
  DEFAULT_IDEMPOTENCY_TTL_MS,
  KeyTypeCache,
  type ReduceStore,
  type ShardDelta,
  type ShardTotals,
  type StoredTotal,
} from "../../state/index.ts";
import type { DurableObjectNamespace } from "./bindings.workers.ts";
import type { ReduceShardObject } from "./reduce-shard.workers.ts";
import { errorOfFailure } from "./runner-protocol.workers.ts";
import { decodeShardPayload, encodeShardPayload } from "./shard-payload.workers.ts";

/** Per-request figures and test hooks (see request-scope.workers.ts). */
export interface ShardCallScope {
  /** `applyShard` calls made for this request (the `Colwasm-Reduce-Shard-Calls` header). */
  shardCalls: number;
  /** Test hook: this shard throws inside its transaction (COLWASM_TEST_HOOKS=1 only). */
  readonly failShard?: number;
}

/** Options of DoReduceStore. */
export interface DoReduceStoreOptions {
  readonly namespace: DurableObjectNamespace<ReduceShardObject>;
  /** The current request's scope, when there is one. */
  readonly scope?: () => ShardCallScope | undefined;
  /** How long an Idempotency-Key is honoured (default 24 h). */
  readonly idempotencyTtlMs?: number;
  /** Key and total bytes per page when a shard's totals are listed (default 8 MiB; RPC answers hold 32). */
  readonly readPageBytes?: number;
}

/** Storage failures are retryable: nothing was applied on that shard (its transaction rolled back). */
function unavailable(action: string, cause: unknown): ColwasmError {
  return new ColwasmError(
    "unavailable",
    `Cannot ${action}: the shard's storage failed`,
    { retryAfterSeconds: 1 },
    { cause },
  );
}

/** A ReduceStore over the REDUCE_SHARD Durable Object namespace. */
export class DoReduceStore implements ReduceStore {
  readonly #options: DoReduceStoreOptions;
  /** Key types this isolate saw bound (30 s): a batch then makes no extra call; drop() forgets them. */
  readonly #boundKeyTypes = new KeyTypeCache();

  constructor(options: DoReduceStoreOptions) {
    this.#options = options;
  }

  #shard(namespace: string, shard: number): ReduceShardObject {
    const ns = this.#options.namespace;
    return ns.get(ns.idFromName(`${namespace}/${shard}`));
  }

  /** Binds through the namespace's shard 0, its home (ReduceShard.claimKeyType). */
  claimKeyType(namespace: string, keyType: string): Promise<void> {
    return this.#boundKeyTypes.claim(namespace, keyType, async () => {
      try {
        return await this.#shard(namespace, 0).claimKeyType(keyType);
      } catch (error) {
        throw unavailable(`bind the key type of "${namespace}"`, error);
      }
    });
  }

  async applyShard(delta: ShardDelta): Promise<ShardTotals> {
    const scope = this.#options.scope?.();
    if (scope !== undefined) scope.shardCalls++;
    const payload = encodeShardPayload({ keys: delta.keys, values: delta.deltas });
    const meta = {
      namespace: delta.namespace,
      keyType: delta.keyType,
      idempotencyKey: delta.idempotency?.key,
      bodyHash: delta.idempotency?.bodyHash,
      idempotencyTtlMs: this.#options.idempotencyTtlMs ?? DEFAULT_IDEMPOTENCY_TTL_MS,
      failForTest: scope?.failShard === delta.shard,
    };
    let answer;
    try {
      answer = await this.#shard(delta.namespace, delta.shard).apply(payload, meta);
    } catch (error) {
      throw unavailable(`apply a batch to shard ${delta.shard} of "${delta.namespace}"`, error);
    }
    if (!answer.ok) throw errorOfFailure(answer.failure, `Reduce shard ${delta.shard}`);
    return { totals: new BigInt64Array(answer.totals), isReplay: answer.isReplay };
  }

  async readAll(
    namespace: string,
    shards: number,
  ): Promise<{ keyType: string; totals: StoredTotal[] } | undefined> {
    // each shard a page at a time: one answer of a large shard would pass workerd's RPC limit
    const all = await this.#each(`read "${namespace}"`, shards, async (s) => {
      const pages: { keyType: string; payload: ArrayBuffer }[] = [];
      let after: string | null = null;
      do {
        const page = await this.#shard(namespace, s).readAll(after, this.#options.readPageBytes);
        if (page === null) break;
        pages.push(page);
        after = page.next;
      } while (after !== null);
      return pages;
    });
    let keyType: string | undefined;
    const totals: StoredTotal[] = [];
    for (const page of all.flat()) {
      keyType = page.keyType;
      const { keys, values } = decodeShardPayload(page.payload);
      keys.forEach((key, i) => totals.push({ key, total: values[i] }));
    }
    return keyType === undefined ? undefined : { keyType, totals };
  }

  async readKey(
    namespace: string,
    shard: number,
    key: string,
  ): Promise<{ keyType: string; total: bigint } | undefined> {
    let found;
    try {
      found = await this.#shard(namespace, shard).readKey(key);
    } catch (error) {
      throw unavailable(`read shard ${shard} of "${namespace}"`, error);
    }
    return found === null ? undefined : { keyType: found.keyType, total: BigInt(found.total) };
  }

  /** The key type bound at the namespace's shard 0, its home (ReduceShard.namespaceKeyType). */
  async keyTypeOf(namespace: string): Promise<string | undefined> {
    let bound;
    try {
      bound = await this.#shard(namespace, 0).namespaceKeyType();
    } catch (error) {
      throw unavailable(`read the key type of "${namespace}"`, error);
    }
    return bound ?? undefined;
  }

  async drop(namespace: string, shards: number): Promise<boolean> {
    this.#boundKeyTypes.delete(namespace);
    const dropped = await this.#each(`drop "${namespace}"`, shards, (s) => this.#shard(namespace, s).drop());
    return dropped.some((d) => d);
  }

  /** `call` on every shard in parallel. */
  async #each<T>(action: string, shards: number, call: (shard: number) => Promise<T>): Promise<T[]> {
    try {
      return await Promise.all(Array.from({ length: shards }, (_, s) => call(s)));
    } catch (error) {
      throw unavailable(action, error);
    }
  }
}
