// A problem+json answer (RFC 9457) as a typed error on the client side, with its fields.
import { ColwasmError, type ProblemType } from "../error.ts";

/** The runtime answered a problem; `status` and `problem` carry what it said. */
export class ColwasmClientError extends ColwasmError {
  readonly status: number;
  readonly problem: Readonly<Record<string, unknown>>;

  constructor(status: number, problem: Readonly<Record<string, unknown>>) {
    const slug = typeof problem.type === "string" ? problem.type.replace(/^\/problems\//, "") : "internal";
    const detail = typeof problem.detail === "string" ? problem.detail : `HTTP ${status}`;
    const { type: _t, title: _ti, status: _s, detail: _d, ...fields } = problem;
    super(slug as ProblemType, detail, fields);
    this.name = "ColwasmClientError";
    this.status = status;
    this.problem = problem;
  }

  /** True for answers worth retrying with the same Idempotency-Key (503). */
  get isRetryable(): boolean {
    return this.status === 503;
  }
}
