// The shape of one CLI command (spec/cli.md): its flags, help text and body. A command reads and
// writes only through CommandIo, so it never touches `process` itself.
import type { FlagSpec, ParsedArgs } from "./args.ts";

/** Where a command reads its input and writes its output. */
export interface CommandIo {
  readonly stdin: AsyncIterable<Uint8Array>;
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** stdin's size when it is a regular file (`< rows.jsonl`), for a progress bar's ETA. */
  readonly stdinByteLength?: number;
  /** True when stderr is a terminal: progress bars may be drawn there. */
  readonly isStderrTTY?: boolean;
  /**
   * True when stdout is a terminal: then no progress bar is drawn, since the rows printed there
   * would land inside it (the bar shows while output goes to a file or a pipe).
   */
  readonly isStdoutTTY?: boolean;
  /** Where relative paths start (default `process.cwd()`). */
  readonly cwd?: string;
}

/** One `colwasm <name>` command. */
export interface Command {
  readonly name: string;
  /** `colwasm encode --schema S [--format 0.1|0.12] < rows.jsonl > batch.bin` */
  readonly usage: string;
  readonly description: string;
  readonly flags: readonly FlagSpec[];
  /** Runs the command; expected failures are thrown as ColwasmError. */
  run(args: ParsedArgs, io: CommandIo): Promise<void>;
}
