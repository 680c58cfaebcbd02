// A raw HTTP/1.1 connection for tests of what fetch cannot send or see: bodies cut off mid-way,
// chunked framing written by hand, `Expect: 100-continue`, several requests on one socket.
import net from "node:net";

/** One response read off the socket. */
export interface RawResponse {
  readonly status: number;
  readonly headers: ReadonlyMap<string, string>;
  /** The body as UTF-8 text. */
  readonly body: string;
  /** The body's bytes (a columnar batch, say). */
  readonly bytes: Uint8Array;
}

/** A client socket to `url`'s host and port. */
export class RawConnection {
  readonly #socket: net.Socket;
  #buffer = Buffer.alloc(0);
  #closed = false;
  #waiters: (() => void)[] = [];

  private constructor(socket: net.Socket) {
    this.#socket = socket;
    socket.on("data", (data: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, data]);
      this.#wake();
    });
    const close = () => {
      this.#closed = true;
      this.#wake();
    };
    socket.on("close", close);
    socket.on("error", close);
  }

  static open(url: string): Promise<RawConnection> {
    const { hostname, port } = new URL(url);
    return new Promise((resolve, reject) => {
      const socket = net.connect(Number(port), hostname, () => resolve(new RawConnection(socket)));
      socket.once("error", reject);
    });
  }

  /** True once the server closed (or reset) the connection. */
  get isClosed(): boolean {
    return this.#closed;
  }

  #wake(): void {
    for (const wake of this.#waiters.splice(0)) wake();
  }

  write(data: string | Uint8Array): Promise<void> {
    return new Promise((resolve, reject) =>
      this.#socket.write(data, (error) => (error ? reject(error) : resolve())),
    );
  }

  /** Half-closes: the server sees the end of what this client sends. */
  end(): void {
    this.#socket.end();
  }

  destroy(): void {
    this.#socket.destroy();
  }

  async #waitFor<T>(parse: () => T | undefined, timeoutMs: number): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = parse();
      if (found !== undefined) return found;
      if (this.#closed)
        throw new Error(`connection closed; received ${JSON.stringify(this.#buffer.toString("latin1"))}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no complete response within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** The next final response (Content-Length or chunked body); interim 1xx responses are skipped. */
  async response(timeoutMs = 10_000): Promise<RawResponse> {
    for (;;) {
      const response = await this.next(timeoutMs);
      if (response.status >= 200) return response;
    }
  }

  /** The next response, an interim one (`100 Continue`) included. */
  next(timeoutMs = 10_000): Promise<RawResponse> {
    return this.#waitFor(() => this.#parse(), timeoutMs);
  }

  #parse(): RawResponse | undefined {
    const end = this.#buffer.indexOf("\r\n\r\n");
    if (end < 0) return undefined;
    const [statusLine, ...lines] = this.#buffer.subarray(0, end).toString("latin1").split("\r\n");
    const status = Number(statusLine.split(" ")[1]);
    const headers = new Map(
      lines.map((line) => {
        const colon = line.indexOf(":");
        return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()] as [string, string];
      }),
    );
    let at = end + 4;
    let body: Buffer;
    if (status < 200 || status === 204 || status === 304) body = Buffer.alloc(0);
    else if (headers.get("transfer-encoding")?.toLowerCase() === "chunked") {
      const parts: Buffer[] = [];
      for (;;) {
        const lineEnd = this.#buffer.indexOf("\r\n", at);
        if (lineEnd < 0) return undefined;
        const size = parseInt(this.#buffer.subarray(at, lineEnd).toString("latin1"), 16);
        if (this.#buffer.byteLength < lineEnd + 2 + size + 2) return undefined;
        parts.push(this.#buffer.subarray(lineEnd + 2, lineEnd + 2 + size));
        at = lineEnd + 2 + size + 2;
        if (size === 0) break;
      }
      body = Buffer.concat(parts);
    } else {
      const length = Number(headers.get("content-length") ?? 0);
      if (this.#buffer.byteLength < at + length) return undefined;
      body = this.#buffer.subarray(at, at + length);
      at += length;
    }
    this.#buffer = this.#buffer.subarray(at);
    return { status, headers, body: body.toString("utf8"), bytes: new Uint8Array(body) };
  }
}

/** A chunk of chunked transfer coding (RFC 9112 §7.1). */
export function chunk(data: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from(`${data.byteLength.toString(16)}\r\n`), data, Buffer.from("\r\n")]);
}
