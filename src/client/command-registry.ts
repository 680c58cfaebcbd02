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
  { name: "encode", summary: "rows (JSONL on stdin) to a batch", load: () => import("./commands/encode.ts") },
  { name: "decode", summary: "a batch (stdin) to rows (JSONL)", load: () => import("./commands/decode.ts") },
  {
    name: "exec",
    summary: "run a chain in-process over JSONL rows",
    load: () => import("./commands/exec.ts"),
  },
];
