// The Deno entry end to end: real `deno run src/runtimes/deno.ts` processes (serve-deno.node.ts),
// Deno KV on a temporary state dir, ThreadExecutor deadlines, auth and limits, restart persistence.
// The tests are the runtime contract (runtime-contract.ts), shared with the Workers entry.
import { type DenoServer, serveDeno } from "../../src/runtimes/serve-deno.node.ts";
import { runtimeContract } from "./runtime-contract.ts";

runtimeContract<DenoServer>("Deno runtime (deno run src/runtimes/deno.ts)", {
  start: ({ stateDir, env }) => serveDeno({ stateDir, env, forwardOutput: false }),
  stop: (server) => server.stop(),
  moduleStorage: "is chunked across Deno KV keys (64 KiB values) and replaced in one commit",
  // the default 8 MiB is capped to what one KV commit holds (KV_MAX_MODULE_BYTES: 12 values of 64 KiB)
  moduleLimitBytes: 12 * 64 * 1024,
  largeModuleBytes: 200_000,
});
