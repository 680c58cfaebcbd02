// Sustained chain + reduce traffic on loopback with autocannon (issue #9), shared by
// scripts/load.ts (60 s) and test/reliability/load.test.ts (a few seconds). Three concurrent
// autocannon runs, each of one fixed body and an exact request count (`amount`, calibrated from a
// warm-up, so no request is left in flight when it ends): a chain without state and two reduce
// bodies over overlapping keys (one with retractions). After: 0 errors, 0 non-2xx, and the
// namespace's totals equal to what was sent.
import { createRequire } from "node:module";
import { batch, readTotals, SCHEMA } from "./runtimes.ts";

/** The part of autocannon's result this uses. */
interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; average: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  "2xx": number;
}

type Autocannon = (options: {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: Buffer;
  connections: number;
  pipelining: number;
  duration?: number;
  amount?: number;
  timeout?: number;
}) => Promise<AutocannonResult>;

// autocannon ships no types: required, then used through the interface above
const autocannon = createRequire(import.meta.url)("autocannon") as Autocannon;

/** One traffic stream's figures. */
export interface StreamFigures {
  readonly name: string;
  readonly requests: number;
  readonly ok: number;
  readonly errors: number;
  readonly non2xx: number;
  readonly requestsPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/** What a load run measured and checked. */
export interface LoadFigures {
  readonly seconds: number;
  readonly streams: readonly StreamFigures[];
  /** Keys whose total differs from what was sent (empty when exact). */
  readonly wrongTotals: readonly string[];
  readonly keys: number;
}

const VOCABULARY = Array.from({ length: 40 }, (_, k) => `word${k}`);

/** `count` lines of 1-6 words (seeded), diffs from `diffs`. */
function lines(seed: number, count: number, diffs: readonly number[]): [string, number][] {
  let state = seed;
  const next = (n: number) => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return (state >>> 8) % n;
  };
  return Array.from({ length: count }, () => {
    const words = Array.from({ length: 1 + next(6) }, () => VOCABULARY[next(VOCABULARY.length)]);
    return [words.map((w) => (next(3) === 0 ? w.toUpperCase() : w)).join(" "), diffs[next(diffs.length)]];
  });
}

/** What `split_words,lowercase,reduce:` adds per request, per key. */
function wordcount(rows: readonly [string, number][]): Map<string, bigint> {
  const totals = new Map<string, bigint>();
  for (const [text, diff] of rows)
    for (const w of text.split(" "))
      totals.set(w.toLowerCase(), (totals.get(w.toLowerCase()) ?? 0n) + BigInt(diff));
  return totals;
}

/**
 * Runs the three streams against `url` for about `seconds` (calibrated over `warmupSeconds`) into
 * reduce namespace `namespace` (which must be new), then checks the totals.
 */
export async function runLoad(
  url: string,
  options: {
    seconds: number;
    warmupSeconds?: number;
    connections?: number;
    namespace: string;
    token?: string;
  },
): Promise<LoadFigures> {
  const connections = options.connections ?? 4;
  const headers: Record<string, string> = {
    "content-type": "application/x-columnar",
    "columnar-schema": SCHEMA,
  };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  const plus = lines(1, 40, [1, 2, 3]);
  const mixed = lines(2, 40, [-2, -1, 1, 2, 5]);
  const streams = [
    {
      name: "chain split_words,lowercase,filter_nonempty",
      chain: "split_words,lowercase,filter_nonempty",
      rows: plus,
    },
    { name: `reduce (+) split_words,lowercase,reduce:${options.namespace}`, chain: "", rows: plus },
    { name: `reduce (±) split_words,lowercase,reduce:${options.namespace}`, chain: "", rows: mixed },
  ].map((s) => ({
    ...s,
    chain: s.chain === "" ? `split_words,lowercase,reduce:${options.namespace}` : s.chain,
    body: Buffer.from(batch(s.rows)),
  }));
  // calibration: the same traffic into a throwaway namespace, by duration
  const warmup = options.warmupSeconds ?? 2;
  const rates = await Promise.all(
    streams.map(async (s) => {
      const r = await autocannon({
        url: `${url}/v1/run?chain=${encodeURIComponent(s.chain.replace(options.namespace, `${options.namespace}_warmup`))}`,
        method: "POST",
        headers,
        body: s.body,
        connections,
        pipelining: 1,
        duration: warmup,
      });
      return Math.max(1, r.requests.total / warmup);
    }),
  );
  const started = performance.now();
  const results = await Promise.all(
    streams.map((s, k) =>
      autocannon({
        url: `${url}/v1/run?chain=${encodeURIComponent(s.chain)}`,
        method: "POST",
        headers,
        body: s.body,
        connections,
        pipelining: 1,
        amount: Math.max(connections, Math.round(rates[k] * options.seconds)),
        timeout: 30,
      }),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  const figures = results.map((r, k): StreamFigures => ({
    name: streams[k].name,
    requests: r.requests.total,
    ok: r["2xx"],
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
    requestsPerSec: r.requests.total / seconds,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
  }));
  // what was sent: each answered reduce request added its body's word counts once
  const expected = new Map<string, bigint>();
  for (const [k, s] of streams.entries()) {
    if (k === 0) continue;
    for (const [key, add] of wordcount(s.rows))
      expected.set(key, (expected.get(key) ?? 0n) + add * BigInt(figures[k].ok));
  }
  for (const [key, total] of expected) if (total === 0n) expected.delete(key);
  const actual = await readTotals(url, options.namespace, options.token);
  const wrongTotals = [...new Set([...expected.keys(), ...actual.keys()])]
    .filter((key) => expected.get(key) !== actual.get(key))
    .map((key) => `${key}: sent ${expected.get(key) ?? 0n}, stored ${actual.get(key) ?? "none"}`);
  return { seconds, streams: figures, wrongTotals, keys: expected.size };
}

/** The figures as text lines. */
export function formatLoad(runtime: string, f: LoadFigures): string[] {
  return [
    `${runtime}: ${f.seconds.toFixed(1)} s, ${f.keys} keys, totals ${f.wrongTotals.length === 0 ? "exact" : `WRONG (${f.wrongTotals.length})`}`,
    ...f.streams.map(
      (s) =>
        `  ${s.name}: ${s.requests} requests (${s.requestsPerSec.toFixed(0)}/s), ${s.ok} 2xx, ${s.non2xx} non-2xx, ` +
        `${s.errors} errors, p50 ${s.p50Ms} ms, p99 ${s.p99Ms} ms`,
    ),
  ];
}
