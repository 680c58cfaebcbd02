// `colwasm serve` (spec/cli.md): runs a runtime locally until SIGINT/SIGTERM. Like an entry point,
// it reaches into src/runtimes (the one client command that does).
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { loadDevVars } from "../../runtimes/dev-vars.node.ts";
import { startRuntime } from "../../runtimes/start-runtime.node.ts";
import { flagValue } from "../args.ts";
import type { Command } from "../command.ts";
import { UsageError } from "../usage-error.ts";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** `colwasm serve [--runtime workers|deno] [--port N] [--state DIR]` */
export const command: Command = {
  name: "serve",
  usage: "colwasm serve [--runtime workers|deno] [--port N] [--state DIR]",
  description: "Runs the runtime locally (workerd via Miniflare, or Deno) and prints its URL.",
  flags: [
    { name: "runtime", value: "R", description: "workers (default) or deno" },
    { name: "port", value: "N", description: "port to listen on (default 8787; 0 picks one)" },
    { name: "state", value: "DIR", description: "where state persists (default .state/<runtime>)" },
  ],
  async run(args, io) {
    const runtime = flagValue(args, "runtime") ?? "workers";
    if (runtime !== "workers" && runtime !== "deno")
      throw new UsageError(`Cannot serve runtime ${JSON.stringify(runtime)}: use workers or deno`);
    const port = Number(flagValue(args, "port") ?? 8787);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new UsageError(`Cannot listen on port ${JSON.stringify(flagValue(args, "port"))}`);
    // a relative --state is the caller's, not the repository's (the Deno child runs in the repo)
    const state = flagValue(args, "state");
    const stateDir =
      state === undefined ? join(ROOT, ".state", runtime) : resolve(io.cwd ?? process.cwd(), state);
    const vars = { ...loadDevVars(join(ROOT, ".dev.vars")), ...pick(io.env) };
    const server = await startRuntime({ runtime, port, stateDir, vars });
    io.stdout.write(`colwasm (${runtime}) listening on ${server.url}\nstate: ${stateDir}\n`);
    await new Promise<void>((resolve) => {
      process.once("SIGINT", resolve);
      process.once("SIGTERM", resolve);
    });
    await server.stop();
    io.stdout.write("colwasm stopped\n");
  },
};

/** The settings README lists (COLWASM_* and REDUCE_SHARDS) from the environment win over `.dev.vars`. */
function pick(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter(
      (e): e is [string, string] =>
        (e[0].startsWith("COLWASM_") || e[0] === "REDUCE_SHARDS") && e[1] !== undefined,
    ),
  );
}
