// A command line that cannot be run as typed (unknown command or flag, missing value): `bad-request`.
import { ColwasmError } from "../error.ts";

/** A mistake in the command line itself; the CLI prints it and exits with status 2. */
export class UsageError extends ColwasmError {
  constructor(message: string) {
    super("bad-request", message);
    this.name = "UsageError";
  }
}
