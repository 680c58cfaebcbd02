// Public surface of the HTTP layer: the app factory and the dependencies a runtime injects.
export type { AppDeps, ChainService, OperatorEntry, OperatorRegistry, RuntimeLimits } from "./app-deps.ts";
export type { AppEnv } from "./app-env.ts";
export { createApp } from "./app.ts";
export { type CorsOrigins, parseCorsOrigins } from "./cors.ts";
export { PROBLEM_DOCS } from "./problem-docs.ts";
export { PROBLEM_MEDIA_TYPE, PROBLEM_STATUS, problemPath } from "./problem.ts";
export { COLUMNAR_MEDIA_TYPE, NDJSON_MEDIA_TYPE } from "./read-batch.ts";
export { requireAdmin, requireRunner } from "./require-token.ts";
export { DEFAULT_BODY_IDLE_MS, requestBody } from "./request-body.ts";
export { validate } from "./validate.ts";
export { createFailedApp } from "./create-failed-app.ts";
export { negotiate, negotiateMediaType, parseAccept, type MediaRange } from "./negotiate.ts";
export { HttpProblem, type HttpProblemType } from "./http-problem.ts";
