// What a runtime entry injects into the one hono app (style: capabilities are data, the core
// never checks which runtime it is on).
import type { BatchView } from "../columnar/index.ts";
import type { ChainResult, Stage } from "../chain/index.ts";
import type { ManifestJson, OperatorLimits } from "../wasm/index.ts";

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

/** Plans and runs chains where this runtime runs WASM (thread sandbox, Worker Loader isolate...). */
export interface ChainService {
  /** Plans (throws ChainTypeError / unknown-operator before running anything) and runs. */
  run(stages: readonly Stage[], input: BatchView, options: { idempotencyKey?: string }): Promise<ChainResult>;
}

/** Limits of the HTTP layer, configurable with COLWASM_* settings. */
export interface RuntimeLimits {
  readonly maxBodyBytes: number;
  readonly maxModuleBytes: number;
  readonly maxStages: number;
  readonly operator: OperatorLimits;
}

/** Everything the app needs from its runtime. */
export interface AppDeps {
  readonly runtime: "workers" | "deno" | "node";
  readonly version: string;
  readonly registry: OperatorRegistry;
  readonly chains: ChainService;
  readonly limits: RuntimeLimits;
  readonly auth: { readonly adminToken?: string; readonly runToken?: string };
  /** Names of the built-in operators, for `GET /`. */
  readonly builtins: readonly string[];
}
