// Entry of the `colwasm` command (bin/colwasm.mjs imports it): wires the process to runCli.
import { runCli } from "./run-cli.ts";

// A reader that goes away (`colwasm decode ... | head`) is not an error.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(0);
  throw error;
});

process.exitCode = await runCli(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});
