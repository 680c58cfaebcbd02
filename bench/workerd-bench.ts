// The bench worker: the suite's in-process tasks and the wordcount reduce run inside workerd
// (bench/workerd-harness.ts bundles it with the operators as CompiledWasm modules and times it from
// outside: workerd's clocks only advance on I/O, so a request runs a task n times and the caller
// divides the difference of two request times). Reduce runs over the real ReduceShard Durable
// Objects through DoReduceStore: sharded (one RPC per touched shard) or naive (one RPC per key).
import { decodeBatch } from "../src/columnar/index.ts";
import { InlineExecutor, parseChain, planChain, runChain } from "../src/chain/index.ts";
import type { DurableObjectNamespace } from "../src/runtimes/workers/bindings.workers.ts";
import { DoReduceStore, type ShardCallScope } from "../src/runtimes/workers/do-reduce-store.workers.ts";
import type { ReduceShardObject } from "../src/runtimes/workers/reduce-shard.workers.ts";
import { ShardedReduce } from "../src/state/index.ts";
import { type HostedOperator, prepareOperator } from "../src/wasm/index.ts";
import { BENCH_LIMITS } from "./bench-wasm.ts";
import { LINE_SCHEMA } from "./line-rows.ts";
import { PerKeyReduceStore, wordcountBatch, wordcountChain } from "./reduce-harness.ts";
import { type SuiteTasks, suiteTasks } from "./suite-harness.ts";

interface BenchEnv {
  readonly REDUCE_SHARD: DurableObjectNamespace<ReduceShardObject>;
}

/** The worker's default export over the bundled operator modules. */
export function createBenchWorker(
  modules: Readonly<Record<string, WebAssembly.Module>>,
  kernelModule: WebAssembly.Module,
) {
  const prepared = new Map<string, HostedOperator>();
  const operators = (name: string): HostedOperator => {
    let op = prepared.get(name);
    if (op === undefined) {
      const module = modules[name];
      if (module === undefined) throw new Error(`bench worker: no operator ${name}`);
      prepared.set(name, (op = prepareOperator(name, module)));
    }
    return op;
  };
  let suite: SuiteTasks | undefined;
  const executor = new InlineExecutor(BENCH_LIMITS, { kernelModule });
  const text = (body: string, status = 200) =>
    new Response(body, { status, headers: { "content-type": "text/plain" } });

  return {
    async fetch(request: Request, env: BenchEnv): Promise<Response> {
      const url = new URL(request.url);
      const param = (name: string) => url.searchParams.get(name) ?? "";
      try {
        if (url.pathname === "/setup") {
          suite = await suiteTasks(Number(param("rows")), {
            operators,
            kernelModule,
            only: param("only").split(","),
          });
          return Response.json({ ids: suite.tasks.map((t) => t.id), bodyBytes: suite.bodyBytes });
        }
        if (url.pathname === "/run") {
          const task = suite?.tasks.find((t) => t.id === param("id"));
          if (suite === undefined || task === undefined) return text("no such task", 404);
          const n = Number(param("n"));
          for (let i = 0; i < n; i++) await task.fn();
          return text(String(suite.sink()));
        }
        if (url.pathname === "/reduce") {
          const design = param("design");
          const scope: ShardCallScope = { shardCalls: 0 };
          const base = new DoReduceStore({ namespace: env.REDUCE_SHARD, scope: () => scope });
          const store = design === "per-key" ? new PerKeyReduceStore(base) : base;
          const { body } = wordcountBatch(Number(param("words")), Number(param("distinct")));
          const plan = await planChain(
            parseChain(wordcountChain(`wc${design.replace("-", "")}`)),
            LINE_SCHEMA,
            {
              resolve: async (name) => operators(name),
            },
          );
          const { output } = await runChain(plan, decodeBatch(body, LINE_SCHEMA), {
            segments: executor,
            reduce: new ShardedReduce(store, { shards: 16 }),
          });
          return Response.json({ calls: scope.shardCalls, keys: output.length });
        }
        return text("not found", 404);
      } catch (error) {
        return text(String((error as Error)?.stack ?? error), 500);
      }
    },
  };
}
