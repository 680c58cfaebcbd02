// COLWASM_* settings of the Deno entry, parsed from any env lookup (no Deno globals here, so the
// parsing is testable anywhere): a bad value stops the start with a message naming the variable.
import {
  type CorsOrigins,
  DEFAULT_BODY_IDLE_MS,
  parseCorsOrigins,
  type RuntimeLimits,
} from "../../http/index.ts";
import { DEFAULT_IDEMPOTENCY_TTL_MS, DEFAULT_REDUCE_SHARDS } from "../../state/index.ts";
import { DEFAULT_OPERATOR_LIMITS, fuelForDeadline } from "../../wasm/index.ts";

/** What the Deno entry needs from its environment. */
export interface DenoSettings {
  readonly port: number;
  readonly hostname: string;
  /** COLWASM_STATE_DIR; undefined keeps KV in memory (nothing survives a restart). */
  readonly stateDir: string | undefined;
  /** The Deno KV file under `stateDir`. */
  readonly kvPath: string | undefined;
  readonly adminToken: string | undefined;
  readonly runToken: string | undefined;
  /** COLWASM_CORS_ORIGINS: origins whose browser pages may read answers; undefined is none. */
  readonly corsOrigins: CorsOrigins | undefined;
  readonly limits: RuntimeLimits;
  /** REDUCE_SHARDS: shards per reduce namespace (KV key ranges on Deno, Durable Objects on Workers). */
  readonly reduceShards: number;
  /** COLWASM_IDEMPOTENCY_TTL_SECONDS, in ms: how long reduce shards honour an Idempotency-Key. */
  readonly idempotencyTtlMs: number;
  /** COLWASM_STATE_PAGE_BYTES (Workers): key and total bytes per page when a shard is listed. */
  readonly statePageBytes: number;
}

/** Safe defaults of the HTTP limits. */
const DEFAULTS = { maxBodyBytes: 64 * 1024 * 1024, maxModuleBytes: 8 * 1024 * 1024, maxStages: 32 } as const;

/** Reads the settings; `env(name)` returns a variable or undefined. Throws on a malformed number. */
export function readSettings(env: (name: string) => string | undefined): DenoSettings {
  const int = (name: string, fallback: number, min = 1): number => {
    const text = env(name);
    if (text === undefined || text === "") return fallback;
    const value = Number(text);
    if (!Number.isSafeInteger(value) || value < min)
      throw new Error(`${name} must be an integer >= ${min}, got ${JSON.stringify(text)}`);
    return value;
  };
  const token = (name: string): string | undefined => {
    const text = env(name);
    return text === undefined || text === "" ? undefined : text;
  };
  const stateDir = token("COLWASM_STATE_DIR");
  const deadlineMs = int("COLWASM_DEADLINE_MS", DEFAULT_OPERATOR_LIMITS.deadlineMs);
  return {
    port: int("COLWASM_PORT", 8787, 0),
    hostname: token("COLWASM_HOSTNAME") ?? "127.0.0.1",
    stateDir,
    kvPath: stateDir === undefined ? undefined : `${stateDir.replace(/\/+$/, "")}/colwasm.kv`,
    adminToken: token("COLWASM_ADMIN_TOKEN"),
    runToken: token("COLWASM_RUN_TOKEN"),
    corsOrigins: parseCorsOrigins(env("COLWASM_CORS_ORIGINS")),
    reduceShards: int("REDUCE_SHARDS", DEFAULT_REDUCE_SHARDS),
    idempotencyTtlMs: int("COLWASM_IDEMPOTENCY_TTL_SECONDS", DEFAULT_IDEMPOTENCY_TTL_MS / 1000) * 1000,
    statePageBytes: int("COLWASM_STATE_PAGE_BYTES", 8 * 1024 * 1024),
    limits: {
      maxBodyBytes: int("COLWASM_MAX_BODY_BYTES", DEFAULTS.maxBodyBytes),
      maxModuleBytes: int("COLWASM_MAX_MODULE_BYTES", DEFAULTS.maxModuleBytes),
      maxStages: int("COLWASM_MAX_STAGES", DEFAULTS.maxStages),
      bodyIdleMs: int("COLWASM_BODY_IDLE_MS", DEFAULT_BODY_IDLE_MS),
      operator: {
        deadlineMs,
        // the budget of fuel-metered modules (Workers, Deno): about the deadline's instructions
        fuel: int("COLWASM_FUEL", fuelForDeadline(deadlineMs)),
        maxMemoryPages: int("COLWASM_MAX_MEMORY_PAGES", DEFAULT_OPERATOR_LIMITS.maxMemoryPages),
        maxOutputBytes: int("COLWASM_MAX_OUTPUT_BYTES", DEFAULT_OPERATOR_LIMITS.maxOutputBytes),
      },
    },
  };
}
