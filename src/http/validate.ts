// zod validation of headers and query through @hono/zod-validator; failures are thrown as
// `bad-request` with zod's issue list so `app.onError` renders them (style §6).
import { zValidator } from "@hono/zod-validator";
import type { ValidationTargets } from "hono";
import type { z } from "zod";
import { ColwasmError } from "../error.ts";

/** A validator middleware for `target` that throws `bad-request` listing the issues. */
export function validate<T extends z.ZodType, Target extends keyof ValidationTargets>(
  target: Target,
  schema: T,
) {
  return zValidator(target, schema, (result) => {
    if (result.success) return;
    const issues = result.error.issues.map((i) => ({
      path: i.path.map(String),
      message: i.message,
      code: i.code,
    }));
    const summary = issues.map((i) => `${i.path.join(".") || target}: ${i.message}`).join("; ");
    throw new ColwasmError("bad-request", `Cannot accept the request ${target}: ${summary}`, { issues });
  });
}
