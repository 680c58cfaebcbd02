// Content-Type checks: a body of any other media type is a 415 `unsupported-media-type`.
import type { MiddlewareHandler } from "hono";
import { ColwasmError } from "../error.ts";

/** The media type of a Content-Type value, without parameters, lower case ("" when absent). */
export function mediaTypeOf(contentType: string | undefined): string {
  return (contentType ?? "").split(";")[0].trim().toLowerCase();
}

/** Rejects requests whose Content-Type is not one of `types`. */
export function requireMediaType(...types: string[]): MiddlewareHandler {
  return async function requireMediaType(c, next) {
    const found = mediaTypeOf(c.req.header("content-type"));
    if (!types.includes(found)) {
      throw new ColwasmError(
        "unsupported-media-type",
        `Cannot read a body of type ${JSON.stringify(found || "(none)")}: expected ${types.join(" or ")}`,
        { expected: types },
      );
    }
    await next();
  };
}
