// The runtime could not be reached at all (connection refused, DNS, TLS, abort): no problem body
// exists, so the client says which URL failed and why, in one line.
import { ColwasmError } from "../error.ts";

/** `fetch` itself failed; `code` is the system error when one is known (`ECONNREFUSED`). */
export class ColwasmConnectionError extends ColwasmError {
  readonly url: string;
  readonly code: string | undefined;

  constructor(url: string, cause: unknown) {
    const code = systemCode(cause);
    const reason =
      code === "ECONNREFUSED"
        ? "connection refused (is a runtime listening there? `colwasm serve` starts one)"
        : code === "ENOTFOUND"
          ? "host not found"
          : describe(cause);
    super("unavailable", `Cannot reach ${url}: ${reason}`, { url, code }, { cause });
    this.name = "ColwasmConnectionError";
    this.url = url;
    this.code = code;
  }
}

/** Node's fetch (undici) nests the system error: `TypeError: fetch failed` with `cause.code`. */
function systemCode(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 4; depth++) {
    if ("code" in e && typeof e.code === "string") return e.code;
    const nested: unknown = e.cause;
    if (nested instanceof AggregateError && nested.errors.length > 0) e = nested.errors[0];
    else e = nested;
  }
  return undefined;
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
  return `${error.message}${cause}`.replaceAll("\n", " ");
}
