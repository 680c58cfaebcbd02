// The operator catalogue as the HTTP layer sees it (spec/http-api.md §Operators). Defined here,
// below http, so registries need not import upward; src/http/app-deps.ts re-exports both types.
import type { ManifestJson } from "../wasm/index.ts";

/** One operator as listed by `GET /v1/operators` (spec/http-api.md). */
export interface OperatorEntry {
  readonly name: string;
  readonly abi: string;
  /** Canonical schema texts. */
  readonly input: string;
  readonly output: string;
  readonly description?: string;
  readonly sha256: string;
  readonly size: number;
  readonly builtin: boolean;
  readonly uploaded_at: string | null;
}

/** Durable operator storage + validation; runtime-specific (Deno KV/disk, Durable Object, memory). */
export interface OperatorRegistry {
  list(): Promise<OperatorEntry[]>;
  /** Undefined when absent. */
  get(name: string): Promise<OperatorEntry | undefined>;
  /**
   * Validates (compile, exports, manifest, examples) and stores a module; throws InvalidOperatorError,
   * ColwasmError("conflict") for built-ins.
   */
  put(name: string, wasm: Uint8Array, headers: Partial<ManifestJson>): Promise<OperatorEntry>;
  /** Throws unknown-operator when absent, conflict for built-ins. */
  delete(name: string): Promise<void>;
}
