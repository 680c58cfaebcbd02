// A command line that cannot be run as typed: unknown command or flag, a missing or unreadable flag
// value (`--format 0.2`, `--batch-rows 0`, `--schema '(u9)'`), a file named on the command line that
// cannot be read. The CLI exits 2 for these and 1 for everything that fails while running (bad rows
// on stdin, an operator failing, a runtime's problem, a lost connection).
import { ColwasmError, type ProblemFields, type ProblemType } from "../error.ts";

/** A mistake in the command line itself; the CLI prints it and exits with status 2. */
export class UsageError extends ColwasmError {
  /** `type` defaults to `bad-request`; a flag value's own problem (e.g. `bad-schema`) keeps its type. */
  constructor(
    message: string,
    options: { type?: ProblemType; fields?: ProblemFields; cause?: unknown } = {},
  ) {
    super(options.type ?? "bad-request", message, options.fields, { cause: options.cause });
    this.name = "UsageError";
  }
}

/**
 * `read()` of a value given on the command line: its ColwasmError (a bad schema, format or chain)
 * becomes a UsageError with the same type, message and fields, so the CLI exits 2 for it.
 *
 * @example
 * ```ts
 * import { parseFormat } from "../columnar/index.ts";
 * import { fromCommandLine } from "./usage-error.ts";
 * fromCommandLine(() => parseFormat("0.12")); // "0.12"; with "0.2" it throws a UsageError
 * ```
 */
export function fromCommandLine<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (!(error instanceof ColwasmError) || error instanceof UsageError) throw error;
    throw new UsageError(error.message, { type: error.type, fields: error.fields, cause: error });
  }
}
