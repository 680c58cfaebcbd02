// Where a command reads its input: the FILE argument (`-` or none: stdin). A file's size is known,
// so a progress bar can show how far it got; stdin's is known when it is a redirected file.
import { createReadStream, statSync } from "node:fs";
import { resolve } from "node:path";
import type { CommandIo } from "./command.ts";
import { UsageError } from "./usage-error.ts";

/** The input's chunks, and its size in bytes when known. */
export interface CommandInput {
  readonly chunks: AsyncIterable<Uint8Array>;
  readonly byteLength?: number;
}

/**
 * The input named by `positionals` (at most one FILE; none or `-` is stdin). A missing or
 * unreadable file, or more than one argument, is a UsageError (the command line names them).
 */
export function openInput(positionals: readonly string[], io: CommandIo, command: string): CommandInput {
  const [file, ...extra] = positionals;
  if (extra.length > 0)
    throw new UsageError(
      `Cannot ${command}: unexpected arguments ${JSON.stringify(extra)} (expected at most one input FILE)`,
    );
  if (file === undefined || file === "-") return { chunks: io.stdin, byteLength: io.stdinByteLength };
  const path = resolve(io.cwd ?? ".", file);
  let byteLength: number;
  try {
    const stat = statSync(path);
    if (stat.isDirectory()) throw new Error("it is a folder");
    byteLength = stat.size;
  } catch (error) {
    throw new UsageError(
      `Cannot read input ${JSON.stringify(file)}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return { chunks: createReadStream(path, { highWaterMark: 1 << 16 }), byteLength };
}
