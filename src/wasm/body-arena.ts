// Request bodies read straight into a reusable WebAssembly memory: the one copy a body needs
// (network -> memory) lands where the validation kernels run, so a batch is checked by SIMD loops
// instead of JS ones, and no fresh buffer is allocated per request (allocation costs 3-4.5x a
// memcpy: platform-notes.md). Arenas are pooled; one request holds one until it has answered.
import { ColwasmError } from "../error.ts";
import type { ValidationKernels } from "../columnar/index.ts";
import { WASM_PAGE_BYTES } from "./operator-limits.ts";
import { bindValidationKernels } from "./validation-kernels.ts";

/** Where bodies start in an arena: 8-aligned, and never 0. */
const BODY_OFFSET = 8;

/** One reusable memory holding one request body at a time. */
export class BodyArena {
  readonly #memory: WebAssembly.Memory;
  readonly kernels: ValidationKernels;

  constructor(kernelModule: WebAssembly.Module) {
    this.#memory = new WebAssembly.Memory({ initial: 1 });
    this.kernels = bindValidationKernels(kernelModule, this.#memory);
  }

  /** Bytes the arena holds on to (a WebAssembly memory never shrinks). */
  get byteLength(): number {
    return this.#memory.buffer.byteLength;
  }

  #ensure(bytes: number): void {
    const need = Math.ceil((BODY_OFFSET + bytes) / WASM_PAGE_BYTES);
    const have = this.#memory.buffer.byteLength / WASM_PAGE_BYTES;
    if (need > have) this.#memory.grow(Math.max(need - have, have)); // at least double: amortised
  }

  /**
   * Copies `source` (a body stream or bytes) into the arena and returns a view of it, valid until
   * the next fill. Throws `too-large` past `maxBytes` without reading further.
   */
  async fill(source: ReadableStream<Uint8Array> | Uint8Array, maxBytes: number): Promise<Uint8Array> {
    if (source instanceof Uint8Array) {
      if (source.byteLength > maxBytes) throw tooLarge(maxBytes);
      this.#ensure(source.byteLength);
      new Uint8Array(this.#memory.buffer).set(source, BODY_OFFSET); // copy: the body's one copy in
      return new Uint8Array(this.#memory.buffer, BODY_OFFSET, source.byteLength);
    }
    let length = 0;
    const reader = source.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (length + value.byteLength > maxBytes) {
        await reader.cancel();
        throw tooLarge(maxBytes);
      }
      this.#ensure(length + value.byteLength);
      new Uint8Array(this.#memory.buffer).set(value, BODY_OFFSET + length); // copy: chunk into place
      length += value.byteLength;
    }
    return new Uint8Array(this.#memory.buffer, BODY_OFFSET, length);
  }
}

function tooLarge(maxBytes: number): ColwasmError {
  return new ColwasmError(
    "too-large",
    `Cannot read the body: it is larger than the limit of ${maxBytes} bytes`,
  );
}

/** Idle arenas kept for reuse; concurrent requests each take their own. */
export class BodyArenaPool {
  readonly #kernelModule: WebAssembly.Module;
  readonly #idle: BodyArena[] = [];
  readonly #maxIdle: number;
  readonly #maxIdleBytes: number;
  readonly #maxIdleTotalBytes: number;

  /**
   * Keeps at most `maxIdle` idle arenas (default 8), none that grew past `maxIdleBytes` (default
   * 16 MiB: a rare huge body must not pin its memory for the life of the process), and at most
   * `maxIdleTotalBytes` in all (default 32 MiB: a Workers isolate has 128 MB).
   */
  constructor(
    kernelModule: WebAssembly.Module,
    options: { maxIdle?: number; maxIdleBytes?: number; maxIdleTotalBytes?: number } = {},
  ) {
    this.#kernelModule = kernelModule;
    this.#maxIdle = options.maxIdle ?? 8;
    this.#maxIdleBytes = options.maxIdleBytes ?? 16 * 1024 * 1024;
    this.#maxIdleTotalBytes = options.maxIdleTotalBytes ?? 32 * 1024 * 1024;
  }

  /** Runs `use` with an arena of its own, returning the arena afterwards. */
  async with<T>(use: (arena: BodyArena) => Promise<T>): Promise<T> {
    const arena = this.#idle.pop() ?? new BodyArena(this.#kernelModule);
    try {
      return await use(arena);
    } finally {
      const idleBytes = this.#idle.reduce((sum, a) => sum + a.byteLength, 0);
      const fits =
        this.#idle.length < this.#maxIdle &&
        arena.byteLength <= this.#maxIdleBytes &&
        idleBytes + arena.byteLength <= this.#maxIdleTotalBytes;
      if (fits) this.#idle.push(arena);
    }
  }
}
