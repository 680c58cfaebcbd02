// Body size limits (spec/http-api.md §Auth and limits) with hono's bodyLimit, which checks
// Content-Length up front and counts streamed bodies; overruns become `too-large` problems.
import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { ColwasmError } from "../error.ts";

/** Rejects bodies over `maxBytes` with 413 `too-large`; `what` names the body in the detail. */
export function limitBody(maxBytes: number, what: string): MiddlewareHandler {
  return bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new ColwasmError(
        "too-large",
        `Cannot accept the ${what}: it is over the limit of ${maxBytes} bytes`,
        { limitBytes: maxBytes },
      );
    },
  });
}
