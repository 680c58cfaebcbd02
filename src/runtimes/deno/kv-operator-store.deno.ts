// An OperatorStore in Deno KV. A KV value holds at most 64 KiB and one commit at most 800 KiB of
// mutations (runtime-notes §5), while a plain Rust release build is several MB. So module bytes
// are chunked across keys `[..., "blob", name, blobId, i]` of a blob id new to each write, written
// CHUNKS_PER_COMMIT at a time where no entry points yet; then ONE atomic commit, guarded by a
// `check` on the entry's versionstamp, points the entry at them and deletes the replaced module's
// chunks. A reader never sees an entry whose module is half-written, and a write that dies before
// its commit leaves chunks no entry names, which the next write of that name deletes. (Entries
// written before blob ids used the sha256 as their id.)
//
// Concurrent writes of one name. PUT is idempotent and the last write wins, as on Workers, so a
// race is never a 409: this process's own entry commits (put and delete) of a name run one at a
// time (#inTurn, an in-process queue per name, like kv-reduce-store's per shard), and a commit
// that still loses its check to another process is retried with jittered backoff, up to
// COMMIT_ATTEMPTS times before answering 503 `unavailable` (Retry-After: 1).
import { z } from "zod";
import { ColwasmError } from "../../error.ts";
import { deleteListed } from "./kv-delete-listed.deno.ts";
import { type OperatorStore, type StoredOperator, storedOperatorSchema } from "../../registry/index.ts";

/** Bytes per chunk: the KV value limit. */
const CHUNK_BYTES = 65_536;
/** 12 chunks (768 KiB) a commit leave room for keys under the 819 200-byte commit limit. */
const CHUNKS_PER_COMMIT = 12;
/**
 * The largest module stored (512 chunks: their deletion fits one commit's 1000 mutations); the
 * runtime's module limit (8 MiB by default) is clamped to it.
 */
export const KV_MAX_MODULE_BYTES = 32 * 1024 * 1024;
/** Chunks under another blob id than the entry's are deleted once this old (a write still going on is younger). */
const STALE_BLOB_MS = 10 * 60 * 1000;
/** Entry commits that lose their check to another process's write before answering 503. */
const COMMIT_ATTEMPTS = 32;
/** Reads of entry then chunks that see the entry replaced in between before giving up. */
const READ_ATTEMPTS = 5;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
/** Jittered backoff before retry `attempt` (from 1) of a commit that lost its check: up to 4, 6, 10, 18, 34, then 50 ms. */
const backoff = (attempt: number): Promise<void> =>
  sleep(Math.random() * Math.min(50, 2 + 2 ** Math.min(attempt, 6)));

const recordSchema = storedOperatorSchema.extend({
  chunks: z.number().int().nonnegative(),
  /** Where the chunks are (absent in entries written before blob ids: the sha256). */
  blob: z.string().optional(),
});

type KvRecord = z.infer<typeof recordSchema>;

/** Keeps uploaded operators in a Deno KV database under `prefix`. */
export class KvOperatorStore implements OperatorStore {
  readonly #kv: Deno.Kv;
  readonly #prefix: readonly string[];
  /** Per operator name, the settling of this process's last entry commit queued on it (#inTurn). */
  readonly #queues = new Map<string, Promise<unknown>>();

  constructor(kv: Deno.Kv, options: { prefix?: readonly string[] } = {}) {
    this.#kv = kv;
    this.#prefix = options.prefix ?? ["colwasm", "operators"];
  }

  #entryKey(name: string): Deno.KvKey {
    return [...this.#prefix, "entry", name];
  }

  #chunkPrefix(name: string, blob: string): Deno.KvKey {
    return [...this.#prefix, "blob", name, blob];
  }

