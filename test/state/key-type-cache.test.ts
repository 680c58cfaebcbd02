// KeyTypeCache: a namespace's bound key type is remembered per process, for a limited time.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { KeyTypeCache } from "../../src/state/index.ts";

describe("KeyTypeCache", () => {
  it("remembers a binding until it expires or is deleted", async () => {
    const cache = new KeyTypeCache(30);
    cache.set("wc", "String");
    assert.equal(cache.has("wc", "String"), true);
    assert.equal(cache.has("wc", "u64"), false);
    assert.equal(cache.has("other", "String"), false);
    cache.delete("wc");
    assert.equal(cache.has("wc", "String"), false);
    cache.set("wc", "String");
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(cache.has("wc", "String"), false);
  });
});
