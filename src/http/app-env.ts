// The hono environment shared by the app and its routes.
import type { RequestIdVariables } from "hono/request-id";

/** Context variables set by the app's middleware. */
export type AppEnv = { Variables: RequestIdVariables };
