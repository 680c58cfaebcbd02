// The request body as a route reads it (runs and uploads): decoded from its Content-Encoding,
// counted against the route's limit, and failed reads turned into problems. The middleware puts a
// `RequestBody` in the context (`c.get("requestBody")`); routes read it instead of `c.req`, whose
// raw body stays unguarded. It wraps the raw body's reader, not the Request: on Deno, rebuilding
// the Request over a JS ReadableStream cost ~100 µs per 40 KB body, ten times reading it
// (measured 2026-11-26). Nothing is read before the route reads, so a body nothing reads stays
// untouched (the Workers entry reads such bodies after answering, to keep the connection).
//
// Past the limit, an uncoded body is read and dropped up to twice the limit (at least 32 MiB)
// before it is cancelled: a client still sending then reads its 413 on a connection that stays
// usable (cancelling at once left Deno connections half-read and open, and reset workerd ones). A
// coded body is cancelled at once: dropping it would mean inflating it. A read that fails (a
// client gone mid-body, broken chunked framing) is a 400, not an internal error; a body that
// sends nothing for the idle time is a 408 (body-idle.ts).
import type { MiddlewareHandler } from "hono";
import { ColwasmError } from "../error.ts";
import type { BodyReader, BodyStream } from "../wasm/index.ts";
import type { AppEnv } from "./app-env.ts";
import { BodyIdle, DEFAULT_BODY_IDLE_MS, type IdleClock, IdleWatch, TIMER_PER_BODY } from "./body-idle.ts";
import { contentCodings, decodeFailure, decodeStream } from "./decode-content-encoding.ts";

export { DEFAULT_BODY_IDLE_MS, type IdleClock, sharedIdleClock, TIMER_PER_BODY } from "./body-idle.ts";

/** Bytes dropped after the limit at least (the Workers entry's drain reads as far). */
const MIN_DISCARD_BYTES = 32 << 20;

/** What a guarded reader does with its source. */
interface BodyGuard {
  readonly maxBytes: number;
  readonly what: string;
  /** Bytes read and dropped past the limit before the source is cancelled (0: at once). */
  readonly discardBytes: number;
  /** The problem a failed read of the source becomes. */
  readonly failure: (error: unknown) => ColwasmError;
  /** A read that brings nothing for this long fails with a 408 (and the source is cancelled). */
  readonly idleMs: number;
  readonly idleClock: IdleClock;
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
 * it stalls for `idleMs`). Rare (a body over its limit): a timer per read is fine here.
 */
async function discard(reader: BodyReader, maxBytes: number, idleMs: number): Promise<void> {
  let dropped = 0;
  try {
    while (dropped <= maxBytes) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const stalled = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new BodyIdle(idleMs)), idleMs);
      });
      const { done, value } = await Promise.race([reader.read(), stalled]).finally(() => clearTimeout(timer));
      if (done) return;
      dropped += value.byteLength;
    }
  } catch {
    // the client went away, or stalled: nothing left to keep
  }
  await reader.cancel().catch(() => undefined);
}

/** The reader `open()` gives, opened on the first read, counted, with its failures as problems. */
function guardedReader(open: () => BodyReader, guard: BodyGuard): BodyReader {
  let source: BodyReader | undefined;
  let length = 0;
  /** Once a read failed, every later read fails the same way. */
  let failed: ColwasmError | undefined;
  const idle = new IdleWatch(guard.idleMs, guard.idleClock, () => {
    void source?.cancel(new BodyIdle(guard.idleMs)).catch(() => undefined);
  });
  const fail = (error: ColwasmError): never => {
    idle.stop();
    failed = error;
    throw error;
  };
  return {
    async read() {
      if (failed !== undefined) throw failed;
      source ??= open();
      let chunk: ReadableStreamReadResult<Uint8Array>;
      idle.wait();
      try {
        chunk = await source.read();
      } catch (error) {
        return fail(idle.fired ? new BodyIdle(guard.idleMs) : guard.failure(error));
      } finally {
        idle.answered();
      }
      // a cancelled source answers `done`: the body did not end, it was given up
      if (idle.fired) return fail(new BodyIdle(guard.idleMs));
      if (chunk.done) {
        idle.stop();
        return chunk;
      }
      length += chunk.value.byteLength;
      if (length > guard.maxBytes) {
        idle.stop();
        if (guard.discardBytes > 0) await discard(source, guard.discardBytes, guard.idleMs);
        else await source.cancel().catch(() => undefined);
        return fail(tooLarge(guard));
      }
      return chunk;
    },
    async cancel(reason) {
      idle.stop();
      await source?.cancel(reason);
    },
  };
}

