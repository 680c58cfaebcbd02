// Where uploaded operators live between restarts: a tiny byte store so Deno KV, a directory or a
// Durable Object can plug in under the same registry logic (src/registry/registry-core.ts).
import type { ManifestJson } from "../wasm/index.ts";
import type { OperatorEntry } from "./operator-registry.ts";

/** What is kept beside a module's bytes: its listing and the manifest headers it was uploaded with. */
export interface StoredOperator {
  readonly entry: OperatorEntry;
  /** Upload headers; they win over the module's section, so they are needed to load it again. */
  readonly headers: Partial<ManifestJson>;
}

/** Durable storage of uploaded operators; every method may throw on storage failure. */
export interface OperatorStore {
  /** All stored operators (any order). */
  listEntries(): Promise<StoredOperator[]>;
  /** The record of `name`, or undefined. */
  getEntry(name: string): Promise<StoredOperator | undefined>;
  /** The module bytes of `name` as uploaded, or undefined. */
  getBlob(name: string): Promise<Uint8Array | undefined>;
  /** Stores (or replaces) record and bytes together: a reader sees both or neither. */
  putBlob(record: StoredOperator, wasm: Uint8Array): Promise<void>;
  /** Removes `name`; false when it was absent. */
  deleteBlob(name: string): Promise<boolean>;
}
