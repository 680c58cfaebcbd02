// Reduce state (spec/http-api.md §Reduce): `GET /v1/state/NAME[?key=K]` as NDJSON rows `[key,
// total]` (or a batch with Accept: application/x-columnar), `DELETE /v1/state/NAME` for admins.
import { Hono } from "hono";
import { accepts } from "hono/accepts";
import { z } from "zod";
import { isValidName } from "../../chain/index.ts";
import { columnBuilder, columnSlices, formatSchema, parseSchema } from "../../columnar/index.ts";
import { ColwasmError } from "../../error.ts";
import { shardOfKey, type StoredTotal } from "../../state/index.ts";
import type { AppDeps } from "../app-deps.ts";
import type { AppEnv } from "../app-env.ts";
import { COLUMNAR_MEDIA_TYPE, NDJSON_MEDIA_TYPE } from "../read-batch.ts";
import { requireAdmin, requireRunner } from "../require-token.ts";
import { validate } from "../validate.ts";
import { writeBatch } from "../write-batch.ts";

const stateQuery = z.object({
  key: z.string().max(65536).optional(),
  format: z.enum(["0.1", "0.12"]).optional(),
});

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
      const { key, format = "0.1" } = c.req.valid("query");
      let found: { keyType: string; totals: StoredTotal[] } | undefined;
      if (key === undefined) {
        found = await state.store.readAll(namespace, state.shards);
      } else {
        const shard = shardOfKey(new TextEncoder().encode(key), state.shards);
        const one = await state.store.readKey(namespace, shard, key);
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
      const mediaType = accepts(c, {
        header: "Accept",
        supports: [NDJSON_MEDIA_TYPE, COLUMNAR_MEDIA_TYPE],
        default: NDJSON_MEDIA_TYPE,
      });
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
