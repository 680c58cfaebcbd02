// Content codings of request bodies (RFC 9110 §8.4): `gzip` (`x-gzip`) and `deflate` are decoded
// through the platform's DecompressionStream (workerd, Deno and Node all have it); any other coding
// is a 415 naming the codings taken in `Accept-Encoding` (RFC 9110 §12.5.3). Neither Workers nor
// Deno.serve decode request bodies themselves. Used by requestBody (request-body.ts).
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

/** `body` decoded through each coding, last applied first (its errors: decodeFailure). */
export function decodeStream(
  body: ReadableStream<Uint8Array>,
  codings: readonly CompressionFormat[],
): ReadableStream<Uint8Array> {
  let stream = body;
  for (const format of [...codings].reverse()) {
    stream = stream.pipeThrough(
      new DecompressionStream(format) as ReadableWritablePair<Uint8Array, Uint8Array>,
    );
  }
  return stream;
}

/** The problem of a decoded read that failed: the body's own failure, or a stream that does not decode. */
export function decodeFailure(codings: readonly CompressionFormat[], error: unknown): ColwasmError {
  if (error instanceof ColwasmError) return error;
  return new ColwasmError(
    "bad-request",
    `Cannot decode the body's Content-Encoding (${codings.join(", ")}): ${error instanceof Error ? error.message : String(error)}`,
    { rule: "content-encoding" },
    { cause: error },
  );
}
