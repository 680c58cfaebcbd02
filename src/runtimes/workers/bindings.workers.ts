// Types of the Worker's bindings (wrangler.toml): the Worker Loader, the registry and reduce shard
// Durable Object namespaces, and the COLWASM_* settings as plain string vars.
import type { OperatorRegistryObject } from "./operator-registry.workers.ts";
import type { ReduceShardObject } from "./reduce-shard.workers.ts";

/** Module of a dynamic worker: JS source, or WASM bytes compiled by the loader. */
export type WorkerModule = string | { readonly wasm: ArrayBuffer } | { readonly text: string };

/** What `env.LOADER.get` wants back from its callback (cloudflare docs: Dynamic Worker Loader). */
export interface WorkerCode {
  readonly compatibilityDate: string;
  readonly mainModule: string;
  readonly modules: Record<string, WorkerModule>;
  /** `null` blocks `fetch()` and `connect()` in the dynamic worker. */
  readonly globalOutbound: null;
}

/** The Worker Loader binding. */
export interface WorkerLoader {
  /** The isolate cached under `id`, loading `getCode` when there is none. */
  get(id: string, getCode: () => WorkerCode | Promise<WorkerCode>): WorkerStub;
  /** A fresh isolate, cached under no id (freed once unused). */
  load(code: WorkerCode): WorkerStub;
}

/** A loaded isolate. */
export interface WorkerStub {
  getEntrypoint(): { fetch(request: Request): Promise<Response> };
}

/** A Durable Object namespace whose stubs expose `T`'s RPC methods. */
export interface DurableObjectNamespace<T> {
  idFromName(name: string): unknown;
  get(id: unknown): T;
}

/** `env` of the colwasm Worker. */
export interface WorkersEnv {
  readonly LOADER: WorkerLoader;
  readonly OPERATOR_REGISTRY: DurableObjectNamespace<OperatorRegistryObject>;
  readonly REDUCE_SHARD: DurableObjectNamespace<ReduceShardObject>;
  /** Shards per reduce namespace (default 16); changing it re-partitions nothing already stored. */
  readonly REDUCE_SHARDS?: string;
  readonly [setting: `COLWASM_${string}`]: string | undefined;
}
