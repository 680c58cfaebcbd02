// Workers entry: read bindings and COLWASM_* vars, build the deps (operator registry Durable Object,
// Worker Loader chain service, bundled built-ins), createApp(deps), export fetch and the DO class.
// Deps are built once per isolate, on the first request (env only arrives with it).
import { createApp } from "../http/index.ts";
import { fuelForDeadline } from "../wasm/meter-fuel.ts";
import { readSettings } from "./deno/read-settings.ts";
import type { WorkersEnv } from "./workers/bindings.workers.ts";
import { BUILTINS } from "./workers/builtins.workers.ts";
import { LoaderChainService } from "./workers/loader-chain-service.workers.ts";
import { LoaderRegistry } from "./workers/loader-registry.workers.ts";

export { OperatorRegistry } from "./workers/operator-registry.workers.ts";

const VERSION = "0.1.0";
let app: Promise<{ fetch(request: Request, env: WorkersEnv): Response | Promise<Response> }> | undefined;

async function build(env: WorkersEnv) {
  const settings = readSettings((name) => env[name as `COLWASM_${string}`]);
  const { operator } = settings.limits;
  const fuel = operator.fuel ?? Number(env.COLWASM_FUEL ?? fuelForDeadline(operator.deadlineMs));
  const limits = { ...settings.limits, operator: { ...operator, fuel } };
  const store = () => env.OPERATOR_REGISTRY.get(env.OPERATOR_REGISTRY.idFromName("operators"));
  const registry = await LoaderRegistry.create({ loader: env.LOADER, store, builtins: BUILTINS, limits });
  return createApp({
    runtime: "workers",
    version: VERSION,
    registry,
    chains: new LoaderChainService({ loader: env.LOADER, registry, limits: limits.operator }),
    limits,
    auth: { adminToken: settings.adminToken, runToken: settings.runToken },
    builtins: registry.builtinNames,
  });
}

export default {
  async fetch(request: Request, env: WorkersEnv): Promise<Response> {
    if (app === undefined) {
      app = build(env);
      app.catch(() => (app = undefined)); // a failed start is retried on the next request
    }
    return (await app).fetch(request, env);
  },
};
