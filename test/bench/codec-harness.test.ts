// Keeps bench/codec-harness.ts from rotting: it runs on tiny sizes and yields a row per size.
// No timing assertions (style.md §9): only the report's shape.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatCodecReport, measureCodec } from "../../bench/codec-harness.ts";

describe("measureCodec()", () => {
  it("measureCodec() produces one row per size, and formatCodecReport() a table row for each", async () => {
    const report = await measureCodec({ sizes: [10, 200], timeMs: 2, warmupMs: 1 });
    assert.deepEqual(
      report.rows.map((r) => r.rows),
      [10, 200],
    );
    for (const row of report.rows) {
      assert.ok(row.bodyBytes > 0 && row.bodyBytes % 8 === 0);
      for (const value of [row.memcpyMs, row.decodeMs, row.encodeFreshMs, row.encodeReusedMs]) {
        assert.equal(typeof value, "number");
      }
    }
    assert.equal(typeof report.isDecodeFlat, "boolean");
    assert.equal(
      formatCodecReport(report)
        .split("\n")
        .filter((l) => l.startsWith("| 10 ") || l.startsWith("| 200 ")).length,
      2,
    );
  });
});
