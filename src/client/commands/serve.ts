// `colwasm serve` (spec/cli.md): runs a runtime locally until SIGINT/SIGTERM. Like an entry point,
// it reaches into src/runtimes (the one client command that does).
import { accessSync, constants, mkdirSync } from "node:fs";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ColwasmError } from "../../error.ts";
import { loadDevVars } from "../../runtimes/dev-vars.node.ts";
import { onStopSignal, startRuntime } from "../../runtimes/start-runtime.node.ts";
import { flagValue } from "../args.ts";
import type { Command } from "../command.ts";
import { UsageError } from "../usage-error.ts";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
/** The address both runtimes listen on. */
const HOST = "127.0.0.1";

/** `colwasm serve [--runtime workers|deno] [--port N] [--state DIR]` */
export const command: Command = {
  name: "serve",
  usage: "colwasm serve [--runtime workers|deno] [--port N] [--state DIR]",
  description:
    "Runs the runtime locally (workerd via Miniflare, or Deno) on 127.0.0.1 and prints its URL; Ctrl-C stops it.",
  flags: [
    { name: "runtime", value: "R", description: "workers (default) or deno" },
    { name: "port", value: "N", description: "port to listen on (default 8787; 0 picks one)" },
    {
      name: "state",
      value: "DIR",
      description: "where state persists (default: .state/<runtime> in the colwasm clone)",
    },
  ],
  async run(args, io) {
    if (args.positionals.length > 0)
      throw new UsageError(`Cannot serve: unexpected arguments ${JSON.stringify(args.positionals)}`);
    const runtime = flagValue(args, "runtime") ?? "workers";
    if (runtime !== "workers" && runtime !== "deno")
      throw new UsageError(`Cannot serve runtime ${JSON.stringify(runtime)}: use workers or deno`);
    const portText = flagValue(args, "port") ?? "8787";
    const port = Number(portText);
    if (!/^\d+$/.test(portText) || port > 65535)
      throw new UsageError(
        `Cannot listen on port ${JSON.stringify(portText)}: expected an integer from 0 to 65535`,
      );
    // a relative --state is the caller's, not the repository's (the Deno child runs in the repo)
    const state = flagValue(args, "state");
    const stateDir =
      state === undefined ? join(ROOT, ".state", runtime) : resolve(io.cwd ?? process.cwd(), state);
    // checked here, so that each failure is one line and not the runtime's own stack trace
    // (workerd's or Deno's), after which the Workers launcher also never exited
    checkStateDir(stateDir);
    if (port !== 0) await checkPortFree(port);
    const devVars = loadDevVars(join(ROOT, ".dev.vars"));
    const fromEnv = pick(io.env);
    const vars = { ...devVars, ...fromEnv };
    let server: Awaited<ReturnType<typeof startRuntime>>;
    try {
      server = await startRuntime({ runtime, port, stateDir, vars });
    } catch (error) {
      if (error instanceof ColwasmError) throw error;
      throw new ColwasmError(
        "unavailable",
        `Cannot start the ${runtime} runtime: ${firstLines(error instanceof Error ? error.message : String(error))}`,
        undefined,
        { cause: error },
      );
    }
    io.stdout.write(`colwasm (${runtime}) listening on ${server.url}\nstate: ${stateDir}\n`);
    // where the admin token comes from (never the token itself): uploads need it
    const tokenFrom = fromEnv.COLWASM_ADMIN_TOKEN
      ? "COLWASM_ADMIN_TOKEN from the environment"
      : devVars.COLWASM_ADMIN_TOKEN
        ? `COLWASM_ADMIN_TOKEN from ${join(ROOT, ".dev.vars")}`
        : "none (COLWASM_ADMIN_TOKEN is not set: admin routes answer 403)";
    io.stdout.write(`admin token: ${tokenFrom}\n`);
    await new Promise<void>((resolve) => onStopSignal(resolve));
    await server.stop();
    io.stdout.write("colwasm stopped\n");
  },
};

/** The state folder exists (made if needed) and can be written, else a one-line usage error. */
function checkStateDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (error) {
    const code = error instanceof Error && "code" in error ? String(error.code) : undefined;
    const reason =
      code === "ENOTDIR" || code === "EEXIST"
        ? `it is not a folder (${code})`
        : code === "EACCES" || code === "EPERM" || code === "EROFS"
          ? `it cannot be written (${code})`
          : error instanceof Error
            ? error.message
            : String(error);
    throw new UsageError(`Cannot keep state in ${JSON.stringify(dir)} (--state): ${reason}`, {
      cause: error,
    });
  }
}

/** Fails with one line when something already listens on HOST:`port`. */
async function checkPortFree(port: number): Promise<void> {
  const probe = createServer();
  const failure = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
    probe.once("error", (error: NodeJS.ErrnoException) => resolve(error));
    probe.listen({ port, host: HOST, exclusive: true }, () => resolve(undefined));
  });
  if (failure === undefined) {
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    return;
  }
  const why =
    failure.code === "EADDRINUSE"
      ? "the address is in use (another colwasm serve? choose another --port, or --port 0 for a free one)"
      : failure.code === "EACCES"
        ? "permission denied"
        : failure.message;
  throw new ColwasmError("unavailable", `Cannot listen on ${HOST}:${port}: ${why}`, { port });
}

/** The first two non-blank lines of a message, joined: a launcher's failure without its stack. */
function firstLines(message: string): string {
  return message
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "")
    .slice(0, 2)
    .join(" ");
}

/** The settings README lists (COLWASM_* and REDUCE_SHARDS) from the environment win over `.dev.vars`. */
function pick(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter(
      (e): e is [string, string] =>
        (e[0].startsWith("COLWASM_") || e[0] === "REDUCE_SHARDS") && e[1] !== undefined,
    ),
  );
}
