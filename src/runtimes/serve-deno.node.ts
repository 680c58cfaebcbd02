// Starts the Deno entry (src/runtimes/deno.ts) as a child process from Node: used by tests,
// `colwasm serve --runtime deno` and `npm start`. Resolves once Deno prints its URL; that line is
// the handshake and is not forwarded (the caller prints the URL once, its own way).
import { type ChildProcess, spawn } from "node:child_process";
import { resolve as resolvePath } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const DENO = `${ROOT}node_modules/.bin/deno`;
const ENTRY = fileURLToPath(new URL("./deno.ts", import.meta.url));
const LISTENING = /^colwasm \(deno\) listening on (http:\/\/\S+)\r?\n$/;

/** A running Deno server. */
export interface DenoServer {
  readonly url: string;
  readonly pid: number;
  /** Stops it (SIGTERM; SIGKILL after `killAfterMs`) and waits for the process to exit. */
  stop(options?: { killAfterMs?: number }): Promise<void>;
}

/** Options of `serveDeno`. */
export interface ServeDenoOptions {
  /** 0 (default) picks a free port. */
  readonly port?: number;
  /**
   * COLWASM_STATE_DIR: where the KV file lives (relative: to this process's cwd, not to Deno's,
   * which is the repository); without it, operators live in memory.
   */
  readonly stateDir?: string;
  /** More COLWASM_* settings (tokens, limits). */
  readonly env?: Readonly<Record<string, string>>;
  /** How long to wait for the "listening on" line (first start type-checks and caches). */
  readonly startTimeoutMs?: number;
  /** Forward Deno's stdout and stderr to ours (default true). */
  readonly forwardOutput?: boolean;
}

/** Spawns `deno run ... src/runtimes/deno.ts` and resolves with its URL. */
export function serveDeno(options: ServeDenoOptions = {}): Promise<DenoServer> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...options.env,
    COLWASM_PORT: String(options.port ?? 0),
    NO_COLOR: "1",
  };
  if (options.stateDir !== undefined) env.COLWASM_STATE_DIR = resolvePath(options.stateDir);
  const args = ["run", "--allow-net", "--allow-read", "--allow-write", "--allow-env", "--unstable-kv", ENTRY];
  const child = spawn(DENO, args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  const forward = options.forwardOutput ?? true;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let stderr = "";
  child.stderr?.setEncoding("utf8").on("data", (text: string) => {
    stderr = (stderr + text).slice(-4000);
    if (forward) process.stderr.write(text);
  });
  return new Promise<DenoServer>((resolve, reject) => {
    let stdout = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`Deno did not start within ${options.startTimeoutMs ?? 30_000} ms:\n${stderr}`));
    }, options.startTimeoutMs ?? 30_000);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`Deno exited before listening (code ${code}, signal ${signal}):\n${stderr}`));
    });
    // stdout is read by whole lines until the listening line, which is consumed, not forwarded
    let isListening = false;
    child.stdout?.setEncoding("utf8").on("data", (text: string) => {
      if (isListening) {
        if (forward) process.stdout.write(text);
        return;
      }
      stdout += text;
      let end: number;
      while (!isListening && (end = stdout.indexOf("\n")) >= 0) {
        const line = stdout.slice(0, end + 1);
        stdout = stdout.slice(end + 1);
        const match = LISTENING.exec(line);
        if (match === null) {
          if (forward) process.stdout.write(line);
          continue;
        }
        isListening = true;
        clearTimeout(timer);
        resolve({
          url: match[1],
          pid: child.pid ?? -1,
          stop: (o) => stopChild(child, exited, o?.killAfterMs ?? 5000),
        });
      }
      if (isListening && stdout !== "") {
        if (forward) process.stdout.write(stdout);
        stdout = "";
      }
    });
  });
}

async function stopChild(child: ChildProcess, exited: Promise<void>, killAfterMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), killAfterMs);
  await exited;
  clearTimeout(timer);
}

// `node --import tsx src/runtimes/serve-deno.node.ts`: serve in the foreground until a signal.
if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const server = await serveDeno({
    port: Number(process.env.COLWASM_PORT ?? 8787),
    stateDir: process.env.COLWASM_STATE_DIR ?? `${ROOT}.colwasm/deno`,
  });
  console.log(`colwasm (deno) listening on ${server.url}`);
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => void server.stop());
}
