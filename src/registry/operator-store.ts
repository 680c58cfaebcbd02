// Where uploaded operators live between restarts: a tiny byte store so Deno KV, a directory or a
// Durable Object can plug in under the same registry logic (src/registry/registry-core.ts).
import { z } from "zod";
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

/** How stores check a StoredOperator they read back (disk, Deno KV): storage is not trusted input. */
export const storedOperatorSchema = z.object({
  entry: z.object({
    name: z.string(),
    abi: z.string(),
    input: z.string(),
    output: z.string(),
    description: z.string().optional(),
    sha256: z.string(),
    size: z.number(),
    builtin: z.boolean(),
    uploaded_at: z.string().nullable(),
  }),
  headers: z.object({
    abi: z.enum(["colwasm/1", "blog"]).optional(),
    input: z.string().optional(),
    output: z.string().optional(),
    description: z.string().optional(),
  }),
});
