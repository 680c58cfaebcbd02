// Keeps the chain benchmark from rotting: it runs on a tiny batch and reports every task.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { measureChain } from "../../bench/chain-harness.ts";
import { kernelModule, loadOperator } from "../support/operators.ts";

describe("measureChain()", () => {
  it("reports every task with a ratio to memcpy on a tiny batch", async () => {
    const report = await measureChain({
      rows: 50,
      operators: (name) => loadOperator(name),
      kernelModule: kernelModule(),
      rounds: 1,
      repeat: 1,
      warmup: 0,
    });
    assert.equal(report.rows, 50);
    assert.ok(report.tasks.some((t) => t.name === "memcpy" && t.ratioToMemcpy === 1));
    assert.equal(report.tasks.length, 12);
    assert.ok(Number.isFinite(report.hopMemcpyRatio) && report.hopMemcpyRatio > 0);
    for (const t of report.tasks) assert.ok(Number.isFinite(t.ratioToMemcpy), t.name);
  });
});
