// /v1/operators in-process: listing, uploads (section and header manifests), auth, built-in
// protection, and every upload rejection rule.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { withManifest, withManifestText, withoutSection } from "../support/wasm-sections.ts";
import { wat } from "../support/wat.ts";
import {
  ADMIN,
  batch,
  BUILTINS,
  fixtureWasm,
  makeApp,
  operatorWasm,
  problemOf,
  rowsOf,
  run,
  SCHEMA,
  upload,
} from "./app-fixture.ts";

const IDENTITY_MANIFEST = { abi: "colwasm/1", input: "(String, i64)", output: "(String, i64)" };

const rows = [
  ["hello", 1],
  ["world", -2],
  ["", 3],
];

describe("/v1/operators", () => {
  test("GET lists the built-ins with their entries", async () => {
    const app = await makeApp();
    const res = await app.request("/v1/operators");
    assert.equal(res.status, 200);
    const body = (await res.json()) as {
      operators: { name: string; builtin: boolean; input: string; sha256: string; uploaded_at: unknown }[];
    };
    assert.deepEqual(
      body.operators.map((o) => o.name),
      BUILTINS,
    );
    const split = body.operators[0];
    assert.equal(split.builtin, true);
    assert.equal(split.input, SCHEMA);
    assert.match(split.sha256, /^[0-9a-f]{64}$/);
    assert.equal(split.uploaded_at, null);
  });

  test("GET one answers its entry, or 404 unknown-operator", async () => {
    const app = await makeApp();
    const res = await app.request("/v1/operators/len_plus_diff_blog");
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { abi: string }).abi, "blog");
    const missing = await app.request("/v1/operators/nope");
    assert.equal(missing.status, 404);
    const p = await problemOf(missing);
    assert.equal(p.type, "/problems/unknown-operator");
    assert.equal(p.operator, "nope");
  });

  test("PUT stores a colwasm/1 module described by its section, which then runs", async () => {
    const app = await makeApp();
    const wasm = operatorWasm("len_plus_diff");
    const res = await upload(app, "my_len", wasm);
    assert.equal(res.status, 201);
    const entry = (await res.json()) as Record<string, unknown>;
    assert.equal(entry.name, "my_len");
    assert.equal(entry.abi, "colwasm/1");
    assert.equal(entry.builtin, false);
    assert.equal(entry.size, wasm.length);
    assert.equal(typeof entry.uploaded_at, "string");
    const ran = await run(app, "my_len", batch(rows));
    assert.equal(ran.status, 200);
    assert.deepEqual(await rowsOf(ran), [
      ["hello", 6],
      ["world", 3],
      ["", 3],
    ]);
    const listed = (await (await app.request("/v1/operators")).json()) as { operators: { name: string }[] };
    assert.ok(listed.operators.some((o) => o.name === "my_len"));
  });

  test("PUT stores a blog module described by headers, which then runs", async () => {
    const app = await makeApp();
    const res = await upload(app, "blog_len", withoutSection(operatorWasm("len_plus_diff_blog")), {
      "operator-abi": "blog",
      "operator-input": "(String, i64)",
      "operator-output": "(String,i64)",
      "operator-description": "from headers",
    });
    assert.equal(res.status, 201);
    const entry = (await res.json()) as Record<string, unknown>;
    assert.equal(entry.abi, "blog");
    assert.equal(entry.output, SCHEMA);
    assert.equal(entry.description, "from headers");
    const ran = await run(app, "split_words,blog_len", batch([["ab cde", 1]]));
    assert.equal(ran.status, 200);
    assert.deepEqual(await rowsOf(ran), [
      ["ab", 3],
      ["cde", 4],
    ]);
  });

  test("PUT with headers that retype a module leaves out its section's examples (rows of the old types)", async () => {
    const app = await makeApp();
    // identity's section declares (String, i64) with String examples; it works for any schema
    const res = await upload(app, "u32_identity", operatorWasm("identity"), {
      "operator-input": "(u32, i64)",
      "operator-output": "(u32, i64)",
    });
    assert.equal(res.status, 201, await res.clone().text());
    assert.equal(((await res.json()) as { input: string }).input, "(u32, i64)");
    const rowsU32 = [
      [7, 1],
      [4294967295, -2],
    ];
    const ran = await run(app, "u32_identity", batch(rowsU32, { schema: "(u32, i64)" }), {
      "columnar-schema": "(u32, i64)",
    });
    assert.equal(ran.status, 200);
    // the same schemas respelled keep the examples: a lying module is still caught by them
    const liar = await upload(app, "liar_respelled", fixtureWasm("lying_manifest"), {
      "operator-input": "( String , i64 )",
    });
    assert.equal(liar.status, 422);
    assert.equal((await problemOf(liar)).rule, "example");
  });

  test("PUT replaces an uploaded operator, and the next run uses the new module", async () => {
    const app = await makeApp();
    assert.equal((await upload(app, "op", operatorWasm("identity"))).status, 201);
    assert.equal((await run(app, "op", batch(rows))).status, 200);
    assert.equal((await upload(app, "op", operatorWasm("len_plus_diff"))).status, 201);
    assert.deepEqual(await rowsOf(await run(app, "op", batch([["abc", 1]]))), [["abc", 4]]);
  });

  test("a chain through an uploaded operator of another type fails at that stage", async () => {
    const app = await makeApp();
    const res = await upload(app, "ident_u64", withoutSection(operatorWasm("identity")), {
      "operator-abi": "colwasm/1",
      "operator-input": "(u64,)",
      "operator-output": "(u64,)",
    });
    assert.equal(res.status, 201);
    const ran = await run(app, "split_words,ident_u64", batch(rows));
    assert.equal(ran.status, 422);
    const p = await problemOf(ran);
    assert.equal(p.type, "/problems/chain-type-mismatch");
    assert.equal(p.stage, 1);
    assert.equal(p.operator, "ident_u64");
  });

  test("DELETE removes an uploaded operator; runs then answer 404", async () => {
    const app = await makeApp();
    await upload(app, "gone", operatorWasm("identity"));
    const res = await app.request("/v1/operators/gone", {
      method: "DELETE",
      headers: { authorization: `Bearer ${ADMIN}` },
    });
    assert.equal(res.status, 204);
    assert.equal((await run(app, "gone", batch(rows))).status, 404);
    const again = await app.request("/v1/operators/gone", {
      method: "DELETE",
      headers: { authorization: `Bearer ${ADMIN}` },
    });
    assert.equal(again.status, 404);
    assert.equal((await problemOf(again)).type, "/problems/unknown-operator");
  });

  test("built-in operators cannot be replaced or deleted (409 conflict)", async () => {
    const app = await makeApp();
    const put = await upload(app, "split_words", operatorWasm("identity"));
    assert.equal(put.status, 409);
    assert.equal((await problemOf(put)).type, "/problems/conflict");
    const del = await app.request("/v1/operators/split_words", {
      method: "DELETE",
      headers: { authorization: `Bearer ${ADMIN}` },
    });
    assert.equal(del.status, 409);
    assert.equal((await problemOf(del)).type, "/problems/conflict");
  });

  test("admin routes answer 401 unauthorized without the admin token", async () => {
    const app = await makeApp();
    const missing = await upload(app, "x", operatorWasm("identity"), { authorization: "" });
    assert.equal(missing.status, 401);
    assert.equal((await problemOf(missing)).type, "/problems/unauthorized");
    const wrong = await upload(app, "x", operatorWasm("identity"), { authorization: "Bearer wrong" });
    assert.equal(wrong.status, 401);
    assert.equal((await problemOf(wrong)).type, "/problems/unauthorized");
    const malformed = await app.request("/v1/operators/x", {
      method: "DELETE",
      headers: { authorization: "Basic abc" },
    });
    assert.equal(malformed.status, 401);
  });

  test("admin routes answer 403 forbidden when no admin token is configured", async () => {
    const app = await makeApp({ auth: {} });
    const res = await upload(app, "x", operatorWasm("identity"));
    assert.equal(res.status, 403);
    assert.equal((await problemOf(res)).type, "/problems/forbidden");
  });

  test("PUT rejects a module over the limit with 413 too-large", async () => {
    const app = await makeApp({ limits: { maxModuleBytes: 100 } });
    const res = await upload(app, "big", operatorWasm("split_words"));
    assert.equal(res.status, 413);
    assert.equal((await problemOf(res)).type, "/problems/too-large");
  });

  test("PUT rejects other media types with 415", async () => {
    const app = await makeApp();
    const res = await upload(app, "x", operatorWasm("identity"), {
      "content-type": "application/octet-stream",
    });
    assert.equal(res.status, 415);
    assert.equal((await problemOf(res)).type, "/problems/unsupported-media-type");
  });

  test("PUT rejects an unknown Operator-Abi with 400 bad-request", async () => {
    const app = await makeApp();
    const res = await upload(app, "x", operatorWasm("identity"), { "operator-abi": "wasi" });
    assert.equal(res.status, 400);
    assert.equal((await problemOf(res)).type, "/problems/bad-request");
  });

  test("PUT rejects an invalid name with 400 bad-request", async () => {
    const app = await makeApp();
    const res = await upload(app, "a%40b", operatorWasm("identity"));
    assert.equal(res.status, 400);
    assert.equal((await problemOf(res)).type, "/problems/bad-request");
  });

  const invalid: [string, () => Uint8Array, string, Record<string, string>?][] = [
    ["bytes that are not WebAssembly", () => new TextEncoder().encode("not wasm at all"), "not-wasm"],
    [
      "a module that does not compile",
      () => Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 5, 0xff),
      "not-wasm",
    ],
    ["a module missing an export", () => fixtureWasm("missing_export"), "exports"],
    ["a module with an import", () => fixtureWasm("with_import"), "imports"],
    ["a module without any manifest", () => withoutSection(operatorWasm("identity")), "manifest"],
    [
      "a manifest whose schema does not parse",
      () => withoutSection(operatorWasm("identity")),
      "manifest",
      { "operator-abi": "colwasm/1", "operator-input": "(String,", "operator-output": "u8" },
    ],
    [
      "a failing example",
      () =>
        withManifest(operatorWasm("identity"), {
          abi: "colwasm/1",
          input: SCHEMA,
          output: SCHEMA,
          examples: [{ in: [["a", 1]], out: [["b", 1]] }],
        }),
      "example",
    ],
    ["a lying manifest", () => fixtureWasm("lying_manifest"), "example"],
    [
      "examples nested 100k deep (structured clone and JSON.stringify recurse per level)",
      () =>
        withManifestText(
          withoutSection(operatorWasm("identity")),
          `{"abi":"colwasm/1","input":"(String, i64)","output":"(String, i64)","examples":[{"in":[["a",1]],"out":[${"[".repeat(100_000)}${"]".repeat(100_000)}]}]}`,
        ),
      "manifest",
    ],
    ["an act returning i64", () => fixtureWasm("wide_act"), "exports"],
    [
      "a module with two memories",
      () => withManifest(wat(`(module (memory 1) (memory 1))`), IDENTITY_MANIFEST),
      "memory",
    ],
    [
      "a table over 65,536 elements",
      () =>
        withManifest(wat(`(module (memory (export "memory") 1) (table 70000 funcref))`), IDENTITY_MANIFEST),
      "tables",
    ],
  ];
  test("PUT rejects examples over 1 MiB of JSON with 422 invalid-operator rule manifest", async () => {
    const app = await makeApp({ limits: { maxModuleBytes: 4 << 20 } });
    const bytes = withManifest(operatorWasm("identity"), {
      abi: "colwasm/1",
      input: SCHEMA,
      output: SCHEMA,
      examples: [{ in: Array.from({ length: 60_000 }, (_, k) => [`row ${k}`, k]), out: [] }],
    });
    const res = await upload(app, "bad", bytes);
    assert.equal(res.status, 422);
    const p = await problemOf(res);
    assert.equal(p.rule, "manifest");
    assert.match(String(p.detail), /more than 1048576 bytes of JSON/);
  });

  for (const [what, wasm, rule, headers] of invalid) {
    test(`PUT rejects ${what} with 422 invalid-operator rule ${rule}, naming the operator`, async () => {
      const app = await makeApp();
      const res = await upload(app, "bad", wasm(), headers);
      assert.equal(res.status, 422);
      const p = await problemOf(res);
      assert.equal(p.type, "/problems/invalid-operator");
      assert.equal(p.rule, rule);
      assert.equal(p.operator, "bad");
      assert.equal((await app.request("/v1/operators/bad")).status, 404);
    });
  }
});
