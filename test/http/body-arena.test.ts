// Columnar bodies read into pooled WASM arenas answer exactly like buffered bodies: same bytes for
// good batches, same problem (type + rule + slice) for bad ones, 413 past the limit mid-stream.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { batch, makeApp, run } from "./app-fixture.ts";

async function outcome(res: Response): Promise<string> {
  if (res.ok) return `200 ${Buffer.from(await res.arrayBuffer()).toString("hex")}`;
  const p = (await res.json()) as Record<string, unknown>;
  return `${res.status} ${String(p.type)} ${String(p.rule)} ${String(p.slice)}`;
}

describe("body arenas", () => {
  it("answer mutated bodies exactly like buffered bodies", async () => {
    const [withArenas, buffered] = [await makeApp(), await makeApp({ bodyArenas: false })];
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.string({ unit: "binary", maxLength: 12 }), fc.integer()), { maxLength: 20 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 3 }),
        fc.constantFrom("", "lowercase", "split_words,lowercase"),
        async (rows, flips, chain) => {
          const body = batch(rows);
          for (const [at, value] of flips) body[at % body.length] = value;
          assert.equal(
            await outcome(await run(withArenas, chain, body)),
            await outcome(await run(buffered, chain, body)),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it("stops reading a streamed body past the limit with 413", async () => {
    const app = await makeApp({ limits: { maxBodyBytes: 1024 } });
    const chunk = new Uint8Array(512);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 8; i++) controller.enqueue(chunk);
        controller.close();
      },
    });
    const res = await app.request("/v1/run?chain=", {
      method: "POST",
      body: stream,
      headers: { "content-type": "application/x-columnar", "columnar-schema": "(String, i64)" },
      // @ts-expect-error: Node's fetch needs half-duplex for a streamed request body
      duplex: "half",
    });
    assert.equal(res.status, 413);
  });
});
