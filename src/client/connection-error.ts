// The runtime could not be reached, or the connection broke before its whole answer arrived
// (connection refused, DNS, TLS, reset, a body cut short): no problem body exists, so the client
// says which URL failed and why, in one line. A caller's own abort is never one of these: the client
// rejects with the signal's reason instead.
import { ColwasmError } from "../error.ts";

/** Codes after which a retry cannot help: the host does not exist, or its certificate is refused. */
const PERMANENT_CODE = /^(ENOTFOUND|ERR_INVALID_URL)$|CERT|TLS|SSL/;

/**
 * `fetch` itself failed, or reading the answer's body did (`duringBody`).
 *
 * `code` is the system error when one is known: `ECONNREFUSED`, `ENOTFOUND`, `ECONNRESET`,
 * `UND_ERR_SOCKET`, … Node's fetch (undici) carries it as `cause.code`. Deno's fetch carries no
 * code, so there `code` is read from the message of the error Deno raises while connecting, and
 * only for the two cases that message names reliably: `ECONNREFUSED` ("tcp connect error:
 * Connection refused") and `ENOTFOUND` ("dns error: …"); any other failure on Deno (a reset, a body
 * cut short, TLS) has `code` undefined. Browsers and Workers give no detail: `code` is undefined.
 */
export class ColwasmConnectionError extends ColwasmError {
  readonly url: string;
  readonly code: string | undefined;
  /** True when the answer's headers had arrived and its body was cut short (the answer is lost). */
  readonly duringBody: boolean;

  constructor(url: string, cause: unknown, options: { duringBody?: boolean } = {}) {
    const code = systemCode(cause) ?? denoCode(cause);
    const isBlockedPort = code === undefined && blocksPort(cause);
    const reason =
      code === "ECONNREFUSED"
        ? "connection refused (is a runtime listening there? `colwasm serve` starts one)"
        : code === "ENOTFOUND"
          ? "host not found"
          : isBlockedPort
            ? "fetch never connects to this port (a port the Fetch standard blocks: use another)"
            : describe(cause);
    const duringBody = options.duringBody === true;
    const message = duringBody
      ? `Lost the connection to ${url} while reading its answer: ${reason}`
      : `Cannot reach ${url}: ${reason}`;
    super("unavailable", message, { url, code }, { cause });
    this.name = "ColwasmConnectionError";
    this.url = url;
    this.code = code;
    this.duringBody = duringBody;
    this.#isPermanent = isBlockedPort || (code !== undefined && PERMANENT_CODE.test(code));
  }

  readonly #isPermanent: boolean;

  /**
   * True unless the failure is one a retry cannot mend (unknown host, refused certificate, a port
   * fetch blocks). Like a 503, `ColwasmClient.run` resends it only where that is safe: a request
   * whose answer was lost may have been applied (see RunOptions.retries).
   */
  get isRetryable(): boolean {
    return !this.#isPermanent;
  }
}

/**
 * fetch refuses the ports the Fetch standard blocks (1, 25, 6000, …) before connecting: Node's
 * says `bad port` (in `cause`), Deno's `Requests to port N are blocked`.
 */
function blocksPort(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 4; depth++, e = e.cause) {
    if (/^bad port$|Requests to port \d+ are blocked/i.test(e.message)) return true;
  }
  return false;
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

/**
 * Deno's fetch: `TypeError: fetch failed` whose cause is a plain Error with hyper's message,
 * `… client error (Connect): tcp connect error: Connection refused (os error 111)` or
 * `… client error (Connect): dns error: failed to lookup address information: …`. Only the connect
 * phase is classified; "actively refused" is Windows' wording of ECONNREFUSED.
 */
function denoCode(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 4; depth++, e = e.cause) {
    if (!e.message.includes("client error (Connect)")) continue;
    if (/\bdns error\b/i.test(e.message)) return "ENOTFOUND";
    if (/connection refused|actively refused/i.test(e.message)) return "ECONNREFUSED";
  }
  return undefined;
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
  return `${error.message}${cause}`.replaceAll("\n", " ");
}
