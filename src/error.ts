// The one error type every expected failure becomes; src/http/problem.ts turns it into an
// RFC 9457 problem+json answer (spec/http-api.md §Problems). Anything else is a bug (500).

/** Problem slugs of spec/http-api.md §Problems; each one is documented at `/problems/<type>`. */
export type ProblemType =
  | "bad-batch"
  | "bad-schema"
  | "bad-request"
  | "unauthorized"
  | "forbidden"
  | "unknown-operator"
  | "unknown-state"
  | "conflict"
  | "too-large"
  | "unsupported-media-type"
  | "chain-type-mismatch"
  | "invalid-operator"
  | "operator-failed"
  | "unavailable"
  | "internal"
  // raised by the HTTP layer's routing and negotiation only (src/http/http-problem.ts)
  | "not-found"
  | "method-not-allowed"
  | "not-acceptable"
  // raised while reading a request body (src/http/request-body.ts)
  | "request-timeout";

/** Typed extension members of a problem body; never holds secrets. */
export interface ProblemFields {
  rule?: string;
  slice?: string;
  sliceIndex?: number;
  offset?: number;
  operator?: string;
  reason?: string;
  stage?: number;
  [key: string]: unknown;
}

/** An expected failure caused by a request, an operator or a limit. */
export class ColwasmError extends Error {
  readonly type: ProblemType;
  readonly fields: ProblemFields;

  constructor(type: ProblemType, message: string, fields: ProblemFields = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ColwasmError";
    this.type = type;
    this.fields = fields;
  }
}
