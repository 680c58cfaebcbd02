// Which runtime a command talks to and with which token (spec/cli.md): `--url`, else COLWASM_URL,
// else http://127.0.0.1:8787; admin commands send COLWASM_ADMIN_TOKEN, runs and reads send
// COLWASM_RUN_TOKEN (else the admin token, which the runtime also accepts there).
import { flagValue, type FlagSpec, type ParsedArgs } from "./args.ts";
import { ColwasmClient } from "./colwasm-client.ts";
import type { CommandIo } from "./command.ts";
import { UsageError } from "./usage-error.ts";

/** The default runtime URL (`colwasm serve`'s default port). */
export const DEFAULT_URL = "http://127.0.0.1:8787";

/** The `--url` flag every networked command accepts. */
export const URL_FLAG: FlagSpec = {
  name: "url",
  value: "U",
  description: `runtime URL (default $COLWASM_URL, then ${DEFAULT_URL})`,
};

/** A client for the runtime the command line and environment name, with the token of `role`. */
export function clientFromEnv(args: ParsedArgs, io: CommandIo, role: "run" | "admin"): ColwasmClient {
  const url = flagValue(args, "url") ?? io.env.COLWASM_URL ?? DEFAULT_URL;
  if (!/^https?:\/\/[^/\s]+/.test(url))
    throw new UsageError(`Cannot use the runtime URL ${JSON.stringify(url)}: expected http://host[:port]`);
  const admin = io.env.COLWASM_ADMIN_TOKEN;
  // admin routes always need the token (spec/http-api.md: 401 without one, 403 when the runtime
  // has none): without it the request could only be refused, so say what is missing instead
  if (role === "admin" && (admin === undefined || admin === ""))
    throw new UsageError(
      "Cannot send an admin request: COLWASM_ADMIN_TOKEN is not set (export the runtime's admin token; colwasm serve reads it from the environment or the clone's .dev.vars)",
      { type: "unauthorized" },
    );
  const token = role === "admin" ? admin : (io.env.COLWASM_RUN_TOKEN ?? admin);
  return new ColwasmClient(url, { token: token === "" ? undefined : token });
}
