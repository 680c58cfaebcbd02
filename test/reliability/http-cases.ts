// Random HTTP requests for the decoder and HTTP fuzz (issue #9): valid batches of random schemas
// with mutated bytes, truncations, absurd length words, and wrong headers (schema, format,
// content-type, chain, accept, idempotency key), plus the oracle every answer must satisfy.
import fc from "fast-check";
import {
  BatchError,
  columnSlices,
  columnToRows,
  decodeBatch,
  encodeBatch,
  type Format,
  formatJsonLines,
  formatSchema,
  parseFormat,
  parseJsonLines,
  parseSchema,
  rowsToColumn,
  type Schema,
} from "../../src/columnar/index.ts";
import { PROBLEM_STATUS } from "../../src/http/index.ts";
import { schemaArbitrary, valueArbitrary } from "../support/arbitraries.ts";
import { bodyMutationArbitrary, mutateBody } from "../support/body-mutations.ts";

/** One request of the fuzz. */
export interface HttpCase {
  readonly method: "POST" | "GET" | "PUT" | "DELETE";
  /** Path and query, e.g. `/v1/run?chain=identity`. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array<ArrayBuffer> | undefined;
  /** The chain of a run (undefined when the query has no `chain`). */
  readonly chain: string | undefined;
  /** Set when headers and chain are exactly right and only the body may be broken. */
  readonly isClean: boolean;
}

/** What came back. */
export interface HttpAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Uint8Array;
}

const STRING_I64: Schema = parseSchema("(String, i64)");

/** Mostly `(String, i64)` (what the operators take), else any schema. */
const requestSchemaArbitrary = fc.oneof(
  { weight: 2, arbitrary: fc.constant(STRING_I64) },
  { weight: 3, arbitrary: schemaArbitrary() },
);

/** Printable ASCII (what fetch may put in a header on every runtime). */
const headerText = (maxLength: number) =>
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength });

const schemaHeaderArbitrary = (
  schema: Schema,
): fc.Arbitrary<{ value: string | undefined; isRight: boolean }> =>
  fc.oneof(
    { weight: 12, arbitrary: fc.constant({ value: formatSchema(schema), isRight: true }) },
    { weight: 2, arbitrary: schemaArbitrary().map((s) => ({ value: formatSchema(s), isRight: false })) },
    { weight: 1, arbitrary: fc.constant({ value: undefined, isRight: false }) },
    { weight: 1, arbitrary: headerText(40).map((value) => ({ value, isRight: false })) },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom("(", "Vec<", "Option<", "((String,", "Result<i64,")
        .chain((open) => fc.integer({ min: 1, max: 3000 }).map((n) => open.repeat(n)))
        .map((value) => ({ value, isRight: false })),
    },
  );

const formatHeaderArbitrary = (
  format: Format,
): fc.Arbitrary<{ value: string | undefined; isRight: boolean }> =>
  fc.oneof(
    { weight: 10, arbitrary: fc.constant({ value: format, isRight: true }) },
    { weight: 2, arbitrary: fc.constant({ value: format === "0.1" ? undefined : format, isRight: true }) },
    { weight: 1, arbitrary: fc.constant({ value: format === "0.1" ? "0.12" : "0.1", isRight: false }) },
    {
      weight: 1,
      arbitrary: fc
        .oneof(fc.constantFrom("0.2", "1", "", "0.10", "0.1.0", "v0.12"), headerText(8))
        .map((value) => ({ value, isRight: false })),
    },
  );

const contentTypeArbitrary: fc.Arbitrary<{
  value: string | undefined;
  kind: "columnar" | "ndjson" | "other";
}> = fc.oneof(
  { weight: 12, arbitrary: fc.constant({ value: "application/x-columnar", kind: "columnar" as const }) },
  { weight: 3, arbitrary: fc.constant({ value: "application/x-ndjson", kind: "ndjson" as const }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      { value: "APPLICATION/X-COLUMNAR; charset=binary", kind: "columnar" as const },
      { value: "application/x-ndjson;charset=utf-8", kind: "ndjson" as const },
    ),
  },
  {
    weight: 2,
    arbitrary: fc
      .oneof(
        fc.constantFrom(
          undefined,
          "text/plain",
          "application/json",
          "application/wasm",
          "application/x-columnar2",
        ),
        headerText(30),
      )
      .map((value) => ({ value, kind: "other" as const })),
  },
);

