// Problems only the HTTP layer raises (routing and content negotiation), beside the ColwasmError
// types of src/error.ts; `renderProblem` answers both. Each is documented at `/problems/<type>`.
import type { ProblemFields, ProblemType } from "../error.ts";

/** Problem types of HTTP routing and negotiation (README §The HTTP API). */
export type HttpProblemType = "not-found" | "method-not-allowed" | "not-acceptable";

/** Every problem type a response may name. */
export type AnyProblemType = ProblemType | HttpProblemType;

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
