// HEAD answers the Content-Length its GET would (RFC 9110 §9.3.2, §8.6). hono answers HEAD with
// the GET response's headers and no body; where those headers had no length (a string or stream
// body whose length the runtime computes when it sends it), Deno.serve then sends
// `content-length: 0` and workerd none. The length is taken here from the GET body instead.
import type { MiddlewareHandler } from "hono";

/** Sets Content-Length on answers to HEAD requests that lack one. */
export function headLength(): MiddlewareHandler {
  return async function headLength(c, next) {
    await next();
    if (c.req.method !== "HEAD" || c.res.body === null || c.res.headers.has("content-length")) return;
    const length = (await c.res.clone().arrayBuffer()).byteLength;
    c.res.headers.set("content-length", String(length));
  };
}
