// Problems only the HTTP layer raises (routing and content negotiation): three of the ProblemTypes
// of src/error.ts, carried with the response headers they need; `renderProblem` answers both. Each is documented at `/problems/<type>`.
import type { ProblemFields, ProblemType } from "../error.ts";

/** Problem types of HTTP routing and negotiation (README §The HTTP API). */
export type HttpProblemType = Extract<ProblemType, "not-found" | "method-not-allowed" | "not-acceptable">;

/** A routing or negotiation failure, with the response headers it needs (e.g. `Allow`). */
export class HttpProblem extends Error {
  readonly type: HttpProblemType;
  readonly fields: ProblemFields;
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    type: HttpProblemType,
    message: string,
    fields: ProblemFields = {},
    headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = "HttpProblem";
    this.type = type;
    this.fields = fields;
    this.headers = headers;
  }
}
