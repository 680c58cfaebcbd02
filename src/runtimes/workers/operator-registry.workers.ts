// The registry of uploaded operators: one Durable Object holding each module's bytes (memory-capped
// and fuel-metered at upload), its listing, manifest and sha256 in SQLite. A DO because it is
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

/** Uploaded operators in SQLite; every method is one statement or one transaction. */
export class OperatorRegistry extends DurableObject implements OperatorRegistryObject {
  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env);
    ctx.storage.sql.exec(
      "CREATE TABLE IF NOT EXISTS operators (name TEXT PRIMARY KEY, sha256 TEXT NOT NULL, entry TEXT NOT NULL, manifest TEXT NOT NULL, wasm BLOB NOT NULL)",
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
    const rows = this.ctx.storage.sql
      .exec<{ wasm: ArrayBuffer }>("SELECT wasm FROM operators WHERE name = ? AND sha256 = ?", name, sha256)
      .toArray();
    return rows.length === 0 ? null : new Uint8Array(rows[0].wasm);
  }

  async put(upload: StoredUpload, wasm: Uint8Array): Promise<void> {
    this.ctx.storage.sql.exec(
      "INSERT INTO operators (name, sha256, entry, manifest, wasm) VALUES (?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET sha256 = excluded.sha256, entry = excluded.entry, manifest = excluded.manifest, wasm = excluded.wasm",
      upload.entry.name,
      upload.entry.sha256,
      JSON.stringify(upload.entry),
      JSON.stringify(upload.manifest),
      wasm,
    );
  }

  async delete(name: string): Promise<boolean> {
    const found =
      this.ctx.storage.sql
        .exec<{ n: number }>("SELECT count(*) AS n FROM operators WHERE name = ?", name)
        .one().n > 0;
    this.ctx.storage.sql.exec("DELETE FROM operators WHERE name = ?", name);
    return found;
  }
}

/** Rows hold JSON we wrote ourselves. */
function toUpload(row: Row): StoredUpload {
  return {
    entry: JSON.parse(row.entry) as OperatorEntry,
    manifest: JSON.parse(row.manifest) as ManifestJson,
  };
}
