// Reduce benchmark (issue #8): wordcount through `split_words,lowercase,reduce:NAME` with D
// distinct keys over N words, in process on MemoryReduceStore: the sharded design (one applyShard
// per touched shard, all its keys at once) against the naive one (one applyShard per key),
// simulated by a ReduceStore wrapper. Storage calls per batch must equal the shards touched.
import { Bench } from "tinybench";
import { decodeBatch } from "../src/columnar/index.ts";
import { InlineExecutor, parseChain, planChain, runChain } from "../src/chain/index.ts";
import {
  MemoryReduceStore,
  type ReduceStore,
  type ShardDelta,
  type ShardTotals,
  ShardedReduce,
  shardOfKey,
} from "../src/state/index.ts";
import type { HostedOperator } from "../src/wasm/index.ts";
import { BENCH_LIMITS } from "./bench-operators.ts";
import { encodeRows, LINE_SCHEMA, wordcountRows } from "./line-rows.ts";

/** The chain of the wordcount into state namespace `name`. */
export function wordcountChain(name = "wordcount"): string {
  return `split_words,lowercase,reduce:${name}`;
}

/** The naive design: every key is its own storage call (issued concurrently). */
export class PerKeyReduceStore implements ReduceStore {
  constructor(readonly inner: ReduceStore) {}
  claimKeyType(namespace: string, keyType: string) {
    return this.inner.claimKeyType(namespace, keyType);
  }
  async applyShard(delta: ShardDelta): Promise<ShardTotals> {
    const answers = await Promise.all(
      delta.keys.map((key, k) =>
        this.inner.applyShard({ ...delta, keys: [key], deltas: BigInt64Array.of(delta.deltas[k]) }),
      ),
    );
    return {
      totals: BigInt64Array.from(answers, (a) => a.totals[0]),
      isReplay: answers.some((a) => a.isReplay),
    };
  }
  readAll(namespace: string, shards: number) {
    return this.inner.readAll(namespace, shards);
  }
  readKey(namespace: string, shard: number, key: string) {
    return this.inner.readKey(namespace, shard, key);
  }
  drop(namespace: string, shards: number) {
    return this.inner.drop(namespace, shards);
  }
}

/** One design's figures. */
export interface ReduceDesignResult {
  readonly design: "sharded" | "per-key";
  readonly medianMs: number;
  readonly p25Ms: number;
  readonly p75Ms: number;
  readonly samples: number;
  /** Input words per second at the median. */
  readonly wordsPerSec: number;
  /** applyShard calls on the memory store per batch. */
  readonly callsPerBatch: number;
}

/** The in-process reduce result. */
export interface ReduceResult {
  readonly words: number;
  readonly distinctKeys: number;
  readonly lines: number;
  readonly bodyBytes: number;
  readonly shards: number;
  /** Distinct shards the batch's keys hash to. */
  readonly shardsTouched: number;
  readonly designs: readonly ReduceDesignResult[];
  /** The sharded design's calls per batch equal the shards touched. */
  readonly isCallsEqualShards: boolean;
}

/** The wordcount batch. */
export function wordcountBatch(words: number, distinct: number): { body: Uint8Array; lines: number } {
  const rows = wordcountRows(words, distinct);
  return { body: encodeRows(rows), lines: rows.length };
}

/** Shards touched by the (lowercased) keys of the wordcount batch. */
function shardsTouched(words: number, distinct: number, shards: number): number {
  const encoder = new TextEncoder();
  const touched = new Set<number>();
  for (const [line] of wordcountRows(words, distinct))
    for (const word of line.split(" ")) touched.add(shardOfKey(encoder.encode(word.toLowerCase()), shards));
  return touched.size;
}

/** Runs both designs in one run. */
export async function measureReduce(options: {
  words: number;
  distinct: number;
  operators: (name: string) => HostedOperator;
  kernelModule: WebAssembly.Module;
  timeMs: number;
  iterations: number;
  shards?: number;
}): Promise<ReduceResult> {
  const shards = options.shards ?? 16;
  const { body, lines } = wordcountBatch(options.words, options.distinct);
  const executor = new InlineExecutor(BENCH_LIMITS, { kernelModule: options.kernelModule });
  const plan = await planChain(parseChain(wordcountChain()), LINE_SCHEMA, {
    resolve: async (name) => options.operators(name),
  });
  const stores = { sharded: new MemoryReduceStore(), "per-key": new MemoryReduceStore() };
  const reducers = {
    sharded: new ShardedReduce(stores.sharded, { shards }),
    "per-key": new ShardedReduce(new PerKeyReduceStore(stores["per-key"]), { shards }),
  };
  const runs = { sharded: 0, "per-key": 0 };
  const bench = new Bench({
    time: options.timeMs,
    warmupTime: 0,
    warmupIterations: 1,
    iterations: options.iterations,
    retainSamples: true,
  });
  for (const design of ["sharded", "per-key"] as const) {
    bench.add(design, async () => {
      runs[design]++;
      const { output } = await runChain(plan, decodeBatch(body, LINE_SCHEMA), {
        segments: executor,
        reduce: reducers[design],
      });
      if (output.length !== options.distinct)
        throw new Error(`reduce: ${output.length} keys out, want ${options.distinct}`);
    });
  }
  await bench.run();
  const designs = bench.tasks.map((task): ReduceDesignResult => {
    const r = task.result;
    if (r.state !== "completed" && r.state !== "aborted-with-statistics")
      throw new Error(`reduce task ${task.name} did not complete (${r.state})`);
    const design = task.name as "sharded" | "per-key";
    const s = r.latency.samples ?? [];
    return {
      design,
      medianMs: r.latency.p50,
      p25Ms: s.length > 0 ? s[Math.floor((s.length - 1) / 4)] : r.latency.min,
      p75Ms: r.latency.p75,
      samples: r.latency.samplesCount,
      wordsPerSec: options.words / (r.latency.p50 / 1000),
      callsPerBatch: stores[design].calls / runs[design],
    };
  });
  const touched = shardsTouched(options.words, options.distinct, shards);
  return {
    words: options.words,
    distinctKeys: options.distinct,
    lines,
    bodyBytes: body.byteLength,
    shards,
    shardsTouched: touched,
    designs,
    isCallsEqualShards: designs.find((d) => d.design === "sharded")?.callsPerBatch === touched,
  };
}
