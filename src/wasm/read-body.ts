// Reads a body whose length was announced up front (Content-Length, or a runner plan) straight
// into a region of WASM memory: each chunk is copied once, to its place, with no buffer between.
import { ColwasmError } from "../error.ts";

/** A request body: bytes already in hand, or the stream of a request. */
export type BodySource = Uint8Array | ReadableStream<Uint8Array>;

/** Copies all of `source` into `region`; it must hold exactly `region.byteLength` bytes. */
export async function readBodyInto(source: BodySource, region: Uint8Array): Promise<void> {
  if (source instanceof Uint8Array) {
    if (source.byteLength !== region.byteLength) throw lengthMismatch(source.byteLength, region.byteLength);
    region.set(source); // copy: the body's one copy in
    return;
  }
  let at = 0;
  const reader = source.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (at + value.byteLength > region.byteLength) {
      await reader.cancel();
      throw lengthMismatch(at + value.byteLength, region.byteLength, "at least ");
    }
    region.set(value, at); // copy: the chunk into place
    at += value.byteLength;
  }
  if (at !== region.byteLength) throw lengthMismatch(at, region.byteLength);
}

function lengthMismatch(got: number, announced: number, atLeast = ""): ColwasmError {
  return new ColwasmError(
    "bad-request",
    `Cannot read the body: it holds ${atLeast}${got} bytes, but ${announced} were announced`,
  );
}
