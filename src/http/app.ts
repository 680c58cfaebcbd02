// Assembles the one hono app every runtime serves (spec/http-api.md): CORS, request ids, HEAD lengths,
// the routes of each resource, 404/405/OPTIONS for requests no route takes, and `onError` as the
// only writer of problems. Runtime entries call createApp.
import { Hono } from "hono";
import { requestId } from "hono/request-id";
import type { AppDeps } from "./app-deps.ts";
import type { AppEnv } from "./app-env.ts";
import { cors } from "./cors.ts";
import { headLength } from "./head-length.ts";
import { renderProblem } from "./problem.ts";
import { operatorRoutes } from "./routes/operators.ts";
import { runRoutes } from "./routes/run.ts";
import { serviceRoutes } from "./routes/service.ts";
import { stateRoutes } from "./routes/state.ts";
import { answerUnrouted } from "./unrouted.ts";

/** The colwasm HTTP app over the runtime's dependencies. */
export function createApp(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  // outermost, so its fields reach every answer, problems and HEAD lengths included
  app.use(cors(deps.cors));
  app.use(requestId({ headerName: "X-Request-Id" }));
  app.use(headLength());
  app.route("/", serviceRoutes(deps));
  app.route("/", runRoutes(deps));
  app.route("/", operatorRoutes(deps));
  app.route("/", stateRoutes(deps));
  app.notFound(answerUnrouted(app));
  app.onError(renderProblem);
  return app;
}
