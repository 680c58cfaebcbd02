// An OperatorStore in Deno KV. A KV value holds at most 64 KiB, so module bytes are chunked across
// keys `[..., "blob", name, sha256, i]`; all chunks, the entry and the removal of the replaced
// module's chunks go in ONE atomic commit guarded by a `check` on the entry's versionstamp, so a
// reader never sees an entry whose module is half-written, and a concurrent writer is retried.
// One commit carries at most 800 KiB of mutations (runtime-notes §5): modules over
// KV_MAX_MODULE_BYTES are refused with `too-large` (the runtime clamps maxModuleBytes to it).
import { z } from "zod";
import { ColwasmError } from "../../error.ts";
import { type OperatorStore, type StoredOperator, storedOperatorSchema } from "../../registry/index.ts";

/** Bytes per chunk: the KV value limit. */
const CHUNK_BYTES = 65_536;
/** 12 chunks (768 KiB) leave room for keys and the entry under the 819 200-byte commit limit. */
export const KV_MAX_MODULE_BYTES = 12 * CHUNK_BYTES;
const COMMIT_ATTEMPTS = 5;

const recordSchema = storedOperatorSchema.extend({
  chunks: z.number().int().nonnegative(),
});

type KvRecord = z.infer<typeof recordSchema>;

/** Keeps uploaded operators in a Deno KV database under `prefix`. */
export class KvOperatorStore implements OperatorStore {
  readonly #kv: Deno.Kv;
  readonly #prefix: readonly string[];

  constructor(kv: Deno.Kv, options: { prefix?: readonly string[] } = {}) {
    this.#kv = kv;
    this.#prefix = options.prefix ?? ["colwasm", "operators"];
  }

  #entryKey(name: string): Deno.KvKey {
    return [...this.#prefix, "entry", name];
  }

  #chunkPrefix(name: string, sha256: string): Deno.KvKey {
    return [...this.#prefix, "blob", name, sha256];
  }

  async #record(name: string): Promise<{ record: KvRecord; versionstamp: string } | undefined> {
    const got = await this.#kv.get(this.#entryKey(name));
    if (got.versionstamp === null) return undefined;
    return { record: recordSchema.parse(got.value), versionstamp: got.versionstamp };
  }

  async listEntries(): Promise<StoredOperator[]> {
    const out: StoredOperator[] = [];
    for await (const item of this.#kv.list({ prefix: [...this.#prefix, "entry"] })) {
      const { entry, headers } = recordSchema.parse(item.value);
      out.push({ entry, headers });
    }
    return out;
  }

  async getEntry(name: string): Promise<StoredOperator | undefined> {
    const found = await this.#record(name);
    return found === undefined ? undefined : { entry: found.record.entry, headers: found.record.headers };
  }

  async getBlob(name: string): Promise<Uint8Array | undefined> {
    // Entry and chunks are two reads: a replacement committed in between deletes the chunks we
    // look for, so read again (the commit itself is atomic, the retry sees the new module whole).
    for (let attempt = 0; attempt < COMMIT_ATTEMPTS; attempt++) {
      const found = await this.#record(name);
      if (found === undefined) return undefined;
      const { sha256, size } = found.record.entry;
      const parts: Uint8Array[] = [];
      for await (const item of this.#kv.list<Uint8Array>({ prefix: this.#chunkPrefix(name, sha256) })) {
        if (!(item.value instanceof Uint8Array))
          throw new Error(`KV chunk of operator "${name}" is not bytes`);
        parts.push(item.value);
      }
      const total = parts.reduce((n, p) => n + p.byteLength, 0);
      if (parts.length !== found.record.chunks || total !== size) continue;
      const bytes = new Uint8Array(total);
      let at = 0;
      for (const p of parts) {
        bytes.set(p, at);
        at += p.byteLength;
      }
      return bytes;
    }
    return undefined;
  }

  async putBlob(record: StoredOperator, wasm: Uint8Array): Promise<void> {
    const { name, sha256 } = record.entry;
    if (wasm.byteLength > KV_MAX_MODULE_BYTES) {
      throw new ColwasmError(
        "too-large",
        `Cannot store operator "${name}": the module has ${wasm.byteLength} bytes, Deno KV stores at most ${KV_MAX_MODULE_BYTES}`,
        { operator: name },
      );
    }
    const chunks: Uint8Array[] = [];
    // copy: slice() detaches each chunk from the caller's buffer (a request body)
    for (let at = 0; at < wasm.byteLength; at += CHUNK_BYTES) chunks.push(wasm.slice(at, at + CHUNK_BYTES));
    const value: KvRecord = { entry: record.entry, headers: record.headers, chunks: chunks.length };
    for (let attempt = 0; attempt < COMMIT_ATTEMPTS; attempt++) {
      const previous = await this.#record(name);
      const op = this.#kv
        .atomic()
        .check({ key: this.#entryKey(name), versionstamp: previous?.versionstamp ?? null });
      if (previous !== undefined && previous.record.entry.sha256 !== sha256) {
        for (let i = 0; i < previous.record.chunks; i++)
          op.delete([...this.#chunkPrefix(name, previous.record.entry.sha256), i]);
      }
      chunks.forEach((chunk, i) => op.set([...this.#chunkPrefix(name, sha256), i], chunk));
      op.set(this.#entryKey(name), value);
      if ((await op.commit()).ok) return;
    }
    throw new ColwasmError(
      "conflict",
      `Cannot store operator "${name}": it is being replaced concurrently, try again`,
      { operator: name },
    );
  }

  async deleteBlob(name: string): Promise<boolean> {
    for (let attempt = 0; attempt < COMMIT_ATTEMPTS; attempt++) {
      const previous = await this.#record(name);
      if (previous === undefined) return false;
      const op = this.#kv.atomic().check({ key: this.#entryKey(name), versionstamp: previous.versionstamp });
      for (let i = 0; i < previous.record.chunks; i++)
        op.delete([...this.#chunkPrefix(name, previous.record.entry.sha256), i]);
      op.delete(this.#entryKey(name));
      if ((await op.commit()).ok) return true;
    }
    throw new ColwasmError(
      "conflict",
      `Cannot delete operator "${name}": it is being replaced concurrently, try again`,
      { operator: name },
    );
  }
}
