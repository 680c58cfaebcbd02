// The CLI's own argument parser: `--flag value`, `--flag=value`, boolean flags, `--help` anywhere,
// `--` to end flags. Each command declares its flags; anything else is a UsageError.
import { UsageError } from "./usage-error.ts";
import { DEFAULT_RUN_ROWS } from "./run-rows.ts";

/** One flag a command accepts. */
export interface FlagSpec {
  /** Name without dashes: `schema` for `--schema`. */
  readonly name: string;
  /** Placeholder of the value in help (`S`); absent for a boolean flag. */
  readonly value?: string;
  readonly description: string;
}

/** A parsed command line: flag values (`true` for boolean flags) and positional arguments. */
export interface ParsedArgs {
  readonly flags: ReadonlyMap<string, string | true>;
  readonly positionals: readonly string[];
  readonly isHelp: boolean;
}

/**
 * Parses `argv` (the words after the command name) against `specs`.
 *
 * @example
 * ```ts
 * import { parseArgs } from "./args.ts";
 * const args = parseArgs(["--schema=u8", "x"], [{ name: "schema", value: "S", description: "" }]);
 * args.flags.get("schema"); // "u8"
 * ```
 */
export function parseArgs(argv: readonly string[], specs: readonly FlagSpec[]): ParsedArgs {
  const flags = new Map<string, string | true>();
  const positionals: string[] = [];
  let isHelp = false;
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i];
    if (word === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (word === "--help" || word === "-h") {
      isHelp = true;
      continue;
    }
    if (!word.startsWith("--")) {
      // `-f`: a short flag, which no command has (`-` alone is stdin, `-1` a number)
      if (/^-[^-\d]/.test(word))
        throw new UsageError(
          `Cannot read flag "${word}": unknown flag (flags are spelled out: ${specs.map((s) => `--${s.name}`).join(", ") || "none"}, --help)`,
        );
      positionals.push(word);
      continue;
    }
    const eq = word.indexOf("=");
    const name = word.slice(2, eq < 0 ? undefined : eq);
    const spec = specs.find((s) => s.name === name);
    if (spec === undefined) {
      const known = specs.map((s) => `--${s.name}`).join(", ") || "none";
      throw new UsageError(`Cannot read flag "--${name}": unknown flag (flags: ${known}, --help)`);
    }
    if (flags.has(name)) throw new UsageError(`Cannot read flag "--${name}": it is given twice`);
    if (spec.value === undefined) {
      if (eq >= 0) throw new UsageError(`Cannot read flag "--${name}": it takes no value`);
      flags.set(name, true);
    } else if (eq >= 0) {
      flags.set(name, word.slice(eq + 1));
    } else {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith("--")) {
        throw new UsageError(`Cannot read flag "--${name}": expected a value (${spec.value}) after it`);
      }
      flags.set(name, value);
      i++;
    }
  }
  return { flags, positionals, isHelp };
}

/** The value of a flag that takes one, or `undefined` when absent. */
export function flagValue(args: ParsedArgs, name: string): string | undefined {
  const value = args.flags.get(name);
  return typeof value === "string" ? value : undefined;
}

/** The value of a flag the command cannot run without. */
export function requireFlag(args: ParsedArgs, name: string): string {
  const value = flagValue(args, name);
  if (value === undefined) throw new UsageError(`Cannot run: the flag "--${name}" is required`);
  return value;
}

/** Help lines of a flag list, aligned (`  none` for a command without flags). */
export function formatFlags(specs: readonly FlagSpec[]): string {
  if (specs.length === 0) return "  none";
  const heads = specs.map((s) => `--${s.name}${s.value === undefined ? "" : ` ${s.value}`}`);
  const width = Math.max(0, ...heads.map((h) => h.length));
  return specs.map((s, k) => `  ${heads[k].padEnd(width)}  ${s.description}`).join("\n");
}

/** Rows per batch of `run` and `exec` unless `--batch-rows` says otherwise (spec/cli.md): runRows's. */
export const DEFAULT_BATCH_ROWS = DEFAULT_RUN_ROWS;

/** An integer flag's value (`fallback` when absent); anything but an integer >= `min` is a UsageError. */
export function integerFlag(args: ParsedArgs, name: string, fallback: number, min: number): number {
  const text = flagValue(args, name);
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < min)
    throw new UsageError(
      `Cannot read flag "--${name}": expected an integer >= ${min}, found ${JSON.stringify(text)}`,
    );
  return n;
}
