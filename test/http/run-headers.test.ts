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
});
