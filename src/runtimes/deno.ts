// Deno entry: read COLWASM_* settings, build the deps (Deno KV operator store and reduce state,
// web Worker sandboxes for deadlines), createApp(deps), Deno.serve; SIGINT/SIGTERM stop it.
import { createApp } from "../http/index.ts";
import { BodyArenaPool } from "../wasm/index.ts";
import { LocalChainService } from "../registry/index.ts";
import { KvIdempotencyLedger } from "./deno/kv-idempotency-ledger.deno.ts";
import { KV_MAX_MODULE_BYTES } from "./deno/kv-operator-store.deno.ts";
import { kvRegistry } from "./deno/kv-registry.deno.ts";
import { readSettings } from "./deno/read-settings.ts";
import { kvReduceState } from "./deno/reduce-state.deno.ts";
import { denoSandboxPool } from "./deno/sandbox-pool.deno.ts";
import { VERSION } from "../version.ts";

const settings = readSettings((name) => Deno.env.get(name));
const limits = {
  ...settings.limits,
  maxModuleBytes: Math.min(settings.limits.maxModuleBytes, KV_MAX_MODULE_BYTES),
};
if (settings.stateDir !== undefined) await Deno.mkdir(settings.stateDir, { recursive: true });
const kv = await Deno.openKv(settings.kvPath ?? ":memory:");
const { executor, chains, kernelModule } = await denoSandboxPool(
  limits.operator,
  new URL("../../dist/kernels/validate.wasm", import.meta.url),
);
const failShardsOnce =
  Deno.env.get("COLWASM_TEST_HOOKS") === "1" ? Deno.env.get("COLWASM_TEST_FAIL_SHARDS") : undefined;
const { state, reduce } = kvReduceState(kv, settings.reduceShards, {
  failShardsOnce,
  idempotencyTtlMs: settings.idempotencyTtlMs,
});
const registry = await kvRegistry(kv, limits, executor);
const app = createApp({
  runtime: "deno",
  version: VERSION,
  registry,
  chains: new LocalChainService({ resolver: registry, executor: chains, reduce }),
  limits,
  auth: { adminToken: settings.adminToken, runToken: settings.runToken },
  cors: settings.corsOrigins,
  state,
  idempotency: new KvIdempotencyLedger(kv, { ttlMs: settings.idempotencyTtlMs }),
  bodyArenas: new BodyArenaPool(kernelModule),
  builtins: registry.builtinNames,
});

const server = Deno.serve(
  {
    port: settings.port,
    hostname: settings.hostname,
    onListen: ({ hostname, port }) => console.log(`colwasm (deno) listening on http://${hostname}:${port}`),
  },
  app.fetch,
);

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await server.shutdown();
  await executor.close();
  kv.close();
}
for (const signal of ["SIGINT", "SIGTERM"] as const) Deno.addSignalListener(signal, () => void stop());
await server.finished;
