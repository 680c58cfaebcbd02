// The request body as a route reads it (runs and uploads): decoded from its Content-Encoding,
// counted against the route's limit, and failed reads turned into problems. Replaces the request
// with one whose body is a guarded stream, opened on the first read, so a body nothing reads stays
// untouched (the Workers entry reads such bodies after answering, to keep the connection).
//
// Past the limit, an uncoded body is read and dropped up to twice the limit (at least 32 MiB)
// before it is cancelled: a client still sending then reads its 413 on a connection that stays
// usable (cancelling at once left Deno connections half-read and open, and reset workerd ones). A
// coded body is cancelled at once: dropping it would mean inflating it. A read that fails (a
// client gone mid-body, broken chunked framing) is a 400, not an internal error; a body that
// sends nothing for the idle time is a 408 (Deno.serve has no timeout of its own: a stalled
// client held its request, arena and connection for good).
import type { MiddlewareHandler } from "hono";
import { ColwasmError } from "../error.ts";
import { contentCodings, decodeFailure, decodeStream } from "./decode-content-encoding.ts";

/** Bytes dropped after the limit at least (the Workers entry's drain reads as far). */
const MIN_DISCARD_BYTES = 32 << 20;

/** How long a body may send nothing before it is given up (`COLWASM_BODY_IDLE_MS`). */
export const DEFAULT_BODY_IDLE_MS = 30_000;

/** What a guarded stream does with its source. */
interface BodyGuard {
  readonly maxBytes: number;
  readonly what: string;
  /** Bytes read and dropped past the limit before the source is cancelled (0: at once). */
  readonly discardBytes: number;
  /** The problem a failed read of the source becomes. */
  readonly failure: (error: unknown) => ColwasmError;
  /** A read that brings nothing for this long fails with a 408 (and the source is cancelled). */
  readonly idleMs: number;
}

/** The 408 of a body that stopped arriving. */
class BodyIdle extends ColwasmError {
  constructor(idleMs: number) {
    super(
      "request-timeout",
      `Cannot read the request body: nothing arrived for ${idleMs} ms (send it whole, or raise COLWASM_BODY_IDLE_MS)`,
      { rule: "body-idle", idleMs },
    );
  }
}

/** `reader.read()`, or a BodyIdle rejection when it brings nothing within `idleMs`. */
async function readWithin(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  idleMs: number,
): Promise<ReadableStreamReadResult<Uint8Array>> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const idle = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new BodyIdle(idleMs)), idleMs);
  });
  try {
    return await Promise.race([reader.read(), idle]);
  } finally {
    clearTimeout(timer);
  }
}

function tooLarge(guard: BodyGuard): ColwasmError {
  return new ColwasmError(
    "too-large",
    `Cannot accept the ${guard.what}: it is over the limit of ${guard.maxBytes} bytes`,
    { limitBytes: guard.maxBytes },
  );
}

/** A read of the request body that failed: the client went away or its framing was broken. */
function unreadable(error: unknown): ColwasmError {
  if (error instanceof ColwasmError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new ColwasmError(
    "bad-request",
    `Cannot read the request body: ${reason}`,
    { rule: "body-unreadable" },
    { cause: error },
  );
}

/**
 * Reads and drops up to `maxBytes` more of `reader`, then cancels it if it has not ended (also when
 * it stalls for `idleMs`).
 */
async function discard(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  maxBytes: number,
  idleMs: number,
): Promise<void> {
  let dropped = 0;
  try {
    while (dropped <= maxBytes) {
      const { done, value } = await readWithin(reader, idleMs);
      if (done) return;
      dropped += value.byteLength;
    }
  } catch {
    // the client went away, or stalled: nothing left to keep
  }
  await reader.cancel().catch(() => undefined);
}

/** The stream `open()` gives, opened on the first read, counted and with its failures as problems. */
function guardedStream(open: () => ReadableStream<Uint8Array>, guard: BodyGuard): ReadableStream<Uint8Array> {
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  let length = 0;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        reader ??= open().getReader();
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await readWithin(reader, guard.idleMs);
        } catch (error) {
          if (error instanceof BodyIdle) void reader.cancel(error).catch(() => undefined);
          controller.error(error instanceof BodyIdle ? error : guard.failure(error));
          return;
        }
        if (chunk.done) return controller.close();
        length += chunk.value.byteLength;
        if (length > guard.maxBytes) {
          if (guard.discardBytes > 0) await discard(reader, guard.discardBytes, guard.idleMs);
          else await reader.cancel().catch(() => undefined);
          controller.error(tooLarge(guard));
          return;
        }
        controller.enqueue(chunk.value);
      },
      cancel(reason) {
        return reader?.cancel(reason);
      },
    },
    { highWaterMark: 0 }, // nothing is read before the route reads
  );
}

/**
 * Guards the body of the route's requests: 415 for a content coding it cannot decode, 413 for a
 * body over `maxBytes` (`what` names it), counted after decoding; 400 for a body that cannot be read
 * or decoded; 408 for one that sends nothing for `idleMs`. A Content-Length over the limit is
 * refused before anything is read.
 */
export function requestBody(
  maxBytes: number,
  what: string,
  options: { idleMs?: number } = {},
): MiddlewareHandler {
  const idleMs = options.idleMs ?? DEFAULT_BODY_IDLE_MS;
  return async function requestBody(c, next) {
    const raw = c.req.raw;
    const codings = contentCodings(c.req.header("content-encoding"));
    const source = raw.body;
    if (source === null) return next();
    const headers = new Headers(raw.headers);
    const limit = { maxBytes, what, failure: unreadable, idleMs };
    let body: ReadableStream<Uint8Array>;
    if (codings.length === 0) {
      const announced = headers.has("transfer-encoding") ? null : headers.get("content-length");
      if (announced !== null && Number(announced) > maxBytes) throw tooLarge({ ...limit, discardBytes: 0 });
      body = guardedStream(() => source, {
        ...limit,
        discardBytes: Math.max(MIN_DISCARD_BYTES, 2 * maxBytes),
      });
    } else {
      // the coded bytes are read as they are decoded; the limit counts what they decode to
      headers.delete("content-encoding");
      headers.delete("content-length");
      const coded = {
        maxBytes: Number.POSITIVE_INFINITY,
        what,
        discardBytes: 0,
        failure: unreadable,
        idleMs,
      };
      body = guardedStream(
        () =>
          decodeStream(
            guardedStream(() => source, coded),
            codings,
          ),
        {
          ...limit,
          discardBytes: 0,
          failure: (error) => decodeFailure(codings, error),
        },
      );
    }
    c.req.raw = new Request(raw.url, {
      method: raw.method,
      headers,
      body,
      duplex: "half",
    } as RequestInit);
    await next();
  };
}