const OPERATOR_CHAINS = [
  "identity",
  "split_words",
  "split_words,lowercase",
  "filter_nonempty,len_plus_diff",
  "len_plus_diff_blog",
  "lowercase,reduce:fuzz",
  "reduce:fuzz",
  "identity,identity,identity",
];

const chainArbitrary: fc.Arbitrary<{ value: string | undefined; isEmpty: boolean }> = fc.oneof(
  { weight: 10, arbitrary: fc.constant({ value: "", isEmpty: true }) },
  { weight: 6, arbitrary: fc.constantFrom(...OPERATOR_CHAINS).map((value) => ({ value, isEmpty: false })) },
  {
    weight: 2,
    arbitrary: fc
      .oneof(
        fc.constantFrom(
          "no_such_op",
          "reduce:",
          "reduce:a/b",
          ",",
          "identity,",
          ",identity",
          "identity,,identity",
          "../etc/passwd",
          "identity;rm",
        ),
        fc.integer({ min: 1, max: 60 }).map((n) => Array.from({ length: n }, () => "identity").join(",")),
        fc.integer({ min: 4090, max: 5000 }).map((n) => "a".repeat(n)),
        headerText(30),
      )
      .map((value) => ({ value, isEmpty: false })),
  },
  { weight: 1, arbitrary: fc.constant({ value: undefined, isEmpty: false }) },
);

const acceptArbitrary = fc.oneof(
  { weight: 6, arbitrary: fc.constant(undefined) },
  { weight: 2, arbitrary: fc.constantFrom("application/x-ndjson", "application/x-columnar", "*/*") },
  { weight: 1, arbitrary: headerText(20) },
);

const idempotencyArbitrary = fc.oneof(
  { weight: 8, arbitrary: fc.constant(undefined) },
  { weight: 2, arbitrary: fc.uuid() },
  { weight: 1, arbitrary: fc.constantFrom("", "k".repeat(300), "fixed-key-1") },
);

/** The body: a mutated encoding, NDJSON rows (maybe broken), or raw bytes. */
function bodyArbitrary(
  schema: Schema,
  format: Format,
  kind: "columnar" | "ndjson" | "other",
): fc.Arbitrary<{ body: Uint8Array; isMutated: boolean }> {
  const rows = fc.array(valueArbitrary(schema), { maxLength: 12 });
  const encoded = rows.map((r) => rowsToColumn(schema, r));
  if (kind === "ndjson") {
    return fc.oneof(
      rows.map((r) => ({ body: new TextEncoder().encode(formatJsonLines(r)), isMutated: false })),
      fc
        .tuple(
          rows,
          fc.array(
            bodyMutationArbitrary.filter((m) => m.kind !== "swap"),
            { minLength: 1, maxLength: 2 },
          ),
        )
        .map(([r, ms]) => ({
          body: ms.reduce<Uint8Array>(
            (b, m) => mutateBody(b, m, [], format),
            new TextEncoder().encode(formatJsonLines(r)),
          ),
          isMutated: true,
        })),
    );
  }
  return fc.oneof(
    { weight: 3, arbitrary: encoded.map((c) => ({ body: encodeBatch(c, { format }), isMutated: false })) },
    {
      weight: 10,
      arbitrary: fc
        .tuple(encoded, fc.array(bodyMutationArbitrary, { minLength: 1, maxLength: 3 }))
        .map(([column, ms]) => {
          const slices = columnSlices(column, format);
          return {
            body: ms.reduce<Uint8Array>(
              (b, m) => mutateBody(b, m, slices, format),
              encodeBatch(column, { format }),
            ),
            isMutated: true,
          };
        }),
    },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((body) => ({ body, isMutated: true })) },
  );
}

const runCaseArbitrary: fc.Arbitrary<HttpCase> = fc
  .tuple(requestSchemaArbitrary, fc.constantFrom<Format>("0.1", "0.12"), contentTypeArbitrary)
  .chain(([schema, format, contentType]) =>
    fc.record({
      schemaHeader: schemaHeaderArbitrary(schema),
      formatHeader: formatHeaderArbitrary(format),
      contentType: fc.constant(contentType),
      chain: chainArbitrary,
      accept: acceptArbitrary,
      idempotencyKey: idempotencyArbitrary,
      body: bodyArbitrary(schema, format, contentType.kind),
    }),
  )
  .map((r): HttpCase => {
    const headers: Record<string, string> = {};
    if (r.contentType.value !== undefined) headers["content-type"] = r.contentType.value;
    if (r.schemaHeader.value !== undefined) headers["columnar-schema"] = r.schemaHeader.value;
    if (r.formatHeader.value !== undefined) headers["columnar-format"] = r.formatHeader.value;
    if (r.accept !== undefined) headers.accept = r.accept;
    if (r.idempotencyKey !== undefined) headers["idempotency-key"] = r.idempotencyKey;
    const path =
      r.chain.value === undefined ? "/v1/run" : `/v1/run?chain=${encodeURIComponent(r.chain.value)}`;
    return {
      method: "POST",
      path,
      headers,
      body: r.body.body.slice(),
      chain: r.chain.value,
      isClean:
        r.schemaHeader.isRight &&
        r.formatHeader.isRight &&
        r.contentType.kind === "columnar" &&
        r.chain.isEmpty &&
        (r.idempotencyKey === undefined || (r.idempotencyKey.length >= 1 && r.idempotencyKey.length <= 256)),
    };
  });

