// Test harness of the client tests: runs `bin/colwasm.mjs` as a real child process (async, so the
// Miniflare in the test process keeps serving), and a word-count workload with its plain-JS reference.
import { spawn } from "node:child_process";
import { open } from "node:fs/promises";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** What a CLI run left behind. */
export interface CliRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `colwasm ...args` with `input` text, or a file opened as stdin (so its size is known). */
export async function colwasm(
  args: readonly string[],
  options: { input?: string; inputFile?: string; env?: Record<string, string>; cwd?: string } = {},
): Promise<CliRun> {
  const file = options.inputFile === undefined ? undefined : await open(options.inputFile, "r");
  try {
    const child = spawn(process.execPath, [`${ROOT}bin/colwasm.mjs`, ...args], {
      cwd: options.cwd ?? ROOT,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...options.env },
      stdio: [file === undefined ? "pipe" : file.fd, "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout?.setEncoding("utf8").on("data", (t: string) => (stdout += t));
    child.stderr?.setEncoding("utf8").on("data", (t: string) => (stderr += t));
    if (child.stdin !== null) child.stdin.end(options.input ?? "");
    const status = await new Promise<number | null>((resolve, reject) => {
      child.once("error", reject);
      child.once("close", (code) => resolve(code));
    });
    return { status, stdout, stderr };
  } finally {
    await file?.close();
  }
}

/** The peak RSS the CLI printed under COLWASM_REPORT_RSS=1, in MB. */
export function maxRssMb(run: CliRun): number {
  const match = /colwasm: maxRSS (\d+) KB/.exec(run.stderr);
  if (match === null) throw new Error(`no maxRSS line in: ${run.stderr}`);
  return Number(match[1]) / 1024;
}

/** mulberry32: a small seeded PRNG. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Writes `count` JSONL rows `[text, diff]` (1-6 words of a 500-word vocabulary, diffs -1..3). */
export async function writeWordRows(path: string, count: number, seed: number): Promise<void> {
  const next = random(seed);
  const words = Array.from({ length: 500 }, (_, k) => `w${k.toString(36)}`);
  const file = await open(path, "w");
  try {
    for (let from = 0; from < count; from += 10_000) {
      let text = "";
      for (let i = from; i < Math.min(count, from + 10_000); i++) {
        const n = 1 + Math.floor(next() * 6);
        const line = Array.from({ length: n }, () => words[Math.floor(next() * words.length)]).join(" ");
        text += `${JSON.stringify([line, Math.floor(next() * 5) - 1])}\n`;
      }
      await file.write(text);
    }
  } finally {
    await file.close();
  }
}

/** Plain-JS `split_words,reduce:NAME` over a JSONL file: totals by word, zeros dropped. */
export async function wordcountOf(path: string): Promise<Map<string, number>> {
  const totals = new Map<string, number>();
  const file = await open(path, "r");
  try {
    for await (const line of file.readLines()) {
      if (line === "") continue;
      const [text, diff] = JSON.parse(line) as [string, number];
      for (const word of text.split(/[ \t\n\v\f\r]+/)) {
        if (word !== "") totals.set(word, (totals.get(word) ?? 0) + diff);
      }
    }
  } finally {
    await file.close();
  }
  for (const [word, total] of totals) if (total === 0) totals.delete(word);
  return totals;
}

/** `colwasm state` JSONL output as a map. */
export function totalsOf(stdout: string): Map<string, number> {
  return new Map(
    stdout
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => {
        const [key, total] = JSON.parse(line) as [string, number];
        return [key, Number(total)];
      }),
  );
}

/** True when `text` is exactly one non-empty line. */
export function isOneLine(text: string): boolean {
  return /^[^\n]+\n$/.test(text);
}
