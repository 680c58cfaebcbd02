// Reduce state (spec/http-api.md §Reduce): `GET /v1/state/NAME[?key=K]` as NDJSON rows `[key,
// total]` (or a batch with Accept: application/x-columnar, in the request's Columnar-Format),
// `DELETE /v1/state/NAME` for admins. A key with no total is looked up as given (stored keys are
// canonical: integers in decimal); only then is the namespace's key type read, so that a key that
// cannot be a value of it (`abc`, `-1` or `4294967296` for u32) is a 400 naming the type, a
// non-canonical spelling of one (`007`) is looked up as its canonical text, and a well-formed key
// without a total stays a 404.
import { Hono } from "hono";
import { z } from "zod";
import { isValidName } from "../../chain/index.ts";
import {
  columnBuilder,
  columnSlices,
  type Format,
  formatSchema,
  INTEGER_RANGES,
  parseFormat,
  parseSchema,
} from "../../columnar/index.ts";
import { ColwasmError } from "../../error.ts";
import { shardOfKey, type StoredTotal } from "../../state/index.ts";
import type { AppDeps } from "../app-deps.ts";
import type { AppEnv } from "../app-env.ts";
import { negotiateMediaType } from "../negotiate.ts";
import { parseFormatHeader } from "../repeated-header.ts";
import { COLUMNAR_MEDIA_TYPE, NDJSON_MEDIA_TYPE } from "../read-batch.ts";
import { requireAdmin, requireRunner } from "../require-token.ts";
import { validate } from "../validate.ts";
import { writeBatch } from "../write-batch.ts";

const stateQuery = z.object({
  key: z.string().max(65536).optional(),
  /** Same as the Columnar-Format header, for links that cannot set headers. */
  format: z.string().max(64).optional(),
});

/**
 * The answer's format: the `Columnar-Format` header (the wire table's "same as the request"), or
 * the `format` query parameter; both must be supported (400 `unsupported-format`) and, when both
 * are given, agree (400, rather than silently preferring one).
 */
function formatOf(header: string | undefined, query: string | undefined): Format {
  const fromHeader = header === undefined ? undefined : parseFormatHeader(header);
  const fromQuery = query === undefined ? undefined : parseFormat(query);
  if (fromHeader !== undefined && fromQuery !== undefined && fromHeader !== fromQuery) {
    throw new ColwasmError(
      "bad-request",
      `Cannot choose a format: Columnar-Format says ${fromHeader} but the format query parameter says ${fromQuery}`,
      { rule: "conflicting-format" },
    );
  }
  return fromHeader ?? fromQuery ?? "0.1";
}

/**
 * `key` as the namespace's stored keys spell it (integers: decimal, no leading zeros), or a 400
 * `bad-request` naming the key type when it cannot be a value of it.
 */
function canonicalKey(namespace: string, keyType: string, key: string): string {
  // integer key types have a range; the others (String) hold any text
  const range = (INTEGER_RANGES as Readonly<Record<string, readonly [bigint, bigint]>>)[keyType];
  if (range === undefined) return key;
  if (/^-?[0-9]{1,40}$/.test(key)) {
    const value = BigInt(key);
    if (value >= range[0] && value <= range[1]) return value.toString();
  }
  throw new ColwasmError(
    "bad-request",
    `Cannot read a total of "${namespace}": key ${JSON.stringify(key)} is not a value of its key type ${keyType} (a decimal integer from ${range[0]} to ${range[1]})`,
    { rule: "key-type", keyType },
  );
}

function namespaceOf(name: string): string {
  if (!isValidName(name))
    throw new ColwasmError("bad-request", `Cannot read state ${JSON.stringify(name)}: not a valid name`);
  return name;
}

/** The state routes; absent when the runtime has no reduce state. */
export function stateRoutes(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const state = deps.state;
  if (state === undefined) return app;

  app.get(
    "/v1/state/:name",
    requireRunner(deps.auth.runToken, deps.auth.adminToken),
    validate("query", stateQuery),
    async function readState(c) {
      const namespace = namespaceOf(c.req.param("name"));
      const query = c.req.valid("query");
      let key = query.key;
      const format = formatOf(c.req.header("columnar-format"), query.format);
      const mediaType = negotiateMediaType(c.req.header("accept"), [NDJSON_MEDIA_TYPE, COLUMNAR_MEDIA_TYPE]);
      let found: { keyType: string; totals: StoredTotal[] } | undefined;
      if (key === undefined) {
        found = await state.store.readAll(namespace, state.shards);
      } else {
        const readKey = (k: string) =>
          state.store.readKey(namespace, shardOfKey(new TextEncoder().encode(k), state.shards), k);
        let one = await readKey(key);
        if (one === undefined) {
          // no total: a key of the wrong type is the caller's mistake (400), not an absent total
          const keyType = await state.store.keyTypeOf?.(namespace);
          const canonical = keyType === undefined ? key : canonicalKey(namespace, keyType, key);
          if (canonical !== key) {
            key = canonical;
            one = await readKey(key);
          }
        }
        found = one === undefined ? undefined : { keyType: one.keyType, totals: [{ key, total: one.total }] };
      }
      if (found === undefined) {
        throw new ColwasmError(
          "unknown-state",
          key === undefined
            ? `No reduce state named "${namespace}"`
            : `No total for key ${JSON.stringify(key)} in "${namespace}"`,
        );
      }
      const keySchema = parseSchema(found.keyType);
      const schema = parseSchema(`(${formatSchema(keySchema)}, i64)`);
      const builder = columnBuilder(schema);
      // Integer keys are stored as decimal text, which the row mapping accepts as is (spec §8).
      found.totals.forEach((t, i) => builder.push([t.key, t.total.toString()], i));
      const column = builder.finish();
      const batch = {
        schema,
        format: "0.1" as const,
        length: column.length,
        column,
        slices: columnSlices(column, "0.1"),
      };
      const out = writeBatch(batch, { format, mediaType });
      c.header("content-type", out.mediaType);
      c.header("columnar-schema", formatSchema(schema));
      c.header("columnar-format", format);
      return c.body(out.body);
    },
  );

  app.delete("/v1/state/:name", requireAdmin(deps.auth.adminToken), async function dropState(c) {
    const namespace = namespaceOf(c.req.param("name"));
    if (!(await state.store.drop(namespace, state.shards))) {
      throw new ColwasmError("unknown-state", `No reduce state named "${namespace}"`);
    }
    return c.body(null, 204);
  });
  return app;
}
