// The reduce stage (spec/http-api.md §Reduce): pre-aggregate the batch by key, partition keys by
// a stable hash across shards, one store call per touched shard carrying all its keys, then answer
// the changed totals in first-appearance order as a (K, i64) batch.
import { type Column, columnSlices, formatSchema, gatherColumn } from "../columnar/index.ts";
import type { ReduceContext, ReduceExecutor, ReduceStage } from "../chain/index.ts";
import { ColwasmError } from "../error.ts";
import type { OperatorBatch } from "../wasm/index.ts";
import { aggregateKeys } from "./aggregate-keys.ts";
import type { ReduceStore } from "./reduce-store.ts";

/** Default shard count (`REDUCE_SHARDS`). */
export const DEFAULT_REDUCE_SHARDS = 16;

/**
 * The column a 1-tuple or one-field struct wraps (the same bytes, spec/columnar-format.md §3.2),
 * unwrapped as often as it nests: what the planner's layoutNormalForm does to the schema.
 */
function unwrapped(column: Column): Column {
  let inner = column;
  while ((inner.kind === "tuple" || inner.kind === "struct") && inner.elements.length === 1) {
    inner = inner.elements[0];
  }
  return inner;
}

function keyAndDiffs(input: OperatorBatch): { key: Column; diffs: BigInt64Array } {
  // any batch layout-equivalent to (K, i64) passes planning: `((String, i64),)`,
  // `{k: (String,), d: {v: i64}}`, …
  const column = unwrapped(input.column);
  if ((column.kind === "tuple" || column.kind === "struct") && column.elements.length === 2) {
    const key = unwrapped(column.elements[0]);
    const diff = unwrapped(column.elements[1]);
    if (diff.kind === "i64") return { key, diffs: diff.data };
  }
  throw new ColwasmError("chain-type-mismatch", "Cannot reduce: the batch is not (K, i64)");
}

/** A ReduceExecutor over any ReduceStore. */
export class ShardedReduce implements ReduceExecutor {
  readonly #store: ReduceStore;
  readonly shards: number;

  constructor(store: ReduceStore, options: { shards?: number } = {}) {
    this.#store = store;
    this.shards = options.shards ?? DEFAULT_REDUCE_SHARDS;
  }

  async applyReduce(
    stage: ReduceStage,
    input: OperatorBatch,
    context: ReduceContext,
  ): Promise<OperatorBatch> {
    const { key, diffs } = keyAndDiffs(input);
    const agg = aggregateKeys(key, diffs);
    const byShard = new Map<number, number[]>();
    agg.hashes.forEach((h, d) => {
      const shard = h % this.shards;
      const list = byShard.get(shard);
      if (list === undefined) byShard.set(shard, [d]);
      else list.push(d);
    });
    const keyType = formatSchema(stage.key);
    // before any shard: a batch of another key type must change nothing (an empty batch touches
    // no shard, so it binds nothing either)
    if (byShard.size > 0) await this.#store.claimKeyType(stage.namespace, keyType);
    const idempotency = context.idempotency && {
      key: `${context.idempotency.key}#${stage.index}`,
      bodyHash: context.idempotency.bodyHash,
    };
    const entries = [...byShard.entries()];
    const settled = await Promise.allSettled(
      entries.map(([shard, distinct]) =>
        this.#store.applyShard({
          namespace: stage.namespace,
          shard,
          keys: distinct.map((d) => agg.keys[d]),
          deltas: BigInt64Array.from(distinct, (d) => agg.sums[d]),
          keyType,
          idempotency,
        }),
      ),
    );
    const totals = new BigInt64Array(agg.keys.length);
    const failures: unknown[] = [];
    settled.forEach((result, e) => {
      if (result.status === "rejected") return void failures.push(result.reason);
      entries[e][1].forEach((d, k) => (totals[d] = result.value.totals[k]));
    });
    if (failures.length > 0)
      throw this.#failure(failures, entries.length, stage.namespace, idempotency !== undefined);
    const keys = gatherColumn(key, agg.firstIndex);
    const column: Column = {
      kind: "tuple",
      length: agg.keys.length,
      elements: [keys, { kind: "i64", length: totals.length, data: totals }],
    };
    return {
      schema: stage.output,
      format: "0.1",
      length: column.length,
      column,
      slices: columnSlices(column, "0.1"),
    };
  }

  /**
   * All shards failing alike is that error; a partial failure is 503. With an Idempotency-Key a
   * retry completes it exactly once (Retry-After); without one a retry would apply the committed
   * shards again, so the answer says so and invites no retry.
   */
  #failure(failures: unknown[], touched: number, namespace: string, hasKey: boolean): unknown {
    const first = failures[0];
    if (failures.length === touched && first instanceof ColwasmError) return first;
    if (first instanceof ColwasmError && first.type === "conflict") return first;
    const applied = `Reduce applied on ${touched - failures.length} of ${touched} shards`;
    if (!hasKey) {
      return new ColwasmError(
        "unavailable",
        `${applied}; without an Idempotency-Key the batch cannot be completed exactly once (sending it again would apply those shards twice): read GET /v1/state/${namespace} first, and send an Idempotency-Key with batches that reduce`,
        { failedShards: failures.length },
        { cause: first },
      );
    }
    return new ColwasmError(
      "unavailable",
      `${applied}; retry with the same Idempotency-Key to complete it exactly once`,
      { retryAfterSeconds: 1, failedShards: failures.length },
      { cause: first },
    );
  }
}
