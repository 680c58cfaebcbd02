// The one place errors become HTTP answers: RFC 9457 `application/problem+json` bodies, with the
// status of every problem type (spec/http-api.md §Problems). `app.onError` is its only caller.
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { ColwasmError, type ProblemFields, type ProblemType } from "../error.ts";
import { HttpProblem } from "./http-problem.ts";
import { PROBLEM_DOCS } from "./problem-docs.ts";

/** HTTP status of every problem type; the compiler demands one for each. */
export const PROBLEM_STATUS: Readonly<Record<ProblemType, number>> = {
  "bad-batch": 400,
  "bad-schema": 400,
  "bad-request": 400,
  unauthorized: 401,
  forbidden: 403,
  "unknown-operator": 404,
  "unknown-state": 404,
  "not-found": 404,
  "method-not-allowed": 405,
  "not-acceptable": 406,
  "request-timeout": 408,
  conflict: 409,
  "too-large": 413,
  "unsupported-media-type": 415,
  "chain-type-mismatch": 422,
  "invalid-operator": 422,
  "operator-failed": 422,
  unavailable: 503,
  internal: 500,
};

/** Problem types of hono's own HTTPExceptions (routing, malformed input) that have one. */
const TYPE_OF_STATUS: Readonly<Record<number, ProblemType>> = {
  400: "bad-request",
  401: "unauthorized",
  403: "forbidden",
  404: "not-found",
  405: "method-not-allowed",
  406: "not-acceptable",
  408: "request-timeout",
  413: "too-large",
  415: "unsupported-media-type",
};

/** Media type of every problem body (RFC 9457 §3). */
export const PROBLEM_MEDIA_TYPE = "application/problem+json";

/** The path documenting `type`; also the problem's `type` member (a relative URI reference). */
export function problemPath(type: ProblemType): string {
  return `/problems/${type}`;
}

function respond(
  c: Context,
  status: number,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": PROBLEM_MEDIA_TYPE, "x-request-id": requestIdOf(c), ...headers },
  });
}

function problem(
  c: Context,
  type: ProblemType,
  message: string,
  fields: ProblemFields,
  extraHeaders: Readonly<Record<string, string>> = {},
): Response {
  const status = PROBLEM_STATUS[type];
  const members: ProblemFields = Object.fromEntries(
    Object.entries(fields).filter(([, v]) => v !== undefined),
  );
  const body = {
    ...members,
    type: problemPath(type),
    title: PROBLEM_DOCS[type].title,
    status,
    detail: message,
  };
  const headers: Record<string, string> = { ...extraHeaders };
  // RFC 6750 §3: a 401 carries the challenge.
  if (type === "unauthorized") headers["www-authenticate"] = 'Bearer realm="colwasm"';
  // RFC 9110 §10.2.3: a retryable 503 says when to retry (partially applied reduce, issue #6).
  if (typeof fields.retryAfterSeconds === "number") headers["retry-after"] = String(fields.retryAfterSeconds);
  return respond(c, status, body, headers);
}

/**
 * The app's `onError`: a ColwasmError or HttpProblem becomes its problem, a hono HTTPException
 * the problem of its status (`about:blank` when none fits), anything else a 500 `internal` whose
 * stack is logged under a request id and never sent.
 */
export function renderProblem(error: Error, c: Context): Response {
  if (error instanceof ColwasmError) return problem(c, error.type, error.message, error.fields);
  if (error instanceof HttpProblem) return problem(c, error.type, error.message, error.fields, error.headers);
  if (error instanceof HTTPException) {
    const type = TYPE_OF_STATUS[error.status];
    if (type !== undefined) return problem(c, type, error.message || PROBLEM_DOCS[type].title, {});
    return respond(c, error.status, { type: "about:blank", title: "HTTP error", status: error.status });
  }
  const requestId = requestIdOf(c);
  console.error(`colwasm: internal error (request ${requestId}):`, error);
  const status = PROBLEM_STATUS.internal;
  return respond(c, status, {
    type: problemPath("internal"),
    title: PROBLEM_DOCS.internal.title,
    status,
    detail: `Cannot answer the request: an internal error occurred (request id "${requestId}")`,
    requestId,
  });
}

function requestIdOf(c: Context): string {
  const id: unknown = c.get("requestId");
  return typeof id === "string" ? id : crypto.randomUUID();
}