/** Requests to the other routes: state reads, operator reads, uploads of non-WASM or cut modules. */
function otherCaseArbitrary(options: {
  adminToken: string;
  moduleBytes: Uint8Array;
}): fc.Arbitrary<HttpCase> {
  const name = fc.oneof(
    fc.constantFrom("fuzz", "identity", "nope", "a.b-c_d", "x".repeat(70)),
    headerText(12),
  );
  const route = (
    method: HttpCase["method"],
    path: string,
    headers: Record<string, string>,
    body?: Uint8Array,
  ) => ({ method, path, headers, body: body?.slice(), chain: undefined, isClean: false }) satisfies HttpCase;
  return fc.oneof(
    fc
      .tuple(name, fc.option(headerText(10)), acceptArbitrary)
      .map(([n, key, accept]) =>
        route(
          "GET",
          `/v1/state/${encodeURIComponent(n)}${key === null ? "" : `?key=${encodeURIComponent(key)}`}`,
          accept === undefined ? {} : { accept },
        ),
      ),
    name.map((n) => route("GET", `/v1/operators/${encodeURIComponent(n)}`, {})),
    fc
      .tuple(
        name,
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }),
          fc.nat().map((at) => options.moduleBytes.slice(0, at % options.moduleBytes.length)),
        ),
        fc.constantFrom("application/wasm", "application/octet-stream"),
        fc.option(fc.constantFrom("colwasm/1", "blog", "other")),
        fc.option(fc.oneof(headerText(20), fc.constant("(String, i64)"))),
      )
      .map(([n, body, contentType, abi, input]) => {
        const headers: Record<string, string> = {
          "content-type": contentType,
          authorization: `Bearer ${options.adminToken}`,
        };
        if (abi !== null) headers["operator-abi"] = abi;
        if (input !== null) headers["operator-input"] = input;
        return route("PUT", `/v1/operators/${encodeURIComponent(n)}`, headers, body);
      }),
    name.map((n) => route("DELETE", `/v1/state/${encodeURIComponent(n)}`, {})),
  );
}

/** Every request the fuzz sends: mostly runs, some other routes. */
export function httpCaseArbitrary(options: {
  adminToken: string;
  moduleBytes: Uint8Array;
}): fc.Arbitrary<HttpCase> {
  return fc.oneof(
    { weight: 9, arbitrary: runCaseArbitrary },
    { weight: 1, arbitrary: otherCaseArbitrary(options) },
  );
}

/** Sends `c` to `url` with a deadline: a hang fails the case instead of the run. */
export async function sendCase(url: string, c: HttpCase, timeoutMs: number): Promise<HttpAnswer> {
  const res = await fetch(`${url}${c.path}`, {
    method: c.method,
    headers: c.headers,
    body: c.body,
    signal: AbortSignal.timeout(timeoutMs),
  });
  return { status: res.status, headers: res.headers, body: new Uint8Array(await res.arrayBuffer()) };
}

/** Sends `c` through an in-process app (`app.request`) with a deadline. */
export async function requestCase(
  app: { request(path: string, init: RequestInit): Response | Promise<Response> },
  c: HttpCase,
  timeoutMs: number,
): Promise<HttpAnswer> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const res = await Promise.race([
      Promise.resolve(
        app.request(`http://fuzz.local${c.path}`, { method: c.method, headers: c.headers, body: c.body }),
      ),
      hang,
    ]);
    return { status: res.status, headers: res.headers, body: new Uint8Array(await res.arrayBuffer()) };
  } finally {
    clearTimeout(timer);
  }
}

const decoder = new TextDecoder();

