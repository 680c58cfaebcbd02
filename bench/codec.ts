// `node --import tsx bench/codec.ts [--quick]`: the codec benchmark at 1k / 100k / 1M rows; prints
// a Markdown table and writes bench/results/codec.json. --quick shortens every time budget.
import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { formatCodecReport, measureCodec } from "./codec-harness.ts";

const isQuick = process.argv.includes("--quick");
const report = await measureCodec({
  sizes: [1_000, 100_000, 1_000_000],
  timeMs: isQuick ? 100 : 1000,
  warmupMs: isQuick ? 20 : 200,
});
console.log(formatCodecReport(report));

const dir = fileURLToPath(new URL("./results/", import.meta.url));
mkdirSync(dir, { recursive: true });
const result = { ...report, node: process.version, isQuick, date: new Date().toISOString() };
writeFileSync(`${dir}codec.json`, JSON.stringify(result, null, 2) + "\n");
console.log(`\nwrote ${dir}codec.json`);
