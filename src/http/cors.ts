// Cross-origin access for browser pages (Fetch standard, CORS protocol), off unless configured with
// COLWASM_CORS_ORIGINS. Tokens travel in `Authorization`, never in cookies, so answers carry no
// `Access-Control-Allow-Credentials`, and a listed origin may send any request header. Preflights
// are answered by the app's OPTIONS handling (204 with `Allow` where the path exists, 404 where it
// does not), with the CORS fields added here, so a preflight needs no token and an unknown path
// still fails. Every answer to an allowed origin, problems included, lets the page read it.
import type { MiddlewareHandler } from "hono";

/** Which origins may read answers: all (`*`) or those listed (`https://app.example.com`). */
export type CorsOrigins = "*" | readonly string[];

/** Answer fields a page may read beyond the CORS-safelisted ones. */
const EXPOSED = [
  "Columnar-Schema",
  "Columnar-Format",
  "Server-Timing",
  "Colwasm-Copied-Bytes",
  "Colwasm-Reduce-Shard-Calls",
  "X-Request-Id",
  "Retry-After",
  "Allow",
].join(", ");

/** How long a browser may reuse a preflight's answer (Chromium caps it at 2 h). */
const PREFLIGHT_MAX_AGE_S = 7200;

/** Adds the CORS fields for `origins`; a no-op without them. */
export function cors(origins: CorsOrigins | undefined): MiddlewareHandler {
  if (origins === undefined) return async (_c, next) => next();
  const isAny = origins === "*";
  return async function cors(c, next) {
    await next();
    const origin = c.req.header("origin");
    const headers = c.res.headers;
    // a list answers each origin differently: caches must key on it, allowed or not
    if (!isAny) headers.append("vary", "Origin");
    if (origin === undefined || !(isAny || origins.includes(origin))) return;
    const allowed = isAny ? "*" : origin;
    headers.set("access-control-allow-origin", allowed);
    const method = c.req.header("access-control-request-method");
    if (c.req.method === "OPTIONS" && method !== undefined) {
      // a preflight; the path's own methods are in `Allow` when it exists (a 204)
      if (c.res.status !== 204) return;
      headers.set("access-control-allow-methods", headers.get("allow") ?? method);
      const asked = c.req.header("access-control-request-headers");
      if (asked !== undefined && asked !== "") headers.set("access-control-allow-headers", asked);
      headers.set("access-control-max-age", String(PREFLIGHT_MAX_AGE_S));
      // Private Network Access: a public page calling a runtime on localhost or the LAN
      if (c.req.header("access-control-request-private-network") === "true")
        headers.set("access-control-allow-private-network", "true");
      if (!isAny) headers.append("vary", "Access-Control-Request-Method, Access-Control-Request-Headers");
      return;
    }
    headers.set("access-control-expose-headers", EXPOSED);
    // lets the page's Resource Timing see the Server-Timing entries
    headers.set("timing-allow-origin", allowed);
  };
}

/**
 * Parses COLWASM_CORS_ORIGINS: unset or empty is off, `*` is any origin, else comma-separated
 * origins (scheme, host and port only). Throws naming the variable on anything else.
 */
export function parseCorsOrigins(text: string | undefined): CorsOrigins | undefined {
  if (text === undefined || text.trim() === "") return undefined;
  if (text.trim() === "*") return "*";
  return text.split(",").map((item) => {
    const origin = item.trim();
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    if (parsed === undefined || parsed.origin === "null" || parsed.origin !== origin)
      throw new Error(
        `COLWASM_CORS_ORIGINS must be "*" or comma-separated origins such as https://app.example.com (scheme, host and optional port; no path or trailing slash), got ${JSON.stringify(origin)}`,
      );
    return origin;
  });
}
