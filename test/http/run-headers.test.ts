// POST /v1/run header handling: Columnar-Format checked before Columnar-Schema (spec/columnar-format.md
// §6), the slice limit counted in the request's format (§3.1), and Accept negotiated with q-values
// and wildcards (src/http/negotiate.ts).
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  decodeBatch,
  encodeBatch,
  parseSchema,
  rowsToColumn,
  columnToRows,
} from "../../src/columnar/index.ts";
import { batch, makeApp, problemOf, run, SCHEMA } from "./app-fixture.ts";

const BOOLS = `(${Array.from({ length: 342 }, () => "bool").join(", ")})`;
const ROW = Array.from({ length: 342 }, (_, i) => i % 5 === 0);

describe("POST /v1/run headers", () => {
  test("an unsupported Columnar-Format is reported before a bad or missing schema", async () => {
    const app = await makeApp();
    for (const schema of ["u8 u8", "(", undefined]) {
      const headers: Record<string, string> = { "columnar-format": "0.2" };
      const res = await app.request("/v1/run?chain=", {
        method: "POST",
        body: batch([["a", 1]]),
        headers: {
          "content-type": "application/x-columnar",
          ...headers,
          ...(schema === undefined ? {} : { "columnar-schema": schema }),
        },
      });
      assert.equal(res.status, 400, String(schema));
      const p = await problemOf(res);
      assert.equal(p.type, "/problems/bad-request");
      assert.equal(p.rule, "unsupported-format", String(schema));
    }
  });

  test("a schema of 684 slices in 0.12 (1026 in 0.1) runs in 0.12 and is too large in 0.1", async () => {
    const app = await makeApp();
    const schema = parseSchema(BOOLS, { format: "0.12" });
    const rows = [ROW, ROW.map((b) => !b), ROW];
    const body = encodeBatch(rowsToColumn(schema, rows), { format: "0.12" }).slice();
    const res = await run(app, "", body, { "columnar-schema": BOOLS, "columnar-format": "0.12" });
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal(res.headers.get("columnar-format"), "0.12");
    const out = new Uint8Array(await res.arrayBuffer());
    assert.deepEqual(columnToRows(schema, decodeBatch(out, schema, { format: "0.12" }).column), rows);

    const ndjson = rows.map((r) => JSON.stringify(r)).join("\n");
    const fromRows = await run(app, "", ndjson, {
      "content-type": "application/x-ndjson",
      "columnar-schema": BOOLS,
      "columnar-format": "0.12",
    });
    assert.equal(fromRows.status, 200);
    assert.deepEqual(new Uint8Array(await fromRows.arrayBuffer()), out);

    const tooLarge = await run(app, "", body, { "columnar-schema": BOOLS });
    assert.equal(tooLarge.status, 400);
    const p = await problemOf(tooLarge);
    assert.equal(p.type, "/problems/bad-schema");
    assert.equal(p.rule, "schema-too-large");
  });

  // the same rules for GET /v1/state: state-headers.test.ts
  const cases: [string, string][] = [
    ["application/x-columnar;q=0", "application/x-ndjson"],
    ["*/*;q=0.1, application/x-ndjson;q=0.05", "application/x-columnar"],
    ["application/x-ndjson;q=0.5, */*;q=0.9", "application/x-columnar"],
    ["application/x-ndjson, */*", "application/x-ndjson"],
    ["text/html", "application/x-columnar"],
  ];
  for (const [accept, expected] of cases) {
    test(`Accept: ${accept} answers ${expected}`, async () => {
      const app = await makeApp();
      const res = await run(app, "", batch([["a", 1]]), { accept });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), expected);
      assert.equal(res.headers.get("columnar-schema"), SCHEMA);
    });
  }

  test("Accept: */*;q=0 answers 406 not-acceptable before the chain runs", async () => {
    const app = await makeApp();
    const res = await run(app, "reduce:wc", batch([["a", 1]]), { accept: "*/*;q=0" });
    assert.equal(res.status, 406);
    const p = await problemOf(res);
    assert.equal(p.type, "/problems/not-acceptable");
    assert.deepEqual(p.supported, ["application/x-columnar", "application/x-ndjson"]);
    assert.equal((await app.request("/v1/state/wc")).status, 404, "the reduce must not have run");
  });

  test("a Columnar-Schema or Columnar-Format sent twice is refused with a message that says so", async () => {
    const app = await makeApp();
    const twice = (name: string, value: string) => {
      const headers = new Headers({ "content-type": "application/x-columnar", "columnar-schema": SCHEMA });
      headers.set(name, value);
      headers.append(name, value);
      return app.request("/v1/run?chain=identity", { method: "POST", body: batch([["a", 1]]), headers });
    };
    const schema = await twice("columnar-schema", SCHEMA);
    const schemaProblem = await problemOf(schema);
    assert.equal(schema.status, 400);
    assert.equal(schemaProblem.type, "/problems/bad-schema");
    assert.equal(schemaProblem.offset, SCHEMA.length);
    assert.match(String(schemaProblem.detail), /Columnar-Schema header sent twice/);
    const format = await twice("columnar-format", "0.1");
    const formatProblem = await problemOf(format);
    assert.equal(format.status, 400);
    assert.equal(formatProblem.rule, "unsupported-format");
    assert.match(String(formatProblem.detail), /Columnar-Format header sent twice/);
    // a schema that is simply wrong at a comma gets no such hint
    const wrong = await problemOf(
      await run(app, "identity", batch([["a", 1]]), { "columnar-schema": "(String,, i64)" }),
    );
    assert.doesNotMatch(String(wrong.detail), /sent twice/);
  });

  test("a chain parameter given twice is refused naming the repetition", async () => {
    const app = await makeApp();
    const res = await app.request("/v1/run?chain=identity&chain=lowercase", {
      method: "POST",
      body: batch([["a", 1]]),
      headers: { "content-type": "application/x-columnar", "columnar-schema": SCHEMA },
    });
    const problem = await problemOf(res);
    assert.equal(res.status, 400);
    assert.match(String(problem.detail), /give the chain once/);
  });

  test("an Idempotency-Key outside visible ASCII, or with a comma (a header sent twice), is refused before anything runs", async () => {
    const app = await makeApp();
    for (const key of ["caf\u00e9", "a, b", "tab\there", "x".repeat(257)]) {
      const res = await run(app, "reduce:idem_ascii", batch([["a", 1]]), { "idempotency-key": key });
      const problem = await problemOf(res);
      assert.equal(res.status, 400, key);
      assert.equal(problem.type, "/problems/bad-request");
    }
    const state = await app.request("/v1/state/idem_ascii");
    assert.equal(state.status, 404, "nothing was applied");
    const ok = await run(app, "reduce:idem_ascii", batch([["a", 1]]), {
      "idempotency-key": "order 42/retry:1",
    });
    assert.equal(ok.status, 200);
  });
});
