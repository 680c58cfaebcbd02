// Request bodies sent with a content coding (RFC 9110 §8.4): `gzip` (`x-gzip`) and `deflate` are
// decoded on entry, through the platform's DecompressionStream (workerd, Deno and Node all have
// it), so the routes and their body limits see the decoded bytes; any other coding is a 415 naming
// the codings taken in `Accept-Encoding` (RFC 9110 §12.5.3). Neither Workers nor Deno.serve decode
// request bodies themselves.
import type { MiddlewareHandler } from "hono";
import { ColwasmError } from "../error.ts";
import { HttpProblem } from "./http-problem.ts";

/** The content codings a request body may carry, as DecompressionStream names them. */
const DECODERS: Readonly<Record<string, CompressionFormat>> = {
  gzip: "gzip",
  "x-gzip": "gzip",
  deflate: "deflate",
};

/** What `Accept-Encoding` answers on a 415 (identity is always taken). */
export const ACCEPTED_CODINGS = "gzip, deflate";

/**
 * The codings of a Content-Encoding value in the order they were applied, `identity` left out.
 * Throws the 415 for a coding it cannot decode.
 */
export function contentCodings(header: string | undefined): CompressionFormat[] {
  if (header === undefined) return [];
  const codings: CompressionFormat[] = [];
  for (const part of header.split(",")) {
    const coding = part.trim().toLowerCase();
    if (coding === "" || coding === "identity") continue;
    const format = DECODERS[coding];
    if (format === undefined) {
      throw new HttpProblem(
        "unsupported-media-type",
        `Cannot read a body with Content-Encoding ${JSON.stringify(coding)}: this server decodes ${ACCEPTED_CODINGS} (or no coding)`,
        { contentEncoding: coding, accepted: ACCEPTED_CODINGS.split(", ") },
        { "accept-encoding": ACCEPTED_CODINGS },
      );
    }
    codings.push(format);
  }
  return codings;
}

/** `body` decoded through each coding, last applied first; a corrupt stream errors as a 400. */
function decodedStream(
  body: ReadableStream<Uint8Array>,
  codings: readonly CompressionFormat[],
): ReadableStream<Uint8Array> {
  let stream = body;
  for (const format of [...codings].reverse()) {
    stream = stream.pipeThrough(
      new DecompressionStream(format) as ReadableWritablePair<Uint8Array, Uint8Array>,
    );
  }
  const reader = stream.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (error) {
        controller.error(
          new ColwasmError(
            "bad-request",
            `Cannot decode the body's Content-Encoding (${codings.join(", ")}): ${error instanceof Error ? error.message : String(error)}`,
            { rule: "content-encoding" },
            { cause: error },
          ),
        );
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}

/**
 * Replaces a coded request body with its decoded bytes. The new request has no Content-Length
 * (the decoded size is not known up front), so the body limit after this counts decoded bytes: a
 * small coded body that inflates past the limit is a 413, not a buffer the size of the bomb.
 */
export function decodeContentEncoding(): MiddlewareHandler {
  return async function decodeContentEncoding(c, next) {
    const codings = contentCodings(c.req.header("content-encoding"));
    const raw = c.req.raw;
    if (codings.length > 0 && raw.body !== null) {
      const headers = new Headers(raw.headers);
      headers.delete("content-encoding");
      headers.delete("content-length");
      c.req.raw = new Request(raw.url, {
        method: raw.method,
        headers,
        body: decodedStream(raw.body, codings),
        signal: raw.signal,
        duplex: "half",
      } as RequestInit);
    }
    await next();
  };
}
