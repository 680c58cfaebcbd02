// The registry of uploaded operators: one Durable Object holding each module's bytes (memory-capped
// and fuel-metered at upload), its listing, manifest and sha256 in SQLite. The bytes are kept in
// 1 MiB rows of their own: workerd's SQLite refuses a value over ~2 MB (SQLITE_TOOBIG), and a
// plain Rust release build is several MB. A DO because it is
// strongly consistent (one writer, so a re-upload is seen by the next run everywhere),
// transactional (bytes and entry commit together or not at all) and survives restarts and evictions.
import { DurableObject, type DurableObjectState } from "cloudflare:workers";
import type { OperatorEntry } from "../../registry/index.ts";
import type { ManifestJson } from "../../wasm/index.ts";

/** An uploaded operator as stored, without its bytes. */
export interface StoredUpload {
  readonly entry: OperatorEntry;
  /** The effective manifest (section merged with the upload headers), schemas in canonical form. */
  readonly manifest: ManifestJson;
}

/** RPC surface of the registry object, as seen through a stub. */
export interface OperatorRegistryObject {
  list(): Promise<StoredUpload[]>;
  get(name: string): Promise<StoredUpload | null>;
  /** The prepared module bytes of `name` when its sha256 is still `sha256`, else null. */
  bytes(name: string, sha256: string): Promise<Uint8Array | null>;
  put(upload: StoredUpload, wasm: Uint8Array): Promise<void>;
  delete(name: string): Promise<boolean>;
}

type Row = { entry: string; manifest: string };

/** Bytes per stored chunk of a module, under workerd's SQLite value limit. */
export const MODULE_CHUNK_BYTES = 1 << 20;

/** Uploaded operators in SQLite; every method is one statement or one transaction. */
export class OperatorRegistry extends DurableObject implements OperatorRegistryObject {
  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env);
    ctx.storage.sql.exec(
      "CREATE TABLE IF NOT EXISTS operators (name TEXT PRIMARY KEY, sha256 TEXT NOT NULL, entry TEXT NOT NULL, manifest TEXT NOT NULL, wasm BLOB NOT NULL)",
    );
    // `operators.wasm` holds the bytes of rows written before chunks (and is empty since)
    ctx.storage.sql.exec(
      "CREATE TABLE IF NOT EXISTS module_chunks (name TEXT NOT NULL, seq INTEGER NOT NULL, bytes BLOB NOT NULL, PRIMARY KEY (name, seq))",
    );
  }

  async list(): Promise<StoredUpload[]> {
    return this.ctx.storage.sql
      .exec<Row>("SELECT entry, manifest FROM operators ORDER BY name")
      .toArray()
      .map(toUpload);
  }

  async get(name: string): Promise<StoredUpload | null> {
    const rows = this.ctx.storage.sql
      .exec<Row>("SELECT entry, manifest FROM operators WHERE name = ?", name)
      .toArray();
    return rows.length === 0 ? null : toUpload(rows[0]);
  }

  async bytes(name: string, sha256: string): Promise<Uint8Array | null> {
    const sql = this.ctx.storage.sql;
    const rows = sql
      .exec<{ wasm: ArrayBuffer }>("SELECT wasm FROM operators WHERE name = ? AND sha256 = ?", name, sha256)
      .toArray();
    if (rows.length === 0) return null;
    const chunks = sql
      .exec<{ bytes: ArrayBuffer }>("SELECT bytes FROM module_chunks WHERE name = ? ORDER BY seq", name)
      .toArray()
      .map((row) => new Uint8Array(row.bytes));
    if (chunks.length === 0) return new Uint8Array(rows[0].wasm); // stored before chunks
    const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
    let at = 0;
    for (const chunk of chunks) {
      out.set(chunk, at); // copy: the module reassembled once per isolate (LoaderRegistry caches it)
      at += chunk.byteLength;
    }
    return out;
  }

  async put(upload: StoredUpload, wasm: Uint8Array): Promise<void> {
    const name = upload.entry.name;
    // entry and bytes replace the old ones in one transaction, or not at all
    this.ctx.storage.transactionSync(() => {
      const sql = this.ctx.storage.sql;
      sql.exec(
        "INSERT INTO operators (name, sha256, entry, manifest, wasm) VALUES (?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET sha256 = excluded.sha256, entry = excluded.entry, manifest = excluded.manifest, wasm = excluded.wasm",
        name,
        upload.entry.sha256,
        JSON.stringify(upload.entry),
        JSON.stringify(upload.manifest),
        new Uint8Array(0),
      );
      sql.exec("DELETE FROM module_chunks WHERE name = ?", name);
      for (let seq = 0; seq * MODULE_CHUNK_BYTES < wasm.byteLength; seq++) {
        const chunk = wasm.subarray(seq * MODULE_CHUNK_BYTES, (seq + 1) * MODULE_CHUNK_BYTES);
        sql.exec("INSERT INTO module_chunks (name, seq, bytes) VALUES (?, ?, ?)", name, seq, chunk);
      }
    });
  }

  async delete(name: string): Promise<boolean> {
    return this.ctx.storage.transactionSync(() => {
      const sql = this.ctx.storage.sql;
      const found =
        sql.exec<{ n: number }>("SELECT count(*) AS n FROM operators WHERE name = ?", name).one().n > 0;
      sql.exec("DELETE FROM operators WHERE name = ?", name);
      sql.exec("DELETE FROM module_chunks WHERE name = ?", name);
      return found;
    });
  }
}

/** Rows hold JSON we wrote ourselves. */
function toUpload(row: Row): StoredUpload {
  return {
    entry: JSON.parse(row.entry) as OperatorEntry,
    manifest: JSON.parse(row.manifest) as ManifestJson,
  };
}
