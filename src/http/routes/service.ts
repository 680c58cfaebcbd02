// Service routes (spec/http-api.md §Service): `GET /` describes this runtime, `GET /healthz`
// answers `ok`, and `/problems/<type>` documents every problem type a response may name.
import { Hono } from "hono";
import { FORMATS } from "../../columnar/index.ts";
import { SUPPLIED_IMPORTS } from "../../wasm/index.ts";
import type { AppDeps } from "../app-deps.ts";
import type { AppEnv } from "../app-env.ts";
import { HttpProblem } from "../http-problem.ts";
import { isProblemType, PROBLEM_DOCS } from "../problem-docs.ts";
import { PROBLEM_STATUS } from "../problem.ts";

/** The service routes. */
export function serviceRoutes(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get("/", function describeService(c) {
    return c.json({
      name: "colwasm",
      version: deps.version,
      runtime: deps.runtime,
      formats: FORMATS,
      builtins: deps.builtins,
      // what an uploaded module may import (README: Imports)
      imports: SUPPLIED_IMPORTS,
    });
  });

  app.get("/healthz", function healthz(c) {
    return c.text("ok");
  });

  app.get("/problems/:type", function problemDoc(c) {
    const type = c.req.param("type");
    if (!isProblemType(type)) {
      const message = `Cannot find problem type ${JSON.stringify(type)}: no such type`;
      throw new HttpProblem("not-found", message, { path: c.req.path });
    }
    const doc = PROBLEM_DOCS[type];
    return c.text(`${doc.title} (${PROBLEM_STATUS[type]})\n\n${doc.text}\n`);
  });

  return app;
}
