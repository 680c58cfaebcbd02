// `colwasm bench` (spec/cli.md): runs the benchmark suite `bench/run.ts` (another issue builds it)
// in a child process with the same flags; until it exists, says so in one line.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ColwasmError } from "../../error.ts";
import type { Command } from "../command.ts";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const SUITE = `${ROOT}bench/run.ts`;

/** `colwasm bench [-- flags of bench/run.ts]` */
export const command: Command = {
  name: "bench",
  usage: "colwasm bench [-- flags of bench/run.ts]",
  description: "Runs the benchmark suite (bench/run.ts); results go where it writes them (bench/results).",
  flags: [],
  async run(args, io) {
    if (!existsSync(SUITE))
      throw new ColwasmError("unavailable", "Cannot run the benchmarks: bench/run.ts is not built yet");
    const child = spawn(process.execPath, ["--import", "tsx", SUITE, ...args.positionals], {
      cwd: ROOT,
      env: { ...process.env, ...io.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.pipe(io.stdout, { end: false });
    child.stderr.pipe(io.stderr, { end: false });
    const code = await new Promise<number>((resolve) => child.once("close", (c) => resolve(c ?? 1)));
    if (code !== 0)
      throw new ColwasmError("internal", `The benchmarks failed: bench/run.ts exited with status ${code}`);
  },
};
