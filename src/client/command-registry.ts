// Every `colwasm` command, loaded on demand so a command's dependencies cost nothing to the others.
// Adding a command = a file in commands/ exporting `command`, plus one line here.
import type { Command } from "./command.ts";

/** One registered command: its name, a one-line summary for `colwasm --help`, and its module. */
export interface CommandEntry {
  readonly name: string;
  readonly summary: string;
  readonly load: () => Promise<{ readonly command: Command }>;
}

/** Commands in the order `colwasm --help` lists them (spec/cli.md). */
export const COMMANDS: readonly CommandEntry[] = [
  {
    name: "serve",
    summary: "run a runtime locally (workers or deno)",
    load: () => import("./commands/serve.ts"),
  },
  { name: "encode", summary: "rows (JSONL on stdin) to a batch", load: () => import("./commands/encode.ts") },
  { name: "decode", summary: "a batch (stdin) to rows (JSONL)", load: () => import("./commands/decode.ts") },
  {
    name: "exec",
    summary: "run a chain in-process over JSONL rows",
    load: () => import("./commands/exec.ts"),
  },
  { name: "new", summary: "scaffold an AssemblyScript operator", load: () => import("./commands/new.ts") },
  {
    name: "build",
    summary: "build an operator folder to .wasm with its manifest",
    load: () => import("./commands/build.ts"),
  },
  {
    name: "run",
    summary: "stream rows through a chain on a runtime",
    load: () => import("./commands/run.ts"),
  },
  { name: "push", summary: "upload an operator (admin token)", load: () => import("./commands/push.ts") },
  { name: "ops", summary: "list a runtime's operators", load: () => import("./commands/ops.ts") },
  { name: "state", summary: "read (or drop) a reduce namespace", load: () => import("./commands/state.ts") },
  {
    name: "bench",
    summary: "run the benchmark suite (bench/run.ts)",
    load: () => import("./commands/bench.ts"),
  },
];