/** A BodyReader as a ReadableStream (DecompressionStream takes only streams). */
function streamOf(reader: BodyReader): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const chunk = await reader.read();
          if (chunk.done) controller.close();
          else controller.enqueue(chunk.value);
        } catch (error) {
          controller.error(error);
        }
      },
      cancel: (reason) => reader.cancel(reason),
    },
    { highWaterMark: 0 },
  );
}

/** The body of a request as its route reads it: once, as chunks or whole. */
export class RequestBody implements BodyStream {
  /** Bytes the body holds by its Content-Length, when it is known before reading (no coding). */
  readonly announcedBytes: number | undefined;
  readonly #open: () => BodyReader;
  #taken = false;

  constructor(open: () => BodyReader, announcedBytes?: number) {
    this.#open = open;
    this.announcedBytes = announcedBytes;
  }

  /** The body's reader (one per request: a body is read once). */
  getReader(): BodyReader {
    if (this.#taken) throw new TypeError("the request body was already read");
    this.#taken = true;
    return this.#open();
  }

  /** The whole body in one buffer of its own. */
  async bytes(): Promise<Uint8Array> {
    const reader = this.getReader();
    const parts: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parts.push(value);
      total += value.byteLength;
    }
    // a chunk that owns its whole buffer is kept as it is; a view into a larger one is copied, so
    // what is stored (an upload) does not hold the rest of that buffer
    const only = parts.length === 1 ? parts[0] : undefined;
    if (only !== undefined && only.byteOffset === 0 && only.byteLength === only.buffer.byteLength)
      return only;
    const whole = new Uint8Array(total);
    let at = 0;
    for (const part of parts) {
      whole.set(part, at); // copy: the chunks into one body, as arrayBuffer() does
      at += part.byteLength;
    }
    return whole;
  }
}

/** An empty body (a request without one). */
const NO_BODY: BodyReader = {
  read: () => Promise.resolve({ done: true, value: undefined }),
  cancel: () => Promise.resolve(),
};

/**
 * Guards the body of the route's requests and puts it in the context as `requestBody`: 415 for a
 * content coding it cannot decode, 413 for a body over `maxBytes` (`what` names it), counted after
 * decoding; 400 for a body that cannot be read or decoded; 408 for one that sends nothing for
 * `idleMs` (checked on `idleClock`, default a timer per body). A Content-Length over the limit is
 * refused before anything is read.
 */
export function requestBody(
  maxBytes: number,
  what: string,
  options: { idleMs?: number; idleClock?: IdleClock } = {},
): MiddlewareHandler<AppEnv> {
  const idleMs = options.idleMs ?? DEFAULT_BODY_IDLE_MS;
  const idleClock = options.idleClock ?? TIMER_PER_BODY;
  return async function requestBody(c, next) {
    const codings = contentCodings(c.req.header("content-encoding"));
    const source = c.req.raw.body;
    const limit = { maxBytes, what, failure: unreadable, idleMs, idleClock };
    let open: () => BodyReader;
    let announced: number | undefined;
    if (source === null) {
      open = () => NO_BODY;
      announced = 0;
    } else if (codings.length === 0) {
      const length =
        c.req.header("transfer-encoding") === undefined ? c.req.header("content-length") : undefined;
      announced = length === undefined || !/^\d+$/.test(length) ? undefined : Number(length);
      if (announced !== undefined && announced > maxBytes) throw tooLarge({ ...limit, discardBytes: 0 });
      const discardBytes = Math.max(MIN_DISCARD_BYTES, 2 * maxBytes);
      open = () => guardedReader(() => source.getReader(), { ...limit, discardBytes });
    } else {
      // the coded bytes are read as they are decoded; the limit counts what they decode to
      const coded = { ...limit, maxBytes: Number.POSITIVE_INFINITY, discardBytes: 0 };
      open = () =>
        guardedReader(
          () => decodeStream(streamOf(guardedReader(() => source.getReader(), coded)), codings).getReader(),
          { ...limit, discardBytes: 0, failure: (error) => decodeFailure(codings, error) },
        );
    }
    c.set("requestBody", new RequestBody(open, announced));
    await next();
  };
}
