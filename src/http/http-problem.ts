// Problems only the HTTP layer raises (routing, content negotiation and content codings): ProblemTypes
// of src/error.ts carried with the response headers they need (`Allow`, `Accept-Encoding`);
// `renderProblem` answers both. Each is documented at `/problems/<type>`.
import type { ProblemFields, ProblemType } from "../error.ts";

/** Problem types of HTTP routing and negotiation (README §The HTTP API). */
export type HttpProblemType = Extract<
  ProblemType,
  "not-found" | "method-not-allowed" | "not-acceptable" | "unsupported-media-type"
>;

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
