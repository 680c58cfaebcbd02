// The ReduceStore of the Deno runtime (src/state/reduce-store.ts contract) on Deno KV. Layout:
//   ["reduce", ns, "keyType"]                   → string              (the namespace's key type)
//   ["reduce", ns, shard, "meta"]               → { keyType, count }  (count = keys held)
//   ["reduce", ns, shard, "total", key]         → bigint              (never 0: zeros are deleted)
//   ["reduce", ns, shard, "total", sha256(key)] → { key, total }      (keys too long for a KV key)
//   ["reduce", ns, shard, "applied", idem]      → { bodyHash, totals, at } (totals: i64 LE bytes;
//                                                  at: ms; ignored after the TTL, expireIn reclaims it)
//
// This file composes the pieces beside it and owns what spans them: the in-process queue that
// puts one apply or drop at a time on a shard, and the order of a drop. The pieces:
//   kv-reduce-key-type.deno.ts  binding, reading and forgetting a namespace's key type
//   kv-reduce-apply.deno.ts     a shard's delta in chunked, checked commits (its guarantees, and
//                               how a crash between chunks completes exactly once, are told there)
//   kv-reduce-read.deno.ts      reading totals back
//   kv-reduce-values.deno.ts    the values' shapes and guards
//   kv-delete-listed.deno.ts    the sweep of a dropped shard
//
// Reads (readAll, drop) walk several shards and are not one snapshot; drop deletes in commits of
// at most 1000 mutations and 400 KiB of keys (kv-delete-listed.deno.ts), so a reduce running
// concurrently with a drop may leave some of its keys.
import { deleteListed } from "./kv-delete-listed.deno.ts";
import { applyInChunks } from "./kv-reduce-apply.deno.ts";
import { bindKeyType, readKeyType, unbindKeyType } from "./kv-reduce-key-type.deno.ts";
import { readAllTotals, readTotal } from "./kv-reduce-read.deno.ts";
import {
  DEFAULT_IDEMPOTENCY_TTL_MS,
  KeyTypeCache,
  type ReduceStore,
  type ShardDelta,
  type ShardTotals,
  type StoredTotal,
} from "../../state/index.ts";

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
    return this.#boundKeyTypes.claim(namespace, keyType, () =>
      bindKeyType(this.#kv, this.#prefix, namespace, keyType),
    );
  }

  #shardKey(namespace: string, shard: number): Deno.KvKey {
    return [...this.#prefix, namespace, shard];
  }

  applyShard(delta: ShardDelta): Promise<ShardTotals> {
    const { namespace, shard } = delta;
    const context = {
      kv: this.#kv,
      idempotencyTtlMs: this.#idempotencyTtlMs,
      onRetry: () => {
        this.retries++;
      },
    };
    return this.#inTurn(namespace, shard, () =>
      applyInChunks(context, this.#shardKey(namespace, shard), delta),
    );
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

  readAll(
    namespace: string,
    shards: number,
  ): Promise<{ keyType: string; totals: StoredTotal[] } | undefined> {
    const shardKeys = Array.from({ length: shards }, (_, s) => this.#shardKey(namespace, s));
    return readAllTotals(this.#kv, shardKeys);
  }

  readKey(
    namespace: string,
    shard: number,
    key: string,
  ): Promise<{ keyType: string; total: bigint } | undefined> {
    return readTotal(this.#kv, this.#shardKey(namespace, shard), namespace, key);
  }

  /** The namespace's bound key type: one read of `["reduce", ns, "keyType"]`. */
  keyTypeOf(namespace: string): Promise<string | undefined> {
    return readKeyType(this.#kv, this.#prefix, namespace);
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
    const hadKeyType = await unbindKeyType(this.#kv, this.#prefix, namespace);
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
