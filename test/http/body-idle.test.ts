// The idle checks of request bodies (src/http/body-idle.ts) and RequestBody's reads
// (src/http/request-body.ts), on real timers: the shared clock runs due checks on one timer and
// stops when nothing is armed; an IdleWatch fires only while a read waits, re-arming for what is
// left; `bytes()` keeps a body that arrived as one chunk and joins one that did not.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { IdleWatch, sharedIdleClock, TIMER_PER_BODY } from "../../src/http/body-idle.ts";
import { RequestBody } from "../../src/http/request-body.ts";
import type { BodyReader } from "../../src/wasm/index.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A reader answering `chunks` in turn, then done. */
function readerOf(chunks: Uint8Array[]): BodyReader {
  let next = 0;
  return {
    read: async () =>
      next < chunks.length ? { done: false, value: chunks[next++] } : { done: true, value: undefined },
    cancel: async () => undefined,
  };
}

describe("sharedIdleClock", () => {
  test("runs each check once when due, and not one that was disarmed", async () => {
    const clock = sharedIdleClock({ tickMs: 10, lingerTicks: 3 });
    const ran: string[] = [];
    const startedAt = Date.now();
    clock.after(30, () => ran.push(`a after ${Date.now() - startedAt}`));
    const disarm = clock.after(30, () => ran.push("b"));
    clock.after(80, () => ran.push("c"));
    disarm();
    await sleep(150);
    assert.equal(ran.length, 2, ran.join(", "));
    assert.match(ran[0], /^a after /);
    assert.ok(Number(ran[0].slice(8)) >= 30, ran[0]);
    assert.equal(ran[1], "c");
  });

  test("holds no timer once nothing has been armed for its linger ticks (the process can exit)", async () => {
    const clock = sharedIdleClock({ tickMs: 10, lingerTicks: 2 });
    const before = process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
    clock.after(10, () => undefined);
    assert.equal(process.getActiveResourcesInfo().filter((r) => r === "Timeout").length, before + 1);
    await sleep(100);
    assert.equal(process.getActiveResourcesInfo().filter((r) => r === "Timeout").length, before);
  });
});

describe("IdleWatch", () => {
  for (const [name, clock] of [
    ["a timer per body", TIMER_PER_BODY],
    ["the shared clock", sharedIdleClock({ tickMs: 5, lingerTicks: 4 })],
  ] as const) {
    test(`fires when one read waits the idle time, not for time spent between reads: ${name}`, async () => {
      let fired = 0;
      const watch = new IdleWatch(60, clock, () => fired++);
      // reads that each wait 30 ms, with 100 ms of other work between them: never 60 ms waiting
      for (let i = 0; i < 3; i++) {
        watch.wait();
        await sleep(30);
        watch.answered();
        await sleep(100);
      }
      assert.equal(fired, 0);
      assert.equal(watch.fired, false);
      watch.wait();
      await sleep(120);
      assert.equal(fired, 1);
      assert.equal(watch.fired, true);
      watch.stop();
    });

    test(`after stop() nothing fires: ${name}`, async () => {
      let fired = 0;
      const watch = new IdleWatch(20, clock, () => fired++);
      watch.wait();
      watch.stop();
      await sleep(60);
      assert.equal(fired, 0);
    });
  }
});

describe("RequestBody", () => {
  test("bytes() keeps a body that arrived as one chunk owning its buffer, without copying it", async () => {
    const chunk = new Uint8Array([1, 2, 3, 4]);
    assert.equal(await new RequestBody(() => readerOf([chunk])).bytes(), chunk);
  });

  test("bytes() joins chunks, and copies a lone chunk that is a view into a larger buffer", async () => {
    const joined = await new RequestBody(() =>
      readerOf([new Uint8Array([1, 2]), new Uint8Array([3])]),
    ).bytes();
    assert.deepEqual([...joined], [1, 2, 3]);
    const big = new Uint8Array(1024).fill(9);
    const alone = await new RequestBody(() => readerOf([big.subarray(8, 12)])).bytes();
    assert.deepEqual([...alone], [9, 9, 9, 9]);
    assert.equal(alone.buffer.byteLength, 4, "the view's buffer is not kept");
  });

  test("a body is read once: a second reader is refused", () => {
    const body = new RequestBody(() => readerOf([]), 0);
    assert.equal(body.announcedBytes, 0);
    body.getReader();
    assert.throws(() => body.getReader(), /already read/);
  });
});
