// The `colwasm` dispatcher (spec/cli.md): finds the command in the registry, parses its flags and
// turns every failure into one stderr line `title: detail` and a non-zero exit status.
import { ColwasmError } from "../error.ts";
import { VERSION } from "../version.ts";
import { formatFlags, parseArgs } from "./args.ts";
import type { CommandIo } from "./command.ts";
import { ColwasmClientError } from "./client-error.ts";
import { COMMANDS } from "./command-registry.ts";
import { UsageError } from "./usage-error.ts";

/** `bad-batch` -> `Bad batch`: the problem's title as the CLI prints it. */
function problemTitle(type: string): string {
  return type.charAt(0).toUpperCase() + type.slice(1).replaceAll("-", " ");
}

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `Usage: colwasm <command> [flags]\n\nCommands:\n${lines.join("\n")}\n\nRun "colwasm <command> --help" for a command's flags, "colwasm --version" for the version.\n`;
}

async function dispatch(argv: readonly string[], io: CommandIo): Promise<void> {
  const [name, ...rest] = argv;
  // `colwasm help run` is `colwasm run --help`
  if (name === "help" && rest.length > 0) return dispatch([rest[0], "--help"], io);
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    io.stdout.write(overview());
    return;
  }
  if (name === "--version" || name === "-V" || name === "version") {
    io.stdout.write(`colwasm ${VERSION}\n`);
    return;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (entry === undefined) {
    const names = COMMANDS.map((c) => c.name).join(", ");
    throw new UsageError(`Cannot run "colwasm ${name}": unknown command (commands: ${names})`);
  }
  const { command } = await entry.load();
  const args = parseArgs(rest, command.flags);
  if (args.isHelp) {
    io.stdout.write(
      `Usage: ${command.usage}\n\n${command.description}\n\nFlags:\n${formatFlags(command.flags)}\n`,
    );
    return;
  }
  await command.run(args, io);
}

/** For a 401 when the environment has no token at all: which variable the CLI reads it from. */
function tokenHint(error: ColwasmError, env: CommandIo["env"]): string {
  if (!(error instanceof ColwasmClientError) || error.status !== 401) return "";
  if (env.COLWASM_RUN_TOKEN || env.COLWASM_ADMIN_TOKEN) return "";
  return " (no token was sent: COLWASM_RUN_TOKEN, else COLWASM_ADMIN_TOKEN, is not set)";
}

/**
 * "Title: detail", unless the detail already opens with the title's words around a name, as an
 * operator's failure does (`Operator "x" failed: …` under "Operator failed"): then the detail alone,
 * which says it once.
 */
function headed(title: string, detail: string): string {
  // a runtime's title is its own text: taken literally
  const [first, ...rest] = title.split(" ").map((word) => word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  const opensWithTitle =
    rest.length > 0 && new RegExp(`^${first} "[^"]*" ${rest.join(" ")}: `, "i").test(detail);
  return opensWithTitle ? detail : `${title}: ${detail}`;
}

/** Runs one command line; resolves to the exit status (0 ok, 1 failure, 2 bad command line). */
export async function runCli(argv: readonly string[], io: CommandIo): Promise<number> {
  try {
    await dispatch(argv, io);
    return 0;
  } catch (error) {
    if (!(error instanceof ColwasmError)) {
      // A bug, not a bad input: say so in one line; the stack only on request.
      const detail = error instanceof Error ? error.message : String(error);
      io.stderr.write(`Internal: ${detail.replaceAll("\n", " ")}\n`);
      if (io.env.COLWASM_DEBUG && error instanceof Error) io.stderr.write(`${error.stack}\n`);
      return 1;
    }
    // A runtime's problem keeps its own title (RFC 9457); local failures get one from their type.
    const title = error instanceof ColwasmClientError ? error.title : problemTitle(error.type);
    io.stderr.write(`${headed(title, error.message.replaceAll("\n", " "))}${tokenHint(error, io.env)}\n`);
    return error instanceof UsageError ? 2 : 1;
  }
}
