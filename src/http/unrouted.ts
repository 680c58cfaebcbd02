// What a request no route handles gets (RFC 9110 §15.5.5, §15.5.6, §9.3.7): a path that exists
// with other methods answers 405 `method-not-allowed` with `Allow`, or 204 with `Allow` to
// OPTIONS; any other path answers 404 `not-found`. HEAD is served by hono wherever GET is.
import type { Context, Hono, NotFoundHandler } from "hono";
import { TrieRouter } from "hono/router/trie-router";
import type { AppEnv } from "./app-env.ts";
import { HttpProblem } from "./http-problem.ts";

/** Methods a route may be registered for, in the order `Allow` lists them. */
const ROUTE_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"] as const;

/**
 * The `notFound` handler of `app`: called once no route matched the method and path. The routes are
 * read from `app` when first needed, so call it after every route is registered or not: either works.
 */
export function answerUnrouted(app: Hono<AppEnv>): NotFoundHandler<AppEnv> {
  let router: TrieRouter<string> | undefined;
  /** The methods some route takes at `path`, HEAD with GET, OPTIONS last when any. */
  function allowedAt(path: string): string[] {
    if (router === undefined) {
      router = new TrieRouter<string>();
      // Middleware (`app.use`) is registered for "ALL": it handles no method by itself.
      for (const route of app.routes)
        if (route.method !== "ALL") router.add(route.method, route.path, route.method);
    }
    const found = router;
    const methods = ROUTE_METHODS.filter((m) =>
      found.match(m === "HEAD" ? "GET" : m, path)[0].some(([routeMethod]) => routeMethod !== "ALL"),
    );
    return methods.length === 0 ? [] : [...methods, "OPTIONS"];
  }

  return function unrouted(c: Context<AppEnv>): Response {
    const path = c.req.path;
    const allowed = allowedAt(path);
    if (allowed.length === 0) {
      throw new HttpProblem("not-found", `Cannot find ${JSON.stringify(path)}: no route has this path`, {
        path,
      });
    }
    const allow = allowed.join(", ");
    if (c.req.method === "OPTIONS") return c.body(null, 204, { allow });
    throw new HttpProblem(
      "method-not-allowed",
      `Cannot ${c.req.method} ${JSON.stringify(path)}: this path takes ${allow}`,
      { method: c.req.method, allow: allowed },
      { allow },
    );
  };
}
