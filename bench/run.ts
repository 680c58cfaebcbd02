// `npm run bench [-- --quick] [-- --no-http] [-- --out DIR] [-- --from-json FILE]` (`node --import tsx bench/run.ts`): the benchmark
// suite of issue #8 on one deterministic data set — memcpy, colwasm in process, JSON, Arrow IPC,
// one WASM call per record, plain JS over typed columns; colwasm in process inside Deno; HTTP end
// to end on workerd and Deno (autocannon); wordcount reduce, sharded vs one call per key.
// Writes bench/results/latest.{json,md,svg}. `--quick`: 1k/100k rows, fewer samples, < 2 min.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";
import { builtOperator, kernelModule } from "./bench-operators.ts";
import { renderChart } from "./chart-svg.ts";
import { measureHttp } from "./http-harness.ts";
import { measureReduce } from "./reduce-harness.ts";
import { chartSpec, formatReport, goals, type RuntimeRun, type SuiteRun } from "./report.ts";
import { measureInProcess, type SizeResult } from "./suite-harness.ts";
import { measureWorkerd, type WorkerdReduce } from "./workerd-harness.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const DENO = `${ROOT}node_modules/.bin/deno`;
const WORKERD = `${ROOT}node_modules/.bin/workerd`;
const fromJson = process.argv.indexOf("--from-json");
if (fromJson > 0) {
  // Re-renders latest.md and latest.svg beside a latest.json (e.g. after a report change).
  const file = process.argv[fromJson + 1];
  const run = JSON.parse(readFileSync(file, "utf8")) as SuiteRun;
  const dir = file.replace(/[^/]*$/, "");
  writeFileSync(`${dir}latest.md`, formatReport(run) + "\n");
  writeFileSync(`${dir}latest.svg`, renderChart(chartSpec(run)));
  writeFileSync(file, JSON.stringify({ ...run, goals: goals(run) }, null, 2) + "\n");
  console.error(`re-rendered ${dir}latest.{md,svg} from ${file}`);
  process.exit(0);
}
const isQuick = process.argv.includes("--quick");
const withHttp = !process.argv.includes("--no-http");
const GOAL_ROWS = 100_000;
const timing = isQuick
  ? { timeMs: 150, warmupMs: 30, iterations: 5, httpSec: 3, reduceSamples: 3 }
  : { timeMs: 1000, warmupMs: 200, iterations: 10, httpSec: 10, reduceSamples: 7 };
const started = performance.now();
const log = (message: string) =>
  console.error(`[${((performance.now() - started) / 1000).toFixed(1)} s] ${message}`);

function version(command: string, args: string[]): string | undefined {
  try {
    return execFileSync(command, args, { encoding: "utf8" }).trim().split("\n")[0];
  } catch {
    return undefined;
  }
}

function cpuModel(): string {
  const match = /model name\s*:\s*(.*)/.exec(readFileSync("/proc/cpuinfo", "utf8"));
  return match?.[1]?.trim() ?? cpus()[0]?.model ?? "unknown";
}

/** The in-process colwasm tasks inside Deno (bench/inprocess.deno.ts). */
function denoInProcess(denoVersion: string): RuntimeRun {
  log("in-process: Deno");
  const child = spawnSync(
    DENO,
    [
      "run",
      "-A",
      "bench/inprocess.deno.ts",
      String(GOAL_ROWS),
      String(timing.timeMs),
      String(timing.iterations),
    ],
    { cwd: ROOT, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" }, maxBuffer: 64 << 20 },
  );
  const line = child.stdout.trim().split("\n").pop() ?? "";
  try {
    const parsed = JSON.parse(line) as { sizes: SizeResult[] };
    return { runtime: "deno", version: denoVersion, sizes: parsed.sizes };
  } catch {
    return { runtime: "deno", version: denoVersion, skipped: `deno run failed: ${child.stderr.slice(-500)}` };
  }
}

const machine = {
  nproc: cpus().length,
  cpu: cpuModel(),
  node: process.version,
  deno: version(DENO, ["--version"])?.split(" ")[1],
  workerd: version(WORKERD, ["--version"])?.replace(/^workerd /, ""),
};
log(`suite${isQuick ? " (--quick)" : ""} on ${machine.nproc} × ${machine.cpu}`);

const inProcess = await measureInProcess({
  sizes: isQuick ? [1_000, GOAL_ROWS] : [1_000, GOAL_ROWS, 1_000_000],
  operators: builtOperator,
  kernelModule: kernelModule(),
  timeMs: timing.timeMs,
  warmupMs: timing.warmupMs,
  iterations: timing.iterations,
  onProgress: log,
});
const nodeAtGoal = inProcess.filter((s) => s.rows === GOAL_ROWS);
const runtimes: RuntimeRun[] = [
  { runtime: "node", version: machine.node, sizes: nodeAtGoal },
  denoInProcess(machine.deno ?? "?"),
];
const IN_RUNTIME_TASKS = ["memcpy", "decode", "colwasm:words", "colwasm:single", "colwasm:four"];
let workerdReduce: WorkerdReduce[] | undefined;
try {
  const node = nodeAtGoal[0];
  const workerd = await measureWorkerd({
    rows: GOAL_ROWS,
    ids: IN_RUNTIME_TASKS,
    estimateMs: (id) => node?.tasks.find((t) => t.id === id)?.medianMs ?? 1,
    targetMs: isQuick ? 200 : 600,
    pairs: isQuick ? 3 : 7,
    reduce: { words: 100_000, distinct: 10_000, samples: isQuick ? 1 : 3 },
    onProgress: log,
  });
  runtimes.push({ runtime: "workerd", version: machine.workerd ?? "?", sizes: [workerd.size] });
  workerdReduce = workerd.reduce;
} catch (error) {
  runtimes.push({
    runtime: "workerd",
    version: machine.workerd ?? "?",
    skipped: String(error).slice(0, 300),
  });
}
log("reduce: in process");
const reduce = await measureReduce({
  words: 100_000,
  distinct: 10_000,
  operators: builtOperator,
  kernelModule: kernelModule(),
  timeMs: timing.timeMs * 4,
  iterations: timing.iterations,
});
const http = withHttp
  ? await measureHttp({
      durationSec: timing.httpSec,
      connections: 8,
      reduceSamples: timing.reduceSamples,
      onProgress: log,
    })
  : undefined;

const run: SuiteRun = {
  date: new Date().toISOString(),
  isQuick,
  machine,
  goalRows: GOAL_ROWS,
  inProcess,
  runtimes,
  reduce,
  workerdReduce,
  http,
};
const outFlag = process.argv.indexOf("--out");
const dir = outFlag > 0 ? `${process.argv[outFlag + 1].replace(/\/$/, "")}/` : `${ROOT}bench/results/`;
mkdirSync(dir, { recursive: true });
writeFileSync(`${dir}latest.json`, JSON.stringify({ ...run, goals: goals(run) }, null, 2) + "\n");
const markdown = formatReport(run);
writeFileSync(`${dir}latest.md`, markdown + "\n");
writeFileSync(`${dir}latest.svg`, renderChart(chartSpec(run)));
console.log(markdown);
log(`wrote ${dir}latest.{json,md,svg}`);
