// `GET /v1/state/NAME?key=K` checks K against the namespace's key type when K has no total (memory
// store, in process): a key that cannot be a value of an integer key type (`abc`, `-1`,
// `4294967296` for u32) is a 400 bad-request naming the type (it was a 404 "No total"), a
// non-canonical spelling of one (`007`) reads the total of its value, and a well-formed key
// without a total stays a 404. String namespaces take any text.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MemoryReduceStore, type ReduceStore } from "../../src/state/index.ts";
import { batch, makeApp, problemOf, run } from "./app-fixture.ts";

type App = Awaited<ReturnType<typeof makeApp>>;

/** An app whose namespace `name` holds `rows` of key type `keyType`. */
async function appWith(name: string, keyType: string, rows: unknown[][], store?: ReduceStore): Promise<App> {
  const app = await makeApp({ reduceStore: store });
  const schema = `(${keyType}, i64)`;
  const res = await run(app, `reduce:${name}`, batch(rows, { schema }), { "columnar-schema": schema });
  assert.equal(res.status, 200, await res.clone().text());
  return app;
}

const get = (app: App, name: string, key: string) =>
  Promise.resolve(app.request(`/v1/state/${name}?key=${encodeURIComponent(key)}`));

async function expectBadKey(app: App, name: string, key: string, keyType: string): Promise<void> {
  const res = await get(app, name, key);
  assert.equal(res.status, 400, `key ${JSON.stringify(key)}`);
  const problem = await problemOf(res);
  assert.equal(problem.type, "/problems/bad-request");
  assert.equal(problem.keyType, keyType);
  assert.match(String(problem.detail), new RegExp(`key type ${keyType}\\b`));
}

async function expectTotal(app: App, name: string, key: string, row: [unknown, number]): Promise<void> {
  const res = await get(app, name, key);
  const text = await res.text();
  assert.equal(res.status, 200, text);
  assert.deepEqual(JSON.parse(text), row);
}

describe("GET /v1/state/NAME?key=K and the namespace's key type", () => {
  it("u32: keys that are no u32 are 400 naming the type; an absent u32 is 404; a present one 200", async () => {
    const app = await appWith("nums", "u32", [
      [7, 2],
      [4294967295, 1],
    ]);
    for (const key of [
      "abc",
      "-1",
      "4294967296",
      "",
      " 7",
      "7 ",
      "1.5",
      "1e3",
      "0x7",
      "+7",
      "99999999999999999999999",
    ])
      await expectBadKey(app, "nums", key, "u32");
    assert.equal((await get(app, "nums", "8")).status, 404);
    assert.equal((await problemOf(await get(app, "nums", "8"))).type, "/problems/unknown-state");
    await expectTotal(app, "nums", "7", [7, 2]);
    await expectTotal(app, "nums", "4294967295", [4294967295, 1]);
  });

  it("a non-canonical spelling of a value (leading zeros, -0) reads the total of that value", async () => {
    const app = await appWith("nums", "u32", [
      [7, 2],
      [0, 5],
    ]);
    await expectTotal(app, "nums", "007", [7, 2]);
    await expectTotal(app, "nums", "-0", [0, 5]);
    assert.equal((await get(app, "nums", "0008")).status, 404);
  });

  it("the range of each integer key type bounds its keys", async () => {
    const cases: [string, string[], string[]][] = [
      ["u8", ["255", "0"], ["256", "-1"]],
      ["i8", ["-128", "127"], ["128", "-129"]],
      ["u16", ["65535"], ["65536"]],
      ["i16", ["-32768"], ["32768"]],
      ["i32", ["-2147483648", "2147483647"], ["2147483648", "-2147483649"]],
      ["u64", ["18446744073709551615"], ["18446744073709551616", "-1"]],
      ["i64", ["-9223372036854775808", "9223372036854775807"], ["9223372036854775808", "x"]],
    ];
    for (const [keyType, absent, bad] of cases) {
      const app = await appWith("n", keyType, [[1, 1]]);
      for (const key of absent) assert.equal((await get(app, "n", key)).status, 404, `${keyType} ${key}`);
      for (const key of bad) await expectBadKey(app, "n", key, keyType);
    }
  });

  it("String namespaces take any text: an absent key is 404, whatever it looks like", async () => {
    const app = await appWith("words", "String", [["cat", 3]]);
    for (const key of ["abc", "-1", "4294967296", "", "007"])
      assert.equal((await get(app, "words", key)).status, 404, `key ${JSON.stringify(key)}`);
    await expectTotal(app, "words", "cat", ["cat", 3]);
  });

  it("a namespace with no state is 404 for any key", async () => {
    const app = await makeApp();
    assert.equal((await get(app, "none", "abc")).status, 404);
  });

  it("a store without keyTypeOf leaves a key with no total a 404", async () => {
    const inner = new MemoryReduceStore();
    const store: ReduceStore = {
      claimKeyType: (n, t) => inner.claimKeyType(n, t),
      applyShard: (d) => inner.applyShard(d),
      readAll: (n, s) => inner.readAll(n, s),
      readKey: (n, s, k) => inner.readKey(n, s, k),
      drop: (n, s) => inner.drop(n, s),
    };
    const app = await appWith("nums", "u32", [[7, 2]], store);
    assert.equal((await get(app, "nums", "abc")).status, 404);
    await expectTotal(app, "nums", "7", [7, 2]);
  });
});
