// Workers entry: read bindings and COLWASM_* vars, build the deps (operator registry and reduce
// shard Durable Objects, Worker Loader chain service, bundled built-ins), createApp(deps), export
// fetch and the DO classes. Deps are built once per isolate, on the first request (env only
// arrives with it); each request runs in a scope that counts its shard calls.
import { createApp, createFailedApp } from "../http/index.ts";
import { ShardedReduce } from "../state/index.ts";
import { BodyArenaPool } from "../wasm/index.ts";
import { readSettings } from "./deno/read-settings.ts";
import type { WorkersEnv } from "./workers/bindings.workers.ts";
import { BUILTINS, KERNEL_MODULE } from "./workers/builtins.workers.ts";
import { DRAIN_MAX_BYTES, drainUnreadBody } from "./workers/drain-unread-body.workers.ts";
import { DoIdempotencyLedger } from "./workers/do-idempotency-ledger.workers.ts";
import { DoReduceStore } from "./workers/do-reduce-store.workers.ts";
import { LoaderChainService } from "./workers/loader-chain-service.workers.ts";
import { LoaderRegistry } from "./workers/loader-registry.workers.ts";
import { currentScope, withRequestScope } from "./workers/request-scope.workers.ts";
import { VERSION } from "../version.ts";

export { OperatorRegistry } from "./workers/operator-registry.workers.ts";
export { ReduceShard } from "./workers/reduce-shard.workers.ts";

let app: Promise<{ fetch(request: Request, env: WorkersEnv): Response | Promise<Response> }> | undefined;
/** How much of an unread request body is read before answering (drainUnreadBody), set by build. */
let drainBytes = DRAIN_MAX_BYTES;

async function build(env: WorkersEnv) {
  const settings = readSettings((name) =>
    name === "REDUCE_SHARDS" ? env.REDUCE_SHARDS : env[name as `COLWASM_${string}`],
  );
  const { limits } = settings;
  // twice the largest body any route takes: a client sending one over the limit reads its 413
  drainBytes = Math.max(DRAIN_MAX_BYTES, 2 * Math.max(limits.maxBodyBytes, limits.maxModuleBytes));
  const shards = settings.reduceShards;
  const store = () => env.OPERATOR_REGISTRY.get(env.OPERATOR_REGISTRY.idFromName("operators"));
  const registry = await LoaderRegistry.create({ loader: env.LOADER, store, builtins: BUILTINS, limits });
  const { idempotencyTtlMs } = settings;
  const state = {
    store: new DoReduceStore({
      namespace: env.REDUCE_SHARD,
      scope: currentScope,
      idempotencyTtlMs,
      readPageBytes: settings.statePageBytes,
    }),
    shards,
  };
  const reduce = new ShardedReduce(state.store, { shards });
  return createApp({
    runtime: "workers",
    bodyArenas: new BodyArenaPool(KERNEL_MODULE),
    version: VERSION,
    registry,
    chains: new LoaderChainService({ loader: env.LOADER, registry, limits: limits.operator, reduce }),
    limits,
    auth: { adminToken: settings.adminToken, runToken: settings.runToken },
    cors: settings.corsOrigins,
    state,
    idempotency: new DoIdempotencyLedger({ namespace: env.REDUCE_SHARD, ttlMs: idempotencyTtlMs }),
    builtins: registry.builtinNames,
  });
}

export default {
  async fetch(request: Request, env: WorkersEnv): Promise<Response> {
    if (app === undefined) {
      app = build(env);
      app.catch(() => (app = undefined)); // a failed start is retried on the next request
    }
    let handler: Awaited<typeof app>;
    try {
      handler = await app;
    } catch (error) {
      return createFailedApp(error).fetch(request); // e.g. a malformed COLWASM_* var: a 500 problem
    }
    const isTestHooks = env.COLWASM_TEST_HOOKS === "1";
    const response = await withRequestScope(request, { isTestHooks }, async () =>
      handler.fetch(request, env),
    );
    await drainUnreadBody(request, drainBytes); // keeps the client's connection after an early answer
    return response;
  },
};
