// An OperatorStore in a directory through node:fs (Node and Deno): `<name>.json` (the record) and
// `<name>@<sha256>.wasm`. Files are written to a temporary name and renamed, bytes before record,
// so a reader or a crash sees the old operator or the new one, never a record without its bytes.
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type OperatorStore, type StoredOperator, storedOperatorSchema } from "./operator-store.ts";

/** Operator names cannot contain `@` (src/chain stage names), so this never collides. */
const blobFile = (record: StoredOperator): string => `${record.entry.name}@${record.entry.sha256}.wasm`;

const isMissing = (error: unknown): boolean =>
  error instanceof Error && "code" in error && (error as { code: unknown }).code === "ENOENT";

/** Keeps operators as files under `dir` (created on first write). */
export class DiskOperatorStore implements OperatorStore {
  readonly #dir: string;

  constructor(dir: string) {
    this.#dir = dir;
  }

  async #read(file: string): Promise<Uint8Array | undefined> {
    try {
      return new Uint8Array(await readFile(join(this.#dir, file)));
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async #writeAtomic(file: string, data: Uint8Array | string): Promise<void> {
    const tmp = join(this.#dir, `.${file}.${crypto.randomUUID()}.tmp`);
    await writeFile(tmp, data);
    await rename(tmp, join(this.#dir, file));
  }

  async listEntries(): Promise<StoredOperator[]> {
    let files: string[];
    try {
      files = await readdir(this.#dir);
    } catch (error) {
      if (isMissing(error)) return [];
      throw error;
    }
    const names = files
      .filter((f) => f.endsWith(".json") && !f.startsWith("."))
      .map((f) => f.slice(0, -".json".length));
    const records = await Promise.all(names.map((name) => this.getEntry(name)));
    return records.filter((r): r is StoredOperator => r !== undefined);
  }

  async getEntry(name: string): Promise<StoredOperator | undefined> {
    const bytes = await this.#read(`${name}.json`);
    if (bytes === undefined) return undefined;
    return storedOperatorSchema.parse(JSON.parse(new TextDecoder().decode(bytes)));
  }

  async getBlob(name: string): Promise<Uint8Array | undefined> {
    const record = await this.getEntry(name);
    return record === undefined ? undefined : this.#read(blobFile(record));
  }

  async putBlob(record: StoredOperator, wasm: Uint8Array): Promise<void> {
    await mkdir(this.#dir, { recursive: true });
    const previous = await this.getEntry(record.entry.name);
    await this.#writeAtomic(blobFile(record), wasm);
    await this.#writeAtomic(`${record.entry.name}.json`, JSON.stringify(record));
    if (previous !== undefined && blobFile(previous) !== blobFile(record)) {
      await rm(join(this.#dir, blobFile(previous)), { force: true });
    }
  }

  async deleteBlob(name: string): Promise<boolean> {
    const record = await this.getEntry(name);
    if (record === undefined) return false;
    await rm(join(this.#dir, `${name}.json`), { force: true });
    await rm(join(this.#dir, blobFile(record)), { force: true });
    return true;
  }
}
