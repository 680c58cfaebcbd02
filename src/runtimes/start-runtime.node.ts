// Starts either runtime locally from Node with one interface: workerd through Miniflare with
// persisted Durable Objects, or Deno (from npm) with Deno KV. Used by `colwasm serve` and `npm start`.
// workerd listens on a free loopback port behind the HTTP front (http-front.node.ts), which takes
// the port asked for.
import { startHttpFront } from "./http-front.node.ts";
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
  /** Workers only: the bundle to serve (default dist/worker). */
  readonly bundleDir?: string;
}

/** Starts the chosen runtime and resolves once it listens. */
export async function startRuntime(options: StartRuntimeOptions): Promise<LocalRuntime> {
  if (options.runtime === "deno") {
    const deno = await serveDeno({ port: options.port, stateDir: options.stateDir, env: options.vars });
    return { url: deno.url, stop: () => deno.stop() };
  }
  const signals = ["SIGINT", "SIGTERM"] as const;
  const before = new Set(signals.flatMap((signal) => process.listeners(signal)));
  const mf = await serveWorkers({
    stateDir: options.stateDir,
    vars: options.vars,
    bundleDir: options.bundleDir,
  });
  // Miniflare ends the process on SIGINT/SIGTERM (status 130/143) before its host can stop in
  // order (`colwasm serve` then never said it stopped); the host stops it with `stop()`. Its exit
  // hook stays: whatever ends the process, workerd is killed with it.
  for (const signal of signals)
    for (const listener of process.listeners(signal))
      if (!before.has(listener)) process.removeListener(signal, listener);
  let front;
  try {
    front = await startHttpFront({ upstream: mf.url, port: options.port, host: "127.0.0.1" });
  } catch (error) {
    await mf.dispose();
    throw error;
  }
  return {
    url: front.url,
    stop: async () => {
      await front.close();
      await mf.dispose();
    },
  };
}

/**
 * Calls `stop` on the first SIGINT or SIGTERM (stop the runtime in order); a second one while it
 * stops ends the process at once, status 130 or 143 (the 'exit' event still lets Miniflare's hook
 * end workerd). The listeners stay, so no signal falls to the default action mid-stop.
 */
export function onStopSignal(stop: () => void): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) process.exit(signal === "SIGINT" ? 130 : 143);
    stopping = true;
    stop();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
}
