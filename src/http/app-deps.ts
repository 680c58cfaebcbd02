// What a runtime entry injects into the one hono app (style: capabilities are data, the core
// never checks which runtime it is on).
import type { BatchView } from "../columnar/index.ts";
import type { ChainResult, Stage } from "../chain/index.ts";
import type { OperatorEntry, OperatorRegistry } from "../registry/index.ts";
import type { IdempotencyLedger, ReduceStore } from "../state/index.ts";
import type { BodyArenaPool, OperatorLimits } from "../wasm/index.ts";
import type { CorsOrigins } from "./cors.ts";

// Defined in src/registry (below http in the import order), re-exported here unchanged.
export type { OperatorEntry, OperatorRegistry };

/** Plans and runs chains where this runtime runs WASM (thread sandbox, Worker Loader isolate...). */
export interface ChainService {
  /** Plans (throws ChainTypeError / unknown-operator before running anything) and runs. */
  run(
    stages: readonly Stage[],
    input: BatchView,
    options: { idempotencyKey?: string; bodyHash?: string },
  ): Promise<ChainResult>;
}

/** Limits of the HTTP layer, configurable with COLWASM_* settings. */
export interface RuntimeLimits {
  readonly maxBodyBytes: number;
  readonly maxModuleBytes: number;
  readonly maxStages: number;
  /**
   * How long a request body may send nothing before it is given up with a 408 (default
   * DEFAULT_BODY_IDLE_MS): a stalled client must not hold a request, its arena and its connection.
   */
  readonly bodyIdleMs?: number;
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
  /** Keyed reduce state, read by the state routes (the ChainService writes it through `reduce:`). */
  readonly state?: { readonly store: ReduceStore; readonly shards: number };
  /**
   * Where Idempotency-Keys are bound to the request that first used them, checked before a chain
   * runs (src/state/idempotency-ledger.ts); without one, an in-memory ledger of the app.
   */
  readonly idempotency?: IdempotencyLedger;
  /** Pooled WASM arenas for request bodies (src/wasm/body-arena.ts); without them bodies are buffered. */
  readonly bodyArenas?: BodyArenaPool;
  /** Origins whose browser pages may read answers (COLWASM_CORS_ORIGINS); none without it. */
  readonly cors?: CorsOrigins;
  /** Names of the built-in operators, for `GET /`. */
  readonly builtins: readonly string[];
}
