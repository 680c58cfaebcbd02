// Entry of the `colwasm` command (bin/colwasm.mjs imports it): wires the process to runCli.
// COLWASM_REPORT_RSS=1 prints the peak resident set size on exit (the streaming tests bound it).
import { fstatSync } from "node:fs";
import { runCli } from "./run-cli.ts";

// A reader that goes away (`colwasm decode ... | head`) is not an error.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(0);
  throw error;
});

/** stdin's size when it is a regular file, else undefined (a pipe or a terminal). */
function stdinByteLength(): number | undefined {
  try {
    const stat = fstatSync(0);
    return stat.isFile() ? stat.size : undefined;
  } catch (error) {
    if (error instanceof Error && "code" in error) return undefined; // no fd 0 (EBADF): no size
    throw error;
  }
}

const status = await runCli(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  stdinByteLength: stdinByteLength(),
  isStderrTTY: process.stderr.isTTY === true,
  isStdoutTTY: process.stdout.isTTY === true,
  cwd: process.cwd(),
});

if (process.env.COLWASM_REPORT_RSS === "1") {
  // resourceUsage().maxRSS is in kilobytes (getrusage ru_maxrss).
  process.stderr.write(`colwasm: maxRSS ${process.resourceUsage().maxRSS} KB\n`);
}

/** Resolves once everything written to `stream` so far has been handed to the OS. */
function flushed(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed || stream.writableEnded) resolve();
    else stream.write("", () => resolve());
  });
}

// The command is over: exit once its output is flushed, whatever handles are still open (a
// runtime that failed to start left Miniflare's, and the process then never ended).
process.exitCode = status;
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
process.exit(status);
