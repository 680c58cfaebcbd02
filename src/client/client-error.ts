// A problem+json answer (RFC 9457, spec/http-api.md §Problems) as a typed error on the client side:
// the problem's `type` slug, `title`, `status`, `detail` and extension fields, plus `Retry-After`.
import { ColwasmError, type ProblemType } from "../error.ts";
import { parseRetryAfter } from "./retry-delay.ts";

const PROBLEM_TYPES: readonly ProblemType[] = [
  "bad-batch",
  "bad-schema",
  "bad-request",
  "unauthorized",
  "forbidden",
  "unknown-operator",
  "unknown-state",
  "conflict",
  "too-large",
  "unsupported-media-type",
  "chain-type-mismatch",
  "invalid-operator",
  "operator-failed",
  "unavailable",
  "internal",
  "not-found",
  "method-not-allowed",
  "not-acceptable",
  "request-timeout",
];

/** Statuses a retry under the same Idempotency-Key may fix (see `isRetryable`). */
const RETRYABLE_STATUS: ReadonlySet<number> = new Set([408, 429, 502, 503, 504]);

/**
 * The slug of a problem `type` (`/problems/bad-batch` -> `bad-batch`); unknown types map by status.
 * 429 (Too Many Requests: a proxy's or platform's rate limit, never the runtime's own problem)
 * and 502/504 (a gateway that could not reach the runtime, or gave up on it) map to `unavailable`
 * like 503: the request failed for now, not for what it is.
 */
function problemTypeOf(type: unknown, status: number): ProblemType {
  const slug = typeof type === "string" ? type.replace(/^.*\/problems\//, "") : "";
  const known = PROBLEM_TYPES.find((t) => t === slug);
  if (known !== undefined) return known;
  if (status === 401) return "unauthorized";
  if (status === 403) return "forbidden";
  if (status === 404) return "not-found";
  if (status === 413) return "too-large";
  if (status === 415) return "unsupported-media-type";
  if (RETRYABLE_STATUS.has(status)) return "unavailable";
  return status >= 500 ? "internal" : "bad-request";
}

/**
 * The runtime answered a problem; `status`, `title`, `type` (slug), `message` (the problem's
 * `detail`) and `fields` (extension members: `slice`, `operator`, `reason`, `stage`, …) carry what
 * it said, `problem` the whole body.
 *
 * @example Telling a failing operator from a bad request
 * ```ts
 * import assert from "node:assert/strict";
 * import { ColwasmClientError } from "./client-error.ts";
 * const error = new ColwasmClientError(422, {
 *   type: "/problems/operator-failed", title: "Operator failed", status: 422,
 *   detail: 'Operator "x" trapped', operator: "x", reason: "trap",
 * });
 * assert.equal(error.type, "operator-failed");
 * assert.equal(error.fields.reason, "trap");
 * assert.equal(error.isRetryable, false);
 * ```
 */
export class ColwasmClientError extends ColwasmError {
  readonly status: number;
  /** The problem's `title`, or one made from its type (`bad-batch` -> `Bad batch`). */
  readonly title: string;
  readonly problem: Readonly<Record<string, unknown>>;
  /** Milliseconds the runtime asked to wait (`Retry-After`), when it said. */
  readonly retryAfterMs: number | undefined;

  constructor(
    status: number,
    problem: Readonly<Record<string, unknown>>,
    options: { retryAfterMs?: number } = {},
  ) {
    const type = problemTypeOf(problem.type, status);
    const detail = typeof problem.detail === "string" ? problem.detail : `HTTP ${status}`;
    const { type: _t, title: _ti, status: _s, detail: _d, ...fields } = problem;
    super(type, detail, fields);
    this.name = "ColwasmClientError";
    this.status = status;
    this.title =
      typeof problem.title === "string" && problem.title !== ""
        ? problem.title
        : type.charAt(0).toUpperCase() + type.slice(1).replaceAll("-", " ");
    this.problem = problem;
    this.retryAfterMs = options.retryAfterMs;
  }

  /**
   * True for answers worth retrying with the same Idempotency-Key: 503 (spec/http-api.md §Reduce),
   * 429 (rate limited), honouring `Retry-After` when sent, a gateway's 502/504 (the runtime may
   * or may not have applied the batch: exactly what the key makes safe to resend), and 408 (the
   * body stopped arriving, so nothing ran).
   */
  get isRetryable(): boolean {
    return RETRYABLE_STATUS.has(this.status);
  }
}

/**
 * A non-2xx answer as a ColwasmClientError: its problem+json; else the start of its text as
 * `detail`; else (no body, or JSON that is no problem: another server on the port, a proxy) a
 * detail naming the URL and the status, instead of a bare `HTTP 404`.
 */
export async function problemFromResponse(res: Response): Promise<ColwasmClientError> {
  const text = await res.text();
  let problem: Record<string, unknown> | undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed))
      problem = Object.fromEntries(Object.entries(parsed));
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
  }
  if (problem === undefined || (typeof problem.type !== "string" && typeof problem.detail !== "string")) {
    // the text is the detail when there is one (a proxy's "rate limited"); else say who answered what
    const snippet = text.replaceAll(/\s+/g, " ").trim().slice(0, 200);
    const status = `HTTP ${res.status}${res.statusText === "" ? "" : ` ${res.statusText}`}`;
    const where = res.url === "" ? "The answer was" : `${res.url} answered`;
    problem = {
      ...problem,
      detail:
        problem === undefined && snippet !== ""
          ? snippet
          : `${where} ${status} with no problem details (is a colwasm runtime answering there?)`,
    };
  }
  return new ColwasmClientError(res.status, problem, {
    retryAfterMs: parseRetryAfter(res.headers.get("retry-after")),
  });
}
