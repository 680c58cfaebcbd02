// The text served at `/problems/<type>` for every problem type (spec/http-api.md §Problems):
// the `type` URI of every problem body resolves to one of these.
import type { ProblemType } from "../error.ts";

/** Title and explanation of one problem type. */
export interface ProblemDoc {
  readonly title: string;
  readonly text: string;
}

/** Documentation of every problem type; the compiler demands an entry for each. */
export const PROBLEM_DOCS: Readonly<Record<ProblemType, ProblemDoc>> = {
  "bad-batch": {
    title: "Bad batch",
    text: "The body violates the columnar wire format (spec/columnar-format.md §6). `rule` is the stable code of the rule broken, `slice` names the slice (§4.8) and `offset` or `row` point at the error where that applies.",
  },
  "bad-schema": {
    title: "Bad schema",
    text: "The Columnar-Schema header does not parse in the schema language (spec/columnar-format.md §3). `offset` is the 0-based character offset of the problem.",
  },
  "bad-request": {
    title: "Bad request",
    text: "A header or query parameter is missing or invalid: a missing Columnar-Schema (`rule: schema-missing`), an unsupported Columnar-Format (`rule: unsupported-format`, checked before the schema), a Columnar-Format and a `format` query parameter that disagree (`rule: conflicting-format`), a chain that does not parse or has too many stages, a body whose gzip or deflate Content-Encoding does not decode (`rule: content-encoding`), a body that cannot be read to its end: the client went away, sent less than its Content-Length or broke its chunked framing (`rule: body-unreadable`). Validation issues are listed in `issues`.",
  },
  unauthorized: {
    title: "Unauthorized",
    text: "The route needs `Authorization: Bearer <token>` and the token is missing or wrong: the admin token for operator uploads and deletions, the run token (when one is configured) for runs and state.",
  },
  forbidden: {
    title: "Forbidden",
    text: "Admin routes are disabled because this runtime has no admin token configured (COLWASM_ADMIN_TOKEN).",
  },
  "unknown-operator": {
    title: "Unknown operator",
    text: "No operator of that name is built in or was uploaded. `operator` names it. GET /v1/operators lists the operators.",
  },
  "unknown-state": {
    title: "Unknown state",
    text: "The reduce state namespace, or the key asked for, does not exist.",
  },
  "not-found": {
    title: "Not found",
    text: "No route has this path (GET / describes the runtime; the routes are GET /v1/operators[/NAME], PUT and DELETE /v1/operators/NAME, POST /v1/run, GET and DELETE /v1/state/NAME, GET /healthz, GET /problems/TYPE). A missing operator or state namespace is `unknown-operator` or `unknown-state` instead.",
  },
  "method-not-allowed": {
    title: "Method not allowed",
    text: "The path exists but does not take this method. The `Allow` response header, and the `allow` member, list the methods it takes (HEAD works wherever GET does; OPTIONS answers 204 with the same `Allow`).",
  },
  "not-acceptable": {
    title: "Not acceptable",
    text: "The Accept header rules out every media type this route can answer (`supported` lists them), e.g. `Accept: */*;q=0`. An Accept that merely names other types (a browser's `text/html`) is not refused: the route's default type is answered.",
  },
  conflict: {
    title: "Conflict",
    text: "The request conflicts with what exists: a built-in operator cannot be replaced or deleted, and an Idempotency-Key cannot be reused with a different request (body, chain, schema, format or media type).",
  },
  "too-large": {
    title: "Too large",
    text: "The request body, an operator module or an operator's output is over its configured limit. A body sent with a Content-Encoding is counted decoded.",
  },
  "request-timeout": {
    title: "Request timeout",
    text: "The request body stopped arriving: nothing came for COLWASM_BODY_IDLE_MS (30 s by default), so the request was given up before anything ran (`rule: body-idle`, `idleMs`). Sending it again is safe.",
  },
  "unsupported-media-type": {
    title: "Unsupported media type",
    text: "Batches are sent as application/x-columnar (or application/x-ndjson rows), operator modules as application/wasm. A body may carry Content-Encoding gzip or deflate (decoded on entry); another content coding is refused with an `Accept-Encoding` header listing these.",
  },
  "chain-type-mismatch": {
    title: "Chain type mismatch",
    text: "The chain does not type-check: stage `stage` (`operator`) takes `expected`, but the batch or the previous stage gives `actual`. Nothing ran.",
  },
  "invalid-operator": {
    title: "Invalid operator",
    text: "The uploaded module was rejected: not WebAssembly, missing or ill-typed exports, an import the host does not supply, a bad manifest, or an example whose output differs (`rule` says which).",
  },
  "operator-failed": {
    title: "Operator failed",
    text: "An operator failed while running: `operator` names it, `stage` its position, `reason` is trap, error (act returned 0), deadline, memory or invalid-output. No state was changed; the runtime keeps serving.",
  },
  unavailable: {
    title: "Unavailable",
    text: "A storage or platform service this request needs is unavailable; retry later.",
  },
  internal: {
    title: "Internal error",
    text: "A bug in colwasm. The response carries a `requestId`; the server logged the details under it.",
  },
};

/** True when `type` is a problem type (for the `/problems/:type` route). */
export function isProblemType(type: string): type is ProblemType {
  return Object.hasOwn(PROBLEM_DOCS, type);
}
