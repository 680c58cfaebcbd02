// `/v1/operators` (spec/http-api.md §Operators): list and read entries; upload (PUT) and delete
// as admin. Validation and storage belong to the registry; this only maps HTTP onto it.
import { Hono } from "hono";
import { z } from "zod";
import { ColwasmError } from "../../error.ts";
import type { AppDeps } from "../app-deps.ts";
import type { AppEnv } from "../app-env.ts";
import { requestBody } from "../request-body.ts";
import { requireMediaType } from "../require-media-type.ts";
import { requireAdmin } from "../require-token.ts";
import { validate } from "../validate.ts";
import { unknownOperator } from "../../registry/index.ts";

/** Manifest fields an upload may give as headers; they win over the module's section. */
const uploadHeaders = z.object({
  "operator-abi": z.enum(["colwasm/1", "blog"]).optional(),
  "operator-input": z.string().min(1).max(4096).optional(),
  "operator-output": z.string().min(1).max(4096).optional(),
  "operator-description": z.string().max(2000).optional(),
});

/** The operator routes. */
export function operatorRoutes(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const admin = requireAdmin(deps.auth.adminToken);

  app.get("/v1/operators", async function listOperators(c) {
    return c.json({ operators: await deps.registry.list() });
  });

  app.get("/v1/operators/:name", async function getOperator(c) {
    const name = c.req.param("name");
    const entry = await deps.registry.get(name);
    if (entry === undefined) throw unknownOperator(name);
    return c.json(entry);
  });

  app.put(
    "/v1/operators/:name",
    admin,
    requireMediaType("application/wasm"),
    requestBody(deps.limits.maxModuleBytes, "operator module", { idleMs: deps.limits.bodyIdleMs }),
    validate("header", uploadHeaders),
    async function putOperator(c) {
      const name = c.req.param("name");
      const h = c.req.valid("header");
      const wasm = new Uint8Array(await c.req.arrayBuffer());
      const entry = await deps.registry
        .put(name, wasm, {
          abi: h["operator-abi"],
          input: h["operator-input"],
          output: h["operator-output"],
          description: h["operator-description"],
        })
        .catch((error: unknown) => {
          // the module readers below the registry (not WebAssembly, a broken section) know no
          // name: every refusal of an upload names the operator it refused
          if (error instanceof ColwasmError && error.type === "invalid-operator")
            error.fields.operator ??= name;
          throw error;
        });
      c.header("location", `/v1/operators/${encodeURIComponent(name)}`);
      return c.json(entry, 201);
    },
  );

  app.delete("/v1/operators/:name", admin, async function deleteOperator(c) {
    await deps.registry.delete(c.req.param("name"));
    return c.body(null, 204);
  });

  return app;
}
