// workerd closes a connection whose request body was not read by the time the Worker answered, so
// a client's next request on that keep-alive connection fails ("other side closed"): any answer
// given before the body is read (a 400 for a bad query or header, 401, 404, 405, 413, 415 …).
// Reading what is left of a body first keeps the connection usable; a very large one is cancelled
// and the connection closes, which is cheaper than reading it (RFC 9112 §9.6 allows either).

/**
 * Bodies up to this size at least are read to their end when the app answered without reading
 * them (the entry raises it to twice its body limits): a client still sending a body over the
 * limit then reads its 413 instead of a reset.
 */
export const DRAIN_MAX_BYTES = 32 << 20;

/** Reads what is left of `request`'s body, up to `maxBytes`; beyond that it is cancelled. */
export async function drainUnreadBody(request: Request, maxBytes = DRAIN_MAX_BYTES): Promise<void> {
  const body = request.body;
  if (body === null || request.bodyUsed || body.locked) return;
  // A client that sent `Expect: 100-continue` sends no body until it hears 100, which workerd
  // never sends: draining would hold the answer until the client gives up waiting (curl: 1 s; some
  // clients never). The final status goes at once instead (RFC 9110 §10.1.1) and the connection
  // closes after it.
  if (request.headers.get("expect")?.toLowerCase() === "100-continue") return;
  const announced = Number(request.headers.get("content-length") ?? 0);
  if (announced > maxBytes) {
    await body.cancel().catch(() => undefined);
    return;
  }
  const reader = body.getReader();
  let read = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      read += value.byteLength;
      if (read > maxBytes) {
        await reader.cancel();
        return;
      }
    }
  } catch {
    // the client went away while sending: nothing to keep
  }
}
