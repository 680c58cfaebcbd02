// `POST /v1/run?chain=…` (spec/http-api.md §Running a chain): decode and validate the batch,
// plan and run the chain through the runtime's ChainService, answer the last stage's output.
import { Hono } from "hono";
import { z } from "zod";
import { formatChain, parseChain } from "../../chain/index.ts";
import { type BatchView, columnSlices, formatSchema, type ValidationKernels } from "../../columnar/index.ts";
import {
  DEFAULT_IDEMPOTENCY_TTL_MS,
  MemoryIdempotencyLedger,
  reduceRecordKey,
  requestFingerprint,
} from "../../state/index.ts";
import type { OperatorBatch } from "../../wasm/index.ts";
import type { AppDeps } from "../app-deps.ts";
import type { AppEnv } from "../app-env.ts";
import { negotiateMediaType } from "../negotiate.ts";
import { COLUMNAR_MEDIA_TYPE, NDJSON_MEDIA_TYPE, readBatch } from "../read-batch.ts";
import { mediaTypeOf, requireMediaType } from "../require-media-type.ts";
import { requestBody } from "../request-body.ts";
import { requireRunner } from "../require-token.ts";
import { formatServerTiming } from "../server-timing.ts";
import { validate } from "../validate.ts";
import { writeBatch } from "../write-batch.ts";

const runQuery = z.object({
  chain: z
    .string({
      error: (issue) =>
        Array.isArray(issue.input)
          ? "give the chain once, its stages separated by commas (chain=a,b): repeated chain parameters are not joined"
          : "the chain parameter is missing (chain=a,b; chain= runs no stage)",
    })
    // its own message: the schema's error above would call an over-long chain missing
    .max(4096, { error: "the chain parameter is over 4096 characters long" }),
});

const runHeaders = z.object({
  "content-type": z.string(),
  "columnar-schema": z.string().optional(),
  "columnar-format": z.string().optional(),
  // visible ASCII and spaces, no commas: workerd reads other bytes as U+FFFD (so two keys could
  // collide), and a header sent twice arrives as one value joined with ", "
  "idempotency-key": z
    .string()
    .min(1)
    .max(256)
    .regex(/^[\x20-\x2b\x2d-\x7e]+$/, {
      error:
        'an Idempotency-Key is 1-256 visible ASCII characters or spaces, without commas (a header sent twice arrives joined with ", ": send one)',
    })
    .optional(),
});

/**
 * The empty chain's answer: the input's columns without its request bytes, so the response is
 * re-encoded (spec/http-api.md) with zero padding and unused bits (columnar-format.md §6.4)
 * instead of echoing a non-canonical body.
 */
function reencoded(input: BatchView): OperatorBatch {
  const { schema, format, length, column } = input;
  return { schema, format, length, column, slices: columnSlices(column, format) };
}

/** Bodies below this size (by Content-Length) are buffered rather than read into an arena. */
const ARENA_MIN_BYTES = 64 * 1024;

/** The run route. */
export function runRoutes(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const ledger = deps.idempotency ?? new MemoryIdempotencyLedger({ ttlMs: DEFAULT_IDEMPOTENCY_TTL_MS });
  app.post(
    "/v1/run",
    requireRunner(deps.auth.runToken, deps.auth.adminToken),
    requireMediaType(COLUMNAR_MEDIA_TYPE, NDJSON_MEDIA_TYPE),
    requestBody(deps.limits.maxBodyBytes, "batch", { idleMs: deps.limits.bodyIdleMs }),
    validate("query", runQuery),
    validate("header", runHeaders),
    async function runChainRoute(c) {
      const query = c.req.valid("query");
      const headers = c.req.valid("header");
      const stages = parseChain(query.chain, { maxStages: deps.limits.maxStages });
      // negotiated before anything runs: a 406 after a reduce would leave its state applied
      const mediaType = negotiateMediaType(c.req.header("accept"), [COLUMNAR_MEDIA_TYPE, NDJSON_MEDIA_TYPE]);
      const decodeStarted = performance.now();
      const requestType = mediaTypeOf(headers["content-type"]);
      const arenas = deps.bodyArenas;
      // Columnar bodies go straight into a pooled WASM arena (one copy, validated by the WASM
      // kernels there); the arena is held until the response owns its bytes. Bodies announced
      // as small are buffered instead: there the stream reads cost more than the JS scans save.
      const announced = Number(c.req.header("content-length") ?? Number.NaN);
      const isSmall = announced < ARENA_MIN_BYTES;
      if (arenas !== undefined && requestType === COLUMNAR_MEDIA_TYPE && !isSmall) {
        return arenas.with(async (arena) => {
          const source = c.req.raw.body ?? new Uint8Array(0);
          return answer(await arena.fill(source, deps.limits.maxBodyBytes), arena.kernels);
        });
      }
      return answer(new Uint8Array(await c.req.arrayBuffer()), undefined);

      async function answer(body: Uint8Array, kernels: ValidationKernels | undefined): Promise<Response> {
        const { batch: input, format } = readBatch(body, {
          mediaType: requestType,
          schema: headers["columnar-schema"],
          format: headers["columnar-format"],
          kernels,
        });
        const decodeMs = performance.now() - decodeStarted;
        // Idempotency-Key: bound to this request (spec/http-api.md) before anything is planned or
        // run, whatever the chain: the same key with another request is a 409 here; reduce stages
        // record their application under the key's claim, so a retry replays them
        const key = headers["idempotency-key"];
        let idempotencyKey: string | undefined;
        let bodyHash: string | undefined;
        if (key !== undefined) {
          bodyHash = await requestFingerprint({
            body,
            chain: formatChain(stages),
            schema: formatSchema(input.schema),
            format,
            mediaType: requestType,
          });
          idempotencyKey = reduceRecordKey(key, await ledger.claim(key, bodyHash));
        }
        const result =
          stages.length === 0
            ? { output: reencoded(input), hops: [], copiedBytes: 0 }
            : await deps.chains.run(stages, input, { idempotencyKey, bodyHash });
        const encodeStarted = performance.now();
        const out = writeBatch(result.output, { format, mediaType });
        const encodeMs = performance.now() - encodeStarted;
        c.header("content-type", out.mediaType);
        c.header("columnar-schema", formatSchema(result.output.schema));
        c.header("columnar-format", format);
        c.header("server-timing", formatServerTiming({ decodeMs, hops: result.hops, encodeMs }));
        c.header("colwasm-copied-bytes", String(result.copiedBytes));
        return c.body(out.body);
      }
    },
  );
  return app;
}
