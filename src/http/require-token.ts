// Bearer-token guards (spec/http-api.md §Auth): hono's bearerAuth compares in constant time; its
// HTTPExceptions become `unauthorized` problems, and a role without a token is `forbidden`.
import type { MiddlewareHandler } from "hono";
import { bearerAuth } from "hono/bearer-auth";
import { HTTPException } from "hono/http-exception";
import { ColwasmError } from "../error.ts";

/** Admin routes: 403 when no admin token is configured, 401 unless the request carries it. */
export function requireAdmin(adminToken: string | undefined): MiddlewareHandler {
  if (adminToken === undefined || adminToken === "") {
    return async function adminDisabled() {
      throw new ColwasmError(
        "forbidden",
        "Cannot use admin routes: this runtime has no admin token configured (COLWASM_ADMIN_TOKEN)",
      );
    };
  }
  return guard(bearerAuth({ token: adminToken }), "the admin token");
}

/** Run and state routes: open unless a run token is configured; the admin token also passes. */
export function requireRunner(
  runToken: string | undefined,
  adminToken: string | undefined,
): MiddlewareHandler {
  if (runToken === undefined || runToken === "") {
    return async function runOpen(_c, next) {
      await next();
    };
  }
  const tokens = adminToken === undefined || adminToken === "" ? [runToken] : [runToken, adminToken];
  return guard(bearerAuth({ token: tokens }), "the run token");
}

function guard(check: MiddlewareHandler, what: string): MiddlewareHandler {
  return async function requireToken(c, next) {
    let passed = false;
    try {
      await check(c, async () => {
        passed = true;
      });
    } catch (error) {
      if (!(error instanceof HTTPException)) throw error;
      const found =
        c.req.header("authorization") === undefined ? "no Authorization header" : "a different bearer token";
      throw new ColwasmError(
        "unauthorized",
        `Cannot authorize the request: it needs ${what} as "Authorization: Bearer <token>", found ${found}`,
      );
    }
    if (passed) await next();
  };
}
