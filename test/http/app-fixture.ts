// An in-process colwasm app for HTTP tests: memory store, the built operators as built-ins, and
// a chosen segment executor (InlineExecutor unless a test needs deadlines).
import { readFileSync } from "node:fs";
import type { Hono } from "hono";
import { InlineExecutor, type SegmentExecutor } from "../../src/chain/index.ts";
import {
  columnToRows,
  decodeBatch,
  encodeBatch,
  type Format,
  parseSchema,
  rowsToColumn,
} from "../../src/columnar/index.ts";
import { type AppDeps, type AppEnv, createApp, type RuntimeLimits } from "../../src/http/index.ts";
import {
  DetachedInlineExecutor,
  LocalChainService,
  MemoryOperatorStore,
  RegistryCore,
} from "../../src/registry/index.ts";
import { BUILTIN_NAMES } from "../../src/registry/builtin-names.ts";
import { MemoryReduceStore, type ReduceStore, ShardedReduce } from "../../src/state/index.ts";
import { BodyArenaPool, DEFAULT_OPERATOR_LIMITS } from "../../src/wasm/index.ts";
import { kernelModule } from "../support/operators.ts";

export const BUILTINS: readonly string[] = BUILTIN_NAMES;
export const ADMIN = "admin-secret";
export const SCHEMA = "(String, i64)";

/** Bytes of a built operator (`operators/dist`). */
export function operatorWasm(name: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(`../../operators/dist/${name}.wasm`, import.meta.url)));
}

/** Bytes of a hostile fixture (`test/fixtures/wasm/dist`). */
export function fixtureWasm(name: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(`../fixtures/wasm/dist/${name}.wasm`, import.meta.url)));
}

const builtins = BUILTINS.map((name) => ({ name, wasm: operatorWasm(name) }));

/** Options of `makeApp`. */
export interface MakeAppOptions {
  auth?: AppDeps["auth"];
  limits?: Partial<RuntimeLimits>;
  executor?: (limits: RuntimeLimits) => SegmentExecutor;
  /** Reduce state (a fresh MemoryReduceStore by default). */
  reduceStore?: ReduceStore;
  /** false: buffer bodies with arrayBuffer() instead of reading them into WASM arenas. */
  bodyArenas?: boolean;
  shards?: number;
  /** COLWASM_CORS_ORIGINS, parsed (none by default). */
  cors?: AppDeps["cors"];
}

/** A fresh app with its own memory store. */
export async function makeApp(options: MakeAppOptions = {}): Promise<Hono<AppEnv>> {
  const limits: RuntimeLimits = {
    maxBodyBytes: 1 << 20,
    maxModuleBytes: 1 << 20,
    maxStages: 8,
    operator: DEFAULT_OPERATOR_LIMITS,
    ...options.limits,
  };
  const compile = (bytes: Uint8Array) => WebAssembly.compile(bytes.slice());
  const registry = await RegistryCore.create({ store: new MemoryOperatorStore(), builtins, compile, limits });
  const executor =
    options.executor?.(limits) ?? new DetachedInlineExecutor(new InlineExecutor(limits.operator));
  const state = { store: options.reduceStore ?? new MemoryReduceStore(), shards: options.shards ?? 16 };
  const chains = new LocalChainService({
    resolver: registry,
    executor,
    reduce: new ShardedReduce(state.store, { shards: state.shards }),
  });
  return createApp({
    runtime: "node",
    version: "0.0.0-test",
    registry,
    chains,
    limits,
    auth: options.auth ?? { adminToken: ADMIN },
    state,
    bodyArenas: options.bodyArenas === false ? undefined : new BodyArenaPool(kernelModule()),
    builtins: registry.builtinNames,
    cors: options.cors,
  });
}

/** A columnar body of `rows`. */
export function batch(
  rows: unknown[],
  options: { schema?: string; format?: Format } = {},
): Uint8Array<ArrayBuffer> {
  return encodeBatch(rowsToColumn(parseSchema(options.schema ?? SCHEMA), rows), {
    format: options.format,
  }).slice();
}

/** Rows of a columnar response body. */
export async function rowsOf(res: Response, format: Format = "0.1"): Promise<unknown[]> {
  const schema = parseSchema(res.headers.get("columnar-schema") ?? "");
  return columnToRows(
    schema,
    decodeBatch(new Uint8Array(await res.arrayBuffer()), schema, { format }).column,
  );
}

/** POST /v1/run with a columnar body. */
export function run(
  app: Hono<AppEnv>,
  chain: string,
  body: Uint8Array | string,
  headers: Record<string, string> = {},
): Promise<Response> {
  return Promise.resolve(
    app.request(`/v1/run?chain=${encodeURIComponent(chain)}`, {
      method: "POST",
      body: typeof body === "string" ? body : body.slice(),
      headers: { "content-type": "application/x-columnar", "columnar-schema": SCHEMA, ...headers },
    }),
  );
}

/** PUT /v1/operators/:name as admin. */
export function upload(
  app: Hono<AppEnv>,
  name: string,
  wasm: Uint8Array,
  headers: Record<string, string> = {},
): Promise<Response> {
  return Promise.resolve(
    app.request(`/v1/operators/${name}`, {
      method: "PUT",
      body: wasm.slice(),
      headers: { "content-type": "application/wasm", authorization: `Bearer ${ADMIN}`, ...headers },
    }),
  );
}

/** Asserts a problem+json answer by status, type and fields (never by message text). */
export async function problemOf(res: Response): Promise<Record<string, unknown>> {
  const contentType = res.headers.get("content-type") ?? "";
  if (!contentType.startsWith("application/problem+json")) {
    throw new Error(`expected a problem, got ${res.status} ${contentType}: ${await res.text()}`);
  }
  const body: unknown = await res.json();
  if (typeof body !== "object" || body === null) throw new Error("problem body is not an object");
  return body as Record<string, unknown>;
}
