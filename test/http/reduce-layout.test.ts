// `reduce:NAME` takes any batch layout-equivalent to `(K, i64)` (spec/http-api.md §Running a
// chain, columnar-format.md §3.2): 1-tuples and one-field structs wrapping the pair, the key or the
// diff are the same bytes as what they wrap, so the planner accepts them and the reduce must too.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { batch, makeApp, problemOf, rowsOf, run, upload, operatorWasm } from "./app-fixture.ts";

const WRAPPED: readonly [schema: string, rows: unknown[]][] = [
  ["((String, i64),)", [[["a", 1]], [["b", 2]], [["a", 3]]]],
  [
    "{k: (String,), d: {v: i64}}",
    [
      { k: ["a"], d: { v: 1 } },
      { k: ["b"], d: { v: 2 } },
      { k: ["a"], d: { v: 3 } },
    ],
  ],
  [
    "{pair: {key: u32, diff: i64}}",
    [{ pair: { key: 7, diff: 1 } }, { pair: { key: 9, diff: 2 } }, { pair: { key: 7, diff: 3 } }],
  ],
];

describe("reduce over layout-equivalent inputs", () => {
  for (const [schema, rows] of WRAPPED) {
    it(`reduces a ${schema} batch like the (K, i64) it wraps`, async () => {
      const app = await makeApp();
      const res = await run(app, "reduce:wrapped", batch(rows, { schema }), { "columnar-schema": schema });
      assert.equal(res.status, 200, JSON.stringify(await res.clone().text()));
      const isU32 = schema.includes("u32");
      assert.equal(res.headers.get("columnar-schema"), isU32 ? "(u32, i64)" : "(String, i64)");
      assert.deepEqual(
        await rowsOf(res),
        isU32
          ? [
              [7, 4],
              [9, 2],
            ]
          : [
              ["a", 4],
              ["b", 2],
            ],
      );
      const state = await app.request("/v1/state/wrapped");
      assert.equal(state.status, 200);
      assert.equal((await state.text()).split("\n").filter((l) => l !== "").length, 2);
    });
  }

  it("reduces the output of an operator declared with a wrapped (K, i64) schema", async () => {
    const app = await makeApp();
    // identity works for any schema; declared as ((String, i64),) out, its output is wrapped
    const put = await upload(app, "wrap_out", operatorWasm("identity"), {
      "operator-abi": "colwasm/1",
      "operator-input": "(String, i64)",
      "operator-output": "((String, i64),)",
    });
    assert.equal(put.status, 201, await put.clone().text());
    const res = await run(
      app,
      "wrap_out,reduce:after",
      batch([
        ["x", 1],
        ["x", 1],
      ]),
    );
    assert.equal(res.status, 200, JSON.stringify(await problemOf(res.clone()).catch(() => "")));
    assert.deepEqual(await rowsOf(res), [["x", 2]]);
  });
});
