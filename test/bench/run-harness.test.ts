// Keeps the in-process parts of bench/run.ts from rotting (issue #8): tiny sizes, no HTTP, and
// only the shape of the results and reports — no timing assertions (style.md §9).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  arrowBody,
  arrowPipeline,
  jsonBody,
  jsonPipeline,
  typedJsPipeline,
  utf8Length,
} from "../../bench/baselines.ts";
import { PER_RECORD_WASM, perRecordFunction } from "../../bench/bench-operators.ts";
import { renderChart } from "../../bench/chart-svg.ts";
import { encodeRows, lineRows, wordcountRows } from "../../bench/line-rows.ts";
import { measureReduce } from "../../bench/reduce-harness.ts";
import { chartSpec, formatReport, goals, type SuiteRun } from "../../bench/report.ts";
import { measureInProcess } from "../../bench/suite-harness.ts";
import { kernelModule, loadOperator, TEST_LIMITS } from "../support/operators.ts";

const operators = (name: string) => loadOperator(name, { limits: TEST_LIMITS });

describe("bench suite", () => {
  it("lineRows() is deterministic and yields lines of several words", () => {
    const rows = lineRows(50);
    assert.deepEqual(rows, lineRows(50));
    for (const [text] of rows) assert.ok(text.split(" ").length >= 2, text);
  });

  it("wordcountRows() uses every distinct key", () => {
    const words = wordcountRows(200, 50).flatMap(([line]) => line.split(" "));
    assert.equal(words.length, 200);
    assert.equal(new Set(words).size, 50);
  });

  it("the JSON, Arrow and plain-JS baselines agree on len_plus_diff", () => {
    const rows = lineRows(20);
    const json = JSON.parse(new TextDecoder().decode(jsonPipeline("single")(jsonBody(rows)))) as {
      diff: number;
    }[];
    assert.deepEqual(
      json.map((r) => r.diff),
      rows.map(([text, diff]) => diff + utf8Length(text)),
    );
    assert.ok(arrowPipeline("single")(arrowBody(rows)).byteLength > 0);
    assert.ok(typedJsPipeline("four")(encodeRows(rows)).byteLength > 0);
  });

  it("PER_RECORD_WASM adds the length to the diff", () => {
    assert.equal(PER_RECORD_WASM[0], 0);
    assert.equal(perRecordFunction().call(8, 5, -7n), -2n);
  });

  it("measureInProcess(), measureReduce() and the report run on tiny sizes", async () => {
    const inProcess = await measureInProcess({
      sizes: [10, 60],
      operators,
      kernelModule: kernelModule(),
      timeMs: 2,
      warmupMs: 1,
      iterations: 2,
    });
    assert.deepEqual(
      inProcess.map((s) => s.rows),
      [10, 60],
    );
    for (const size of inProcess) {
      assert.equal(size.tasks.length, 18);
      assert.ok(size.tasks.some((t) => t.id === "decode-arena"));
      assert.ok(size.tasks.some((t) => t.id === "memcpy" && t.ratioToMemcpy === 1));
      for (const t of size.tasks) assert.ok(Number.isFinite(t.medianMs), t.id);
    }
    const reduce = await measureReduce({
      words: 400,
      distinct: 100,
      operators,
      kernelModule: kernelModule(),
      timeMs: 2,
      iterations: 2,
    });
    assert.equal(reduce.designs.find((d) => d.design === "per-key")?.callsPerBatch, 100);
    assert.equal(reduce.isCallsEqualShards, true);

    const run: SuiteRun = {
      date: new Date(0).toISOString(),
      isQuick: true,
      machine: { nproc: 2, cpu: "test", node: process.version },
      goalRows: 60,
      inProcess,
      runtimes: [
        { runtime: "node", version: process.version, sizes: inProcess.filter((s) => s.rows === 60) },
        { runtime: "workerd", version: "?", skipped: "test" },
      ],
      reduce,
    };
    const verdicts = goals(run);
    assert.ok(verdicts.length >= 8);
    for (const g of verdicts) assert.ok(["pass", "MISS", "n/a"].includes(g.verdict), g.goal);
    assert.match(formatReport(run), /\| len_plus_diff ≥ 30× faster than one WASM call per record \|/);
    const svg = renderChart(chartSpec(run));
    assert.match(svg, /^<svg /);
    assert.match(svg, /<\/svg>\n$/);
  });
});
