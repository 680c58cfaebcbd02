// The app a runtime serves when it could not build its dependencies (e.g. a malformed setting):
// every request answers that failure as a problem (500 `internal` for a plain Error, with a
// request id, its stack logged and never sent), through the same `onError` as the real app.
import { Hono } from "hono";
import { requestId } from "hono/request-id";
import type { AppEnv } from "./app-env.ts";
import { renderProblem } from "./problem.ts";

/** An app answering every request with `error` as problem+json. */
export function createFailedApp(error: unknown): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use(requestId({ headerName: "X-Request-Id" }));
  app.all("*", function answerStartupFailure() {
    throw error instanceof Error ? error : new Error(String(error));
  });
  app.onError(renderProblem);
  return app;
}
