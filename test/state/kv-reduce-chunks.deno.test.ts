// How the Deno KV reduce store cuts a shard's delta into commits (kv-reduce-apply.deno.ts): sizing
// each key from the one encoding of its text that totalKey makes must split exactly where the
// estimates did when each encoded the text again (mutation size from the text's UTF-8 bytes,
// set-key bytes from kvKeyBytes of the whole KV key), for short, hashed, multibyte and NUL keys.
// No database: chunking is computed before any commit. Run with:
//   node_modules/.bin/deno test --allow-read --allow-env test/state/kv-reduce-chunks.deno.test.ts
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { KV_MAX_SET_KEY_BYTES, kvKeyBytes } from "../../src/runtimes/deno/kv-key-bytes.deno.ts";
import { type ChunkKey, chunkKeysOf, splitIntoChunks } from "../../src/runtimes/deno/kv-reduce-apply.deno.ts";
import type { ShardDelta } from "../../src/state/index.ts";

const encoder = new TextEncoder();

/** The chunk lengths of the chunking before its estimates shared one encoding (commit 3df6a9f). */
function chunkLengthsBefore(keys: readonly ChunkKey[]): number[] {
  const lengths: number[] = [];
  let length = 0;
  let bytes = 0;
  let setKeyBytes = 0;
  for (const key of keys) {
    const size = 2 * (64 + encoder.encode(key.key).byteLength) + (key.isLong ? key.key.length * 3 : 0);
    const keyBytes = kvKeyBytes(key.kvKey);
    const isFull =
      length === 96 || bytes + size > 600 * 1024 || setKeyBytes + keyBytes > KV_MAX_SET_KEY_BYTES - 8 * 1024;
    if (length > 0 && isFull) {
      lengths.push(length);
      length = 0;
      bytes = 0;
      setKeyBytes = 0;
    }
    length++;
    bytes += size;
    setKeyBytes += keyBytes;
  }
  lengths.push(length);
  return lengths;
}

const delta = (keys: string[], namespace = "wc"): ShardDelta => ({
  namespace,
  shard: 0,
  keys,
  deltas: new BigInt64Array(keys.length).fill(1n),
  keyType: "String",
});

async function chunkLengths(
  shardKey: Deno.KvKey,
  d: ShardDelta,
): Promise<{ now: number[]; before: number[] }> {
  const keys = await chunkKeysOf(shardKey, d);
  return { now: splitIntoChunks(keys).map((chunk) => chunk.length), before: chunkLengthsBefore(keys) };
}

/**
 * Key texts of every size class: short, around the 1500-byte hash threshold, hashed; any code point.
 * `size: "max"` throughout: fast-check's default size keeps arrays to ~10 keys, one chunk.
 */
const keyText = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: "binary", maxLength: 40, size: "max" }) },
  { weight: 1, arbitrary: fc.constantFrom("", "\u0000", "\u0000\u0000a\u0000", "é".repeat(751)) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", minLength: 350, maxLength: 1600, size: "max" }) },
  {
    weight: 2,
    arbitrary: fc.string({ unit: "binary-ascii", minLength: 1490, maxLength: 1510, size: "max" }),
  },
  {
    weight: 1,
    arbitrary: fc.string({ unit: "binary-ascii", minLength: 1501, maxLength: 6000, size: "max" }),
  },
);

describe("Deno KV reduce chunking", () => {
  it("sizes each key from one encoding of its text exactly as the separate estimates did", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(keyText, { maxLength: 60, size: "max" }),
        fc.string({ unit: "binary", maxLength: 8 }),
        async (texts, namespace) => {
          const shardKey = ["reduce", namespace, 3];
          for (const key of await chunkKeysOf(shardKey, delta(texts, namespace))) {
            assert.equal(key.textBytes, encoder.encode(key.key).byteLength);
            assert.equal(key.setKeyBytes, kvKeyBytes(key.kvKey));
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it("splits deltas where the chunking split them before", async () => {
    let split = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(keyText, { maxLength: 400, size: "max" }), async (texts) => {
        const { now, before } = await chunkLengths(["reduce", "wc", 0], delta(texts));
        assert.deepEqual(now, before);
        if (now.length > 1) split++;
      }),
      { numRuns: 40 },
    );
    assert.ok(split > 10, `${split} of 40 deltas were cut into chunks at all`);
  });

  it("splits by each of the three budgets at the same places as before", async () => {
    const shardKey: Deno.KvKey = ["reduce", "wc", 0];
    const cases: [string, string[], number[]][] = [
      // 96 keys a commit
      ["short keys", Array.from({ length: 1000 }, (_, i) => `key-${i}`), [...Array(10).fill(96), 40]],
      // 81 920 - 8 192 bytes of keys set a commit: 1500-byte texts and NUL-laden ones
      [
        "1500-byte keys",
        Array.from({ length: 200 }, (_, i) => `${i}:`.padEnd(1500, "w")),
        [48, 48, 48, 48, 8],
      ],
      ["keys of NULs", Array.from({ length: 120 }, (_, i) => `${i}`.padEnd(700, "\u0000")), [51, 51, 18]],
      // 600 KiB of estimated mutations a commit: hashed keys carry their text in the value
      ["hashed keys", Array.from({ length: 100 }, (_, i) => `${i}:`.padEnd(5000, "h")), [24, 24, 24, 24, 4]],
    ];
    for (const [name, texts, expected] of cases) {
      const { now, before } = await chunkLengths(shardKey, delta(texts));
      assert.deepEqual(before, expected, `${name}: the reference`);
      assert.deepEqual(now, expected, name);
    }
  });
});
