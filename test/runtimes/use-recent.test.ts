// useRecent (src/runtimes/workers/use-recent.workers.ts), the bounded caches of the Workers entry:
// a value is made once and reused, every use makes it the most recent, and past the bound the
// least recently used entry goes.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { useRecent } from "../../src/runtimes/workers/use-recent.workers.ts";

describe("useRecent", () => {
  test("makes a value once, keeps the max most recently used, drops the least recently used", () => {
    const map = new Map<string, string>();
    const made: string[] = [];
    const use = (key: string) =>
      useRecent(
        map,
        key,
        () => {
          made.push(key);
          return `value of ${key}`;
        },
        2,
      );
    assert.equal(use("a"), "value of a");
    use("b");
    assert.equal(use("a"), "value of a"); // reused, and now the most recent
    use("c"); // past the bound: b, used least recently, goes
    assert.deepEqual([...map.keys()], ["a", "c"]);
    use("b");
    assert.deepEqual(made, ["a", "b", "c", "b"]);
    assert.deepEqual([...map.keys()], ["c", "b"]);
  });
});
