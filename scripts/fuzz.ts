// `npm run fuzz` (issue #9): the long decoder + HTTP fuzz through the in-process app
// (`app.request`, memory stores): random schemas, mutated bodies, wrong headers. Every answer must
// be a 4xx problem+json or a correct 200 (test/reliability/http-cases.ts); heap and RSS are
// compared after a warm-up and at the end to show memory stays bounded.
// Env: COLWASM_FUZZ_RUNS (default 100000), COLWASM_FUZZ_SEED, COLWASM_FUZZ_MAX_GROWTH_MB (64).
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import fc from "fast-check";
import { ADMIN, makeApp, operatorWasm } from "../test/http/app-fixture.ts";
import { checkAnswer, httpCaseArbitrary, requestCase } from "../test/reliability/http-cases.ts";

const RUNS = Number(process.env.COLWASM_FUZZ_RUNS ?? 100_000);
const SEED = Number(process.env.COLWASM_FUZZ_SEED ?? Date.now() % 2 ** 31);
const MAX_GROWTH_MB = Number(process.env.COLWASM_FUZZ_MAX_GROWTH_MB ?? 64);
const WARMUP = Math.min(5000, Math.floor(RUNS / 10));
const TIMEOUT_MS = 10_000;

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

function memoryMb(): { heap: number; rss: number } {
  gc();
  gc();
  const m = process.memoryUsage();
  return { heap: m.heapUsed / 2 ** 20, rss: m.rss / 2 ** 20 };
}

const app = await makeApp({
  auth: { adminToken: ADMIN },
  limits: { maxBodyBytes: 1 << 20, maxStages: 8 },
});
const cases = httpCaseArbitrary({ adminToken: ADMIN, moduleBytes: operatorWasm("identity") });
const labels = new Map<string, number>();
let done = 0;
let baseline: { heap: number; rss: number } | undefined;
const started = performance.now();
console.log(`colwasm fuzz: ${RUNS} requests through the in-process app, seed ${SEED}`);

const property = fc.asyncProperty(cases, async (c) => {
  const label = checkAnswer(c, await requestCase(app, c, TIMEOUT_MS));
  labels.set(label, (labels.get(label) ?? 0) + 1);
  done++;
  if (done === WARMUP) baseline = memoryMb();
  if (done % 10_000 === 0) {
    const rate = (done / (performance.now() - started)) * 1000;
    console.log(`  ${done} requests (${rate.toFixed(0)}/s)`);
  }
});

const details = await fc.check(property, { numRuns: RUNS, seed: SEED, endOnFailure: true });
if (details.failed) {
  console.error(fc.defaultReportMessage(details));
  console.error(details.errorInstance);
  console.error(`colwasm fuzz: FAILED (seed ${SEED}); re-run with COLWASM_FUZZ_SEED=${SEED}`);
  process.exit(1);
}
const seconds = (performance.now() - started) / 1000;
const end = memoryMb();
const start = baseline ?? end;
console.log(`colwasm fuzz: ${done} requests in ${seconds.toFixed(1)} s, seed ${SEED}, no 5xx, no hang`);
for (const [label, n] of [...labels.entries()].sort((a, b) => b[1] - a[1]))
  console.log(`  ${String(n).padStart(7)}  ${label}`);
const growth = end.heap - start.heap;
console.log(
  `  heap ${start.heap.toFixed(1)} -> ${end.heap.toFixed(1)} MiB (+${growth.toFixed(1)}), ` +
    `rss ${start.rss.toFixed(1)} -> ${end.rss.toFixed(1)} MiB (after ${WARMUP} warm-up requests)`,
);
if (growth > MAX_GROWTH_MB) {
  console.error(`colwasm fuzz: heap grew ${growth.toFixed(1)} MiB, over ${MAX_GROWTH_MB} MiB`);
  process.exit(1);
}