  /** The blob id of a stored record. */
  #blobOf(record: KvRecord): string {
    return record.blob ?? record.entry.sha256;
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
    for (let attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
      const found = await this.#record(name);
      if (found === undefined) return undefined;
      const { size } = found.record.entry;
      const parts: Uint8Array[] = [];
      const prefix = this.#chunkPrefix(name, this.#blobOf(found.record));
      for await (const item of this.#kv.list<Uint8Array>({ prefix })) {
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
    const { name } = record.entry;
    if (wasm.byteLength > KV_MAX_MODULE_BYTES) {
      throw new ColwasmError(
        "too-large",
        `Cannot store operator "${name}": the module has ${wasm.byteLength} bytes, Deno KV stores at most ${KV_MAX_MODULE_BYTES}`,
        { operator: name },
      );
    }
    const blob = `${Date.now()}-${crypto.randomUUID()}`; // its age tells a dead write from a live one
    const chunks: Uint8Array[] = [];
    // copy: slice() detaches each chunk from the caller's buffer (a request body)
    for (let at = 0; at < wasm.byteLength; at += CHUNK_BYTES) chunks.push(wasm.slice(at, at + CHUNK_BYTES));
    // the chunks first, a commit's worth at a time: no entry names this blob id yet
    for (let first = 0; first < chunks.length; first += CHUNKS_PER_COMMIT) {
      const op = this.#kv.atomic();
      chunks
        .slice(first, first + CHUNKS_PER_COMMIT)
        .forEach((chunk, k) => op.set([...this.#chunkPrefix(name, blob), first + k], chunk));
      if (!(await op.commit()).ok) throw new Error(`Deno KV refused chunks of operator "${name}"`);
    }
    const value: KvRecord = { entry: record.entry, headers: record.headers, chunks: chunks.length, blob };
    await this.#inTurn(name, async () => {
      for (let attempt = 0; attempt < COMMIT_ATTEMPTS; attempt++) {
        if (attempt > 0) await backoff(attempt);
        const previous = await this.#record(name);
        const op = this.#kv
          .atomic()
          .check({ key: this.#entryKey(name), versionstamp: previous?.versionstamp ?? null });
        if (previous !== undefined) this.#deleteChunks(op, name, previous.record);
        op.set(this.#entryKey(name), value);
        if ((await op.commit()).ok) return;
      }
      // no commit went through, so no entry names these chunks: remove them now, not in 10 minutes
      await deleteListed(this.#kv, { prefix: this.#chunkPrefix(name, blob) });
      throw lostToOtherWriters(name, "store");
    });
    await this.#deleteUnnamedBlobs(name, blob);
  }

  /**
   * Runs `work` after every earlier entry commit of this process on `name` has settled: one writer
   * of a name at a time here, so this process's own writes do not fail each other's checks.
   */
  #inTurn<T>(name: string, work: () => Promise<T>): Promise<T> {
    const run = (this.#queues.get(name) ?? Promise.resolve()).then(work);
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.#queues.set(name, settled);
    void settled.then(() => {
      if (this.#queues.get(name) === settled) this.#queues.delete(name);
    });
    return run;
  }

  /** Adds the deletion of `record`'s chunks to `op`. */
  #deleteChunks(op: Deno.AtomicOperation, name: string, record: KvRecord): void {
    for (let i = 0; i < record.chunks; i++) op.delete([...this.#chunkPrefix(name, this.#blobOf(record)), i]);
  }

  /**
   * Deletes chunks of `name` under a blob id other than `kept` and older than STALE_BLOB_MS: writes
   * that died before their commit (a younger one may be another upload of the name, still writing).
   */
  async #deleteUnnamedBlobs(name: string, kept: string): Promise<void> {
    await deleteListed(this.#kv, { prefix: [...this.#prefix, "blob", name] }, (key) => {
      const blob = String(key[this.#prefix.length + 2]);
      const writtenAt = Number(blob.split("-")[0]);
      return blob !== kept && Number.isFinite(writtenAt) && Date.now() - writtenAt > STALE_BLOB_MS;
    });
  }

  deleteBlob(name: string): Promise<boolean> {
    return this.#inTurn(name, async () => {
      for (let attempt = 0; attempt < COMMIT_ATTEMPTS; attempt++) {
        if (attempt > 0) await backoff(attempt);
        const previous = await this.#record(name);
        if (previous === undefined) return false;
        const op = this.#kv
          .atomic()
          .check({ key: this.#entryKey(name), versionstamp: previous.versionstamp });
        this.#deleteChunks(op, name, previous.record);
        op.delete(this.#entryKey(name));
        if ((await op.commit()).ok) return true;
      }
      throw lostToOtherWriters(name, "delete");
    });
  }
}

/** Every commit of a write lost its check to other processes' writes of the same name: 503, retry later. */
function lostToOtherWriters(name: string, verb: "store" | "delete"): ColwasmError {
  return new ColwasmError(
    "unavailable",
    `Cannot ${verb} operator "${name}": ${COMMIT_ATTEMPTS} commits lost to concurrent writers of the name, try again`,
    { operator: name, retryAfterSeconds: 1 },
  );
}
