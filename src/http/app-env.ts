// The hono environment shared by the app and its routes.
import type { RequestIdVariables } from "hono/request-id";
import type { RequestBody } from "./request-body.ts";

/** Context variables set by the app's middleware (`requestBody`: on routes that take a body). */
export type AppEnv = { Variables: RequestIdVariables & { requestBody: RequestBody } };
