// The Deno entry end to end: real `deno run src/runtimes/deno.ts` processes (serve-deno.node.ts),
// Deno KV on a temporary state dir, ThreadExecutor deadlines, auth and limits, restart persistence.
// The tests are the runtime contract (runtime-contract.ts), shared with the Workers entry.
import { type DenoServer, serveDeno } from "../../src/runtimes/serve-deno.node.ts";
import { runtimeContract } from "./runtime-contract.ts";

runtimeContract<DenoServer>("Deno runtime (deno run src/runtimes/deno.ts)", {
  start: ({ stateDir, env }) => serveDeno({ stateDir, env, forwardOutput: false }),
  stop: (server) => server.stop(),
  moduleStorage:
    "is chunked across Deno KV keys (64 KiB values, 12 to a commit) and its entry switched in one commit",
});
