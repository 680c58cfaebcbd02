// Starts either runtime locally from Node with one interface: workerd through Miniflare with
// persisted Durable Objects, or Deno (from npm) with Deno KV. Used by `colwasm serve` and `npm start`.
import { serveDeno } from "./serve-deno.node.ts";
import { serveWorkers } from "./serve-workers.node.ts";

/** A local runtime. */
export interface LocalRuntime {
  readonly url: string;
  stop(): Promise<void>;
}

/** Options of `startRuntime`. */
export interface StartRuntimeOptions {
  readonly runtime: "workers" | "deno";
  readonly port: number;
  readonly stateDir: string;
  readonly vars: Readonly<Record<string, string>>;
}

/** Starts the chosen runtime and resolves once it listens. */
export async function startRuntime(options: StartRuntimeOptions): Promise<LocalRuntime> {
  if (options.runtime === "deno") {
    const deno = await serveDeno({ port: options.port, stateDir: options.stateDir, env: options.vars });
    return { url: deno.url, stop: () => deno.stop() };
  }
  const mf = await serveWorkers({ port: options.port, stateDir: options.stateDir, vars: options.vars });
  return { url: mf.url, stop: () => mf.dispose() };
}
