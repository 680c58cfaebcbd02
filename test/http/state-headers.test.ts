// GET /v1/state/NAME request headers: Accept negotiated with q-values and wildcards (NDJSON by
// default, 406 only when every type is excluded), Columnar-Format honoured like ?format=.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { batch, makeApp, problemOf, rowsOf, run } from "./app-fixture.ts";

const COLUMNAR = "application/x-columnar";
const NDJSON = "application/x-ndjson";

async function appWithState() {
  const app = await makeApp();
  assert.equal((await run(app, "reduce:wc", batch([["x", 3]]))).status, 200);
  return app;
}

describe("GET /v1/state/NAME headers", () => {
  const cases: [string, string][] = [
    [`${NDJSON};q=0`, COLUMNAR],
    [`*/*;q=0.1, ${COLUMNAR};q=0.05`, NDJSON],
    [`${NDJSON};q=0.05, */*;q=0.1`, COLUMNAR],
    [`${COLUMNAR};q=0.5, */*;q=0.9`, NDJSON],
    [`application/*;q=0.2, ${NDJSON};q=0.1`, COLUMNAR],
    ["text/html,application/xhtml+xml,*/*;q=0.8", NDJSON],
    ["text/html", NDJSON],
    [COLUMNAR, COLUMNAR],
  ];
  for (const [accept, expected] of cases) {
    test(`Accept: ${accept} answers ${expected}`, async () => {
      const app = await appWithState();
      const res = await app.request("/v1/state/wc", { headers: { accept } });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), expected);
      if (expected === COLUMNAR) assert.deepEqual(await rowsOf(res), [["x", 3]]);
      else assert.equal(await res.text(), '["x",3]\n');
    });
  }

  test("Accept excluding both types answers 406 not-acceptable", async () => {
    const app = await appWithState();
    for (const accept of ["*/*;q=0", `${NDJSON};q=0, ${COLUMNAR};q=0`, "application/*;q=0, text/html"]) {
      const res = await app.request("/v1/state/wc?key=x", { headers: { accept } });
      assert.equal(res.status, 406, accept);
      const p = await problemOf(res);
      assert.equal(p.type, "/problems/not-acceptable");
      assert.equal(p.status, 406);
      assert.deepEqual(p.supported, [NDJSON, COLUMNAR]);
    }
  });

  test("Columnar-Format: 0.12 answers format 0.12, like ?format=0.12", async () => {
    const app = await appWithState();
    const viaHeader = await app.request("/v1/state/wc", {
      headers: { accept: COLUMNAR, "columnar-format": "0.12" },
    });
    assert.equal(viaHeader.status, 200);
    assert.equal(viaHeader.headers.get("columnar-format"), "0.12");
    const bytes = new Uint8Array(await viaHeader.clone().arrayBuffer());
    assert.deepEqual(await rowsOf(viaHeader, "0.12"), [["x", 3]]);
    const viaQuery = await app.request("/v1/state/wc?format=0.12", { headers: { accept: COLUMNAR } });
    assert.deepEqual(new Uint8Array(await viaQuery.arrayBuffer()), bytes);
    const both = await app.request("/v1/state/wc?format=0.12", {
      headers: { accept: COLUMNAR, "columnar-format": " 0.12 " },
    });
    assert.deepEqual(new Uint8Array(await both.arrayBuffer()), bytes);
    assert.deepEqual(
      new Uint8Array(
        await (await app.request("/v1/state/wc", { headers: { accept: COLUMNAR } })).arrayBuffer(),
      ),
      batch([["x", 3]]),
    );
  });

  test("an unsupported or conflicting format is a 400 bad-request", async () => {
    const app = await appWithState();
    const cases: [string, Record<string, string>, string][] = [
      ["/v1/state/wc", { "columnar-format": "0.2" }, "unsupported-format"],
      ["/v1/state/wc?format=0.2", {}, "unsupported-format"],
      ["/v1/state/wc?format=0.1", { "columnar-format": "0.12" }, "conflicting-format"],
    ];
    for (const [path, headers, rule] of cases) {
      const res = await app.request(path, { headers: { accept: COLUMNAR, ...headers } });
      assert.equal(res.status, 400, path);
      const p = await problemOf(res);
      assert.equal(p.type, "/problems/bad-request");
      assert.equal(p.rule, rule, path);
    }
  });
});
