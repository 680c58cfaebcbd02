// A thin Node HTTP/1.1 front for the local Workers runtime (`colwasm serve --runtime workers`,
// `npm start`). workerd's own HTTP server never answers `Expect: 100-continue`, and curl sends it
// with every body over 1 MiB, then waits a second before sending the body anyway: each large batch
// posted with curl took a second longer on Workers than on Deno. Node's server answers 100 Continue;
// everything else (method, path, end-to-end headers, body and answer as streams) passes through.
// On Cloudflare the edge in front of the Worker plays this part; tests and benchmarks of workerd
// itself connect to it directly (serve-workers.node.ts).
import {
  Agent,
  createServer,
  type IncomingMessage,
  request,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import { PROBLEM_DOCS } from "../http/problem-docs.ts";
import { PROBLEM_MEDIA_TYPE, problemPath } from "../http/problem.ts";

/** A running front. */
export interface HttpFront {
  /** Base URL without a trailing slash. */
  readonly url: string;
  /** Stops listening and closes its connections, idle or not. */
  close(): Promise<void>;
}

/** Options of `startHttpFront`. */
export interface HttpFrontOptions {
  /** The server behind it, e.g. `http://127.0.0.1:40123`. */
  readonly upstream: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly host: string;
}

// RFC 9110 §7.6.1: connection-specific fields are not forwarded; each side keeps its own
// connection (so workerd closing its side after an answer does not close the client's).
// `expect` is answered here; `host` is set from the client's below.
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "expect",
]);

/** `raw` (name, value, name, value… as `rawHeaders`) without hop-by-hop fields. */
export function endToEndHeaders(raw: readonly string[]): string[] {
  const named = new Set<string>();
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i].toLowerCase() !== "connection") continue;
    for (const token of raw[i + 1].split(",")) named.add(token.trim().toLowerCase());
  }
  const kept: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i].toLowerCase();
    if (!HOP_BY_HOP.has(name) && !named.has(name)) kept.push(raw[i], raw[i + 1]);
  }
  return kept;
}

/** Starts the front on `host:port` and resolves once it listens. */
export async function startHttpFront(options: HttpFrontOptions): Promise<HttpFront> {
  const upstream = new URL(options.upstream);
  const agent = new Agent({ keepAlive: true });
  const server: Server = createServer(
    // no whole-request deadline (Node's default is 300 s): a slow upload of a large batch is the
    // runtime's to judge (COLWASM_BODY_IDLE_MS), as it is without the front
    { requestTimeout: 0 },
    (req, res) => forward(req, res, upstream, agent),
  );
  server.on("checkContinue", (req: IncomingMessage, res: ServerResponse) => {
    res.writeContinue();
    forward(req, res, upstream, agent);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ port: options.port, host: options.host, exclusive: true }, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}`,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      agent.destroy();
      await closed;
    },
  };
}

/** Idempotent methods (RFC 9110 §9.2.2) whose requests here carry no body. */
const RESENDABLE = new Set(["GET", "HEAD", "OPTIONS", "DELETE"]);

/**
 * Whether `req` may be sent again: an idempotent method without a body (RFC 9112 §6.3), since a
 * body once streamed on cannot be sent twice.
 */
function isResendable(req: IncomingMessage): boolean {
  const length = req.headers["content-length"];
  const hasBody = req.headers["transfer-encoding"] !== undefined || (length !== undefined && length !== "0");
  return !hasBody && RESENDABLE.has(req.method ?? "");
}

/** Sends one request on to `upstream` and its answer back, both as streams. */
function forward(req: IncomingMessage, res: ServerResponse, upstream: URL, agent: Agent, attempt = 0): void {
  const out = request({
    host: upstream.hostname,
    port: upstream.port,
    method: req.method,
    path: req.url,
    headers: endToEndHeaders(req.rawHeaders),
    agent,
    setHost: false,
  });
  out.on("response", (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.statusMessage, endToEndHeaders(answer.rawHeaders));
    answer.pipe(res);
    answer.on("error", () => res.destroy());
    // an answer cut short upstream must not look complete downstream
    answer.on("aborted", () => res.destroy());
  });
  out.on("error", (error) => {
    // a kept-alive connection workerd closed as this request went out: an idempotent request
    // without a body is sent again once, on a new connection, as a browser would
    if (!res.headersSent && attempt === 0 && out.reusedSocket && isResendable(req)) {
      forward(req, res, upstream, agent, 1);
      return;
    }
    if (res.headersSent) {
      // the answer has begun: drop the rest of the body so the client's connection stays usable
      // when the answer completes, and cut the answer if it had not
      req.unpipe(out);
      req.resume();
      if (!res.writableFinished && !res.writableEnded) res.destroy();
      return;
    }
    req.unpipe(out);
    req.resume();
    // the runtime's own type for a platform part that is down: clients retry it like any 503
    const problem = {
      type: problemPath("unavailable"),
      title: PROBLEM_DOCS.unavailable.title,
      status: 503,
      detail: `The local Workers runtime (workerd) did not answer: ${error.message}`,
    };
    res.writeHead(503, { "content-type": PROBLEM_MEDIA_TYPE, connection: "close" });
    res.end(JSON.stringify(problem));
  });
  // a client gone before its answer completed: stop the work upstream
  res.on("close", () => {
    if (!res.writableFinished) out.destroy();
  });
  req.pipe(out);
}