/**
 * The oracle: a 4xx problem+json whose `type` has that status, or a 200 whose body decodes under
 * its own headers, equal to the re-encoded input for the empty chain; a request whose headers are
 * right and whose body breaks a rule is 400 `bad-batch` with the decoder's rule. Returns a label
 * for the statistics; throws an Error describing the violation.
 */
export function checkAnswer(c: HttpCase, answer: HttpAnswer): string {
  const { status, headers, body } = answer;
  const contentType = headers.get("content-type") ?? "";
  const expected = c.isClean ? expectedOfClean(c) : undefined;
  if (status !== 200 && status !== 201 && status !== 204) {
    if (status < 400 || status >= 500)
      throw new Error(`answered ${status}: ${decoder.decode(body).slice(0, 500)}`);
    if (!contentType.startsWith("application/problem+json"))
      throw new Error(`answered ${status} with content-type ${JSON.stringify(contentType)}`);
    const problem = JSON.parse(decoder.decode(body)) as { type?: unknown; status?: unknown; rule?: unknown };
    if (problem.status !== status) throw new Error(`problem status ${String(problem.status)} on a ${status}`);
    const type = typeof problem.type === "string" ? problem.type : "";
    if (type === "about:blank") {
      if (status !== 404 && status !== 405) throw new Error(`about:blank on a ${status}`);
    } else {
      const slug = type.replace(/^\/problems\//, "");
      const known = (PROBLEM_STATUS as Record<string, number>)[slug];
      if (!type.startsWith("/problems/") || known !== status)
        throw new Error(`problem type ${JSON.stringify(type)} on a ${status}`);
    }
    // a key the fuzz sends again (a fixed one, or a repeated uuid) may be bound to another request
    const isKeyConflict = type === "/problems/conflict" && c.headers["idempotency-key"] !== undefined;
    if (expected !== undefined && expected.kind === "ok" && !isKeyConflict)
      throw new Error(`a valid body was refused: ${status} ${decoder.decode(body)}`);
    if (expected !== undefined && expected.kind === "rejected") {
      if (type !== `/problems/${expected.type}` || problem.rule !== expected.rule)
        throw new Error(`expected ${expected.type} (${expected.rule}), got ${decoder.decode(body)}`);
    }
    return `${status} ${type.replace("/problems/", "")}`;
  }
  if (c.method !== "POST" || c.chain === undefined) return String(status);
  if (expected !== undefined && expected.kind === "rejected")
    throw new Error(`an invalid body (${expected.rule}) was accepted`);
  const schema = parseSchema(headers.get("columnar-schema") ?? "");
  const format = parseFormat(headers.get("columnar-format"));
  if (contentType === "application/x-ndjson") {
    const rows = parseJsonLines(decoder.decode(body));
    rowsToColumn(schema, rows);
  } else if (contentType === "application/x-columnar") {
    decodeBatch(body, schema, { format });
  } else {
    throw new Error(`a 200 with content-type ${JSON.stringify(contentType)}`);
  }
  if (c.chain.trim() === "") {
    const want = reencodedInput(c, contentType);
    if (!equalBytes(want, body)) throw new Error("the empty chain did not answer the re-encoded input");
  }
  return "200";
}

type CleanExpectation = { kind: "ok" } | { kind: "rejected"; type: string; rule: string };

/** What a request with right headers must get: decided by the decoder alone. */
function expectedOfClean(c: HttpCase): CleanExpectation {
  try {
    const schema = parseSchema(c.headers["columnar-schema"] ?? "");
    decodeBatch(c.body ?? new Uint8Array(), schema, { format: parseFormat(c.headers["columnar-format"]) });
    return { kind: "ok" };
  } catch (error) {
    if (error instanceof BatchError) return { kind: "rejected", type: error.type, rule: error.rule };
    throw error;
  }
}

/** The input as the empty chain must answer it: decoded with the request's headers, re-encoded. */
function reencodedInput(c: HttpCase, responseType: string): Uint8Array {
  const schema = parseSchema(c.headers["columnar-schema"] ?? "");
  const format = parseFormat(c.headers["columnar-format"]);
  const bytes = c.body ?? new Uint8Array();
  const isNdjson = (c.headers["content-type"] ?? "").toLowerCase().startsWith("application/x-ndjson");
  const column = isNdjson
    ? rowsToColumn(schema, parseJsonLines(new TextDecoder("utf-8", { fatal: true }).decode(bytes)))
    : decodeBatch(bytes, schema, { format }).column;
  if (responseType === "application/x-ndjson")
    return new TextEncoder().encode(formatJsonLines(columnToRows(schema, column)));
  return encodeBatch(column, { format });
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}
