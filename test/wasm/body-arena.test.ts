// BodyArena copies bodies (bytes or streams) into reusable WASM memory; the pool reuses arenas,
// drops oversized ones, and gives concurrent users distinct arenas.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ColwasmError } from "../../src/error.ts";
import { BodyArena, BodyArenaPool } from "../../src/wasm/index.ts";
import { kernelModule } from "../support/operators.ts";

const streamOf = (chunks: Uint8Array[]) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      for (const c of chunks) controller.enqueue(c);
      controller.close();
    },
  });

describe("BodyArena", () => {
  it("fill() places a streamed body at an 8-aligned offset, growing memory as needed", async () => {
    const arena = new BodyArena(kernelModule());
    const chunks = [new Uint8Array(70_000).fill(1), new Uint8Array(70_000).fill(2)];
    const view = await arena.fill(streamOf(chunks), 1 << 20);
    assert.equal(view.byteLength, 140_000);
    assert.equal(view.byteOffset % 8, 0);
    assert.ok(view.byteOffset > 0);
    assert.equal(view[69_999], 1);
    assert.equal(view[70_000], 2);
    assert.ok(arena.kernels.covers(view));
  });

  it("fill() refuses a body past the limit with too-large", async () => {
    const arena = new BodyArena(kernelModule());
    await assert.rejects(
      arena.fill(streamOf([new Uint8Array(600), new Uint8Array(600)]), 1000),
      (e: unknown) => e instanceof ColwasmError && e.type === "too-large",
    );
    await assert.rejects(
      arena.fill(new Uint8Array(1001), 1000),
      (e: unknown) => e instanceof ColwasmError && e.type === "too-large",
    );
  });
});

describe("BodyArenaPool", () => {
  it("reuses an idle arena, gives concurrent users distinct ones, and drops oversized arenas", async () => {
    const pool = new BodyArenaPool(kernelModule(), { maxIdleBytes: 1 << 20 });
    const first = await pool.with(async (a) => a);
    assert.equal(await pool.with(async (a) => a), first);
    const [x, y] = await Promise.all([pool.with(async (a) => a), pool.with(async (a) => a)]);
    assert.notEqual(x, y);
    const big = await pool.with(async (a) => {
      await a.fill(new Uint8Array(2 << 20), 4 << 20);
      return a;
    });
    const next = await pool.with(async (a) => a);
    assert.notEqual(next, big);
  });

  it("keeps at most maxIdleTotalBytes of idle arenas in all", async () => {
    const pool = new BodyArenaPool(kernelModule(), { maxIdleTotalBytes: 3 << 20 });
    // four concurrent 1 MiB bodies: four arenas of 1 MiB and a page or more each
    const arenas = await Promise.all(
      [0, 1, 2, 3].map(() =>
        pool.with(async (a) => {
          await a.fill(new Uint8Array(1 << 20), 4 << 20);
          await new Promise((resolve) => setTimeout(resolve, 10));
          return a;
        }),
      ),
    );
    assert.equal(new Set(arenas).size, 4);
    const kept = new Set<unknown>();
    const again = await Promise.all(
      [0, 1, 2, 3].map(() =>
        pool.with(async (a) => {
          await new Promise((resolve) => setTimeout(resolve, 10));
          return a;
        }),
      ),
    );
    for (const a of again) if (arenas.includes(a)) kept.add(a);
    assert.ok(kept.size <= 2, `${kept.size} arenas of over 1 MiB were kept under a 3 MiB bound`);
  });
});
