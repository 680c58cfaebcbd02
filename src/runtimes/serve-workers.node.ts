// Starts the Workers runtime on real workerd through Miniflare, on a real port, from Node: used by
// tests, `colwasm serve --runtime workers` and `npm start`. Needs `scripts/build-worker.ts` first
// (dist/worker/main.js); uploaded operators persist in Durable Object storage under `stateDir`.
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Miniflare } from "miniflare";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BUNDLE_DIR = `${ROOT}dist/worker`;

/** A running Miniflare. */
export interface WorkersServer {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:40123`. */
  readonly url: string;
  /** Stops workerd (also mid-loop) and frees the port. */
  dispose(): Promise<void>;
  /**
   * The stub of Durable Object `name` of `binding`, called over RPC from Node (Miniflare's proxy):
   * lets tests read what storage holds where no route shows it. `T` is the object's RPC surface.
   */
  durableObject<T>(binding: string, name: string): Promise<T>;
}

/** Options of `serveWorkers`. */
export interface ServeWorkersOptions {
  /** 0 (default) picks a free port. */
  readonly port?: number;
  readonly host?: string;
  /**
   * Where Durable Object SQLite files live (relative: to this process's cwd); without it, storage
   * is in memory.
   */
  readonly stateDir?: string;
  /** Where scripts/build-worker.ts put the bundle (`--out`); default dist/worker. */
  readonly bundleDir?: string;
  /** COLWASM_* vars (tokens, limits, COLWASM_TEST_HOOKS) and REDUCE_SHARDS. */
  readonly vars?: Readonly<Record<string, string>>;
}

/** Starts Miniflare over dist/worker and resolves once it listens. */
export async function serveWorkers(options: ServeWorkersOptions = {}): Promise<WorkersServer> {
  const bundleDir = options.bundleDir ?? BUNDLE_DIR;
  const bundle = `${bundleDir}/main.js`;
  if (!existsSync(bundle))
    throw new Error(
      `Cannot start the Workers runtime: ${bundle} is missing (run node --import tsx scripts/build-worker.ts)`,
    );
  const mf = new Miniflare({
    // a stable name: DO storage folders are named after it (docs/runtime-notes.md §3)
    name: "colwasm",
    scriptPath: bundle,
    modules: true,
    modulesRoot: bundleDir,
    modulesRules: [
      { type: "CompiledWasm", include: ["**/*.wasm"] },
      { type: "Data", include: ["**/*.bin"] },
    ],
    compatibilityDate: "2026-04-01",
    compatibilityFlags: ["nodejs_compat"],
    workerLoaders: { LOADER: {} },
    durableObjects: {
      OPERATOR_REGISTRY: { className: "OperatorRegistry", useSQLite: true },
      REDUCE_SHARD: { className: "ReduceShard", useSQLite: true },
    },
    durableObjectsPersist: options.stateDir === undefined ? false : resolve(options.stateDir),
    bindings: { ...options.vars },
    port: options.port ?? 0,
    host: options.host ?? "127.0.0.1",
  });
  const url = await mf.ready;
  return {
    url: url.href.replace(/\/$/, ""),
    dispose: () => mf.dispose(),
    async durableObject<T>(binding: string, name: string): Promise<T> {
      const namespace = await mf.getDurableObjectNamespace(binding);
      return namespace.get(namespace.idFromName(name)) as unknown as T;
    },
  };
}
