// Temporary self-check of the built operators before the real host (src/wasm) lands: runs every
// manifest example, 100k-row random batches against JS reference versions, and the reset reuse.
// Plain WebAssembly API; (String, i64) format-0.1 encode/decode written inline on purpose.
// Run: node --import tsx operators/build.ts && node --import tsx operators/check.ts [seed]

import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

type Row = [string, bigint];
interface Operator {
  memory: WebAssembly.Memory;
  act: (ptr: number, len: number) => number;
  alloc: ((size: number) => number) | null;
  reset: (() => void) | null;
  error: (() => number) | null;
  blogRegion: { ptr: number; byteLength: number } | null;
}

const DIST = join(import.meta.dirname, "dist");
const FIXTURES = join(import.meta.dirname, "..", "test", "fixtures", "wasm", "dist");
const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
let failures = 0;

function expect(isOk: boolean, what: string): void {
  if (!isOk) failures++;
  console.log(`${isOk ? "ok  " : "FAIL"} ${what}`);
}

function toRows(json: unknown): Row[] {
  if (!Array.isArray(json)) throw new Error("rows must be an array");
  return json.map((row: unknown) => {
    if (!Array.isArray(row) || row.length !== 2 || typeof row[0] !== "string")
      throw new Error(`bad row ${JSON.stringify(row)}`);
    const diff: unknown = row[1];
    if (typeof diff !== "number" && typeof diff !== "string")
      throw new Error(`bad diff ${JSON.stringify(row)}`);
    return [row[0], BigInt(diff)];
  });
}

/** (String, i64) rows to format 0.1: [len][bounds][len][bytes + pad][len][diffs]. */
function encodeRows(rows: Row[]): Uint8Array {
  const texts = rows.map(([text]) => utf8.encode(text));
  const bytesLength = texts.reduce((sum, t) => sum + t.length, 0);
  const out = new Uint8Array(8 + rows.length * 8 + 8 + Math.ceil(bytesLength / 8) * 8 + 8 + rows.length * 8);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(rows.length * 8), true);
  const bytesAt = 16 + rows.length * 8;
  view.setBigUint64(bytesAt - 8, BigInt(bytesLength), true);
  let end = 0;
  texts.forEach((t, i) => {
    out.set(t, bytesAt + end);
    end += t.length;
    view.setBigUint64(8 + i * 8, BigInt(end), true);
  });
  const diffsAt = bytesAt + Math.ceil(bytesLength / 8) * 8 + 8;
  view.setBigUint64(diffsAt - 8, BigInt(rows.length * 8), true);
  rows.forEach(([, diff], i) => view.setBigInt64(diffsAt + i * 8, diff, true));
  return out;
}

/** Walks a (String, i64) batch at `at` in memory, checking framing, padding and bounds. */
function decodeRows(memory: WebAssembly.Memory, at: number): Row[] {
  const view = new DataView(memory.buffer);
  const bytes = new Uint8Array(memory.buffer);
  const slices: Array<{ start: number; length: number }> = [];
  for (let k = 0; k < 3; k++) {
    if (at + 8 > bytes.length) throw new Error(`slice ${k} length word outside memory`);
    const length = Number(view.getBigUint64(at, true));
    const padded = Math.ceil(length / 8) * 8;
    if (at + 8 + padded > bytes.length) throw new Error(`slice ${k} runs past memory`);
    if (bytes.subarray(at + 8 + length, at + 8 + padded).some((b) => b !== 0))
      throw new Error(`slice ${k} padding not zero`);
    slices.push({ start: at + 8, length });
    at += 8 + padded;
  }
  const [bounds, text, diffs] = slices;
  const n = bounds.length / 8;
  if (diffs.length !== bounds.length) throw new Error("column lengths differ");
  const rows: Row[] = [];
  let start = 0;
  for (let i = 0; i < n; i++) {
    const end = Number(view.getBigUint64(bounds.start + i * 8, true));
    if (end < start || end > text.length) throw new Error(`bad bound ${end} at ${i}`);
    rows.push([
      fromUtf8.decode(bytes.subarray(text.start + start, text.start + end)),
      view.getBigInt64(diffs.start + i * 8, true),
    ]);
    start = end;
  }
  if (start !== text.length) throw new Error("last bound is not the bytes length");
  return rows;
}

async function load(path: string): Promise<Operator> {
  const { instance } = await WebAssembly.instantiate(readFileSync(path), {});
  const get = (name: string): unknown => instance.exports[name];
  const memory = get("memory");
  const act = get("act");
  if (!(memory instanceof WebAssembly.Memory) || typeof act !== "function")
    throw new Error(`${path}: no memory/act`);
  const fn = <T>(name: string): T | null => (typeof get(name) === "function" ? (get(name) as T) : null);
  return {
    memory,
    act: act as Operator["act"],
    alloc: fn("alloc"),
    reset: fn("reset"),
    error: fn("error"),
    blogRegion: null,
  };
}

function errorText(op: Operator): string {
  if (op.error === null) return "(no error export)";
  const at = op.error();
  const length = Number(new DataView(op.memory.buffer).getBigUint64(at, true));
  return fromUtf8.decode(new Uint8Array(op.memory.buffer, at + 8, length));
}

/** Blog ABI input region: fresh pages at the end of memory, reused while the batch fits. */
function blogInputAt(op: Operator, byteLength: number): number {
  const region = op.blogRegion;
  if (region !== null && region.byteLength >= byteLength) return region.ptr;
  const pages = Math.ceil(byteLength / 65536);
  op.blogRegion = { ptr: op.memory.grow(pages) * 65536, byteLength: pages * 65536 };
  return op.blogRegion.ptr;
}

let lastActMs = 0;

/** colwasm/1 (alloc + copy + act) or blog (host region + act + n u64s replacing the diffs). */
function run(op: Operator, rows: Row[]): Row[] {
  op.reset?.();
  const input = encodeRows(rows);
  const ptr = op.alloc !== null ? op.alloc(input.length) : blogInputAt(op, input.length);
  const startMs = performance.now();
  new Uint8Array(op.memory.buffer).set(input, ptr); // copy: the one copy of this hop
  const out = op.act(ptr, input.length);
  lastActMs = performance.now() - startMs;
  if (out === 0) throw new Error(`act returned 0: ${errorText(op)}`);
  if (op.alloc !== null) return decodeRows(op.memory, out);
  const view = new DataView(op.memory.buffer);
  return rows.map(([text], i) => [text, view.getBigInt64(out + i * 8, true)]);
}

function same(a: Row[], b: Row[]): boolean {
  return a.length === b.length && a.every(([t, d], i) => t === b[i][0] && d === b[i][1]);
}

const REFERENCE: Record<string, (rows: Row[]) => Row[]> = {
  split_words: (rows) =>
    rows.flatMap(([t, d]) =>
      t
        .split(/[ \t\n\r\f\v]+/)
        .filter((w) => w !== "")
        .map((w): Row => [w, d]),
    ),
  lowercase: (rows) => rows.map(([t, d]) => [t.replace(/[A-Z]/g, (c) => c.toLowerCase()), d]),
  filter_nonempty: (rows) => rows.filter(([t]) => t !== ""),
  len_plus_diff: (rows) => rows.map(([t, d]) => [t, BigInt.asIntN(64, BigInt(utf8.encode(t).length) + d)]),
  identity: (rows) => rows,
  template: (rows) => rows,
};
REFERENCE.len_plus_diff_blog = REFERENCE.len_plus_diff;

function randomRows(count: number, seed: number): Row[] {
  let s = seed >>> 0;
  const next = (): number => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
  const words = [
    "the",
    "Quick",
    "brown",
    "FOX",
    "jumps",
    "över",
    "lazy",
    "dogs",
    "日本語",
    "a",
    "naïve",
    "Café",
    "x",
  ];
  const spaces = [" ", " ", " ", "  ", "\t", "\n", "\r\n", "\f", "\v"];
  const rows: Row[] = [];
  for (let i = 0; i < count; i++) {
    const wordCount = next() < 0.05 ? 0 : Math.floor(next() * 14);
    let text = next() < 0.2 ? " " : "";
    for (let w = 0; w < wordCount; w++)
      text += words[Math.floor(next() * words.length)] + spaces[Math.floor(next() * spaces.length)];
    rows.push([text, BigInt(Math.floor(next() * 2000) - 1000)]);
  }
  return rows;
}

async function checkOperators(seed: number): Promise<void> {
  const big = randomRows(100_000, seed);
  for (const file of readdirSync(DIST)
    .filter((f) => f.endsWith(".manifest.json"))
    .sort()) {
    const name = file.slice(0, -".manifest.json".length);
    const manifest: unknown = JSON.parse(readFileSync(join(DIST, file), "utf8"));
    const op = await load(join(DIST, `${name}.wasm`));
    const examples =
      typeof manifest === "object" && manifest !== null && "examples" in manifest ? manifest.examples : [];
    if (!Array.isArray(examples)) throw new Error(`${name}: examples is not an array`);
    examples.forEach((example: { in: unknown; out: unknown }, i: number) => {
      const got = run(op, toRows(example.in));
      expect(same(got, toRows(example.out)), `${name} example ${i}`);
    });
    const reference = REFERENCE[name];
    if (reference === undefined) continue;
    const sizes: number[] = [];
    let ms = Infinity;
    for (let round = 0; round < 4; round++) {
      const got = run(op, big);
      ms = Math.min(ms, lastActMs);
      if (round === 0) expect(same(got, reference(big)), `${name} 100k random rows (seed ${seed})`);
      sizes.push(op.memory.buffer.byteLength);
    }
    expect(
      sizes[1] === sizes[3],
      `${name} reuses memory after reset (${sizes.map((b) => b >> 20).join(",")} MiB, copy+act best ${ms.toFixed(1)} ms)`,
    );
  }
}

async function checkFixtures(): Promise<void> {
  const sample: Row[] = [["hello", 1n]];
  const failsWith = async (name: string, pattern: RegExp): Promise<void> => {
    try {
      run(await load(join(FIXTURES, `${name}.wasm`)), sample);
      expect(false, `${name} fails`);
    } catch (error: unknown) {
      const message = error instanceof Error ? `${error.constructor.name}: ${error.message}` : String(error);
      expect(pattern.test(message), `${name} fails: ${message.slice(0, 90)}`);
    }
  };
  await failsWith("trap", /RuntimeError: unreachable/);
  await failsWith("act_zero", /bad input: always fails/);
  await failsWith("oob_output", /outside memory|past memory/);
  await failsWith("huge_length", /past memory/);
  await failsWith("garbage_output", /bad bound/);
  await failsWith("with_import", /LinkError|TypeError/);
  await failsWith("missing_export", /no memory\/act/);
  const lying = await load(join(FIXTURES, "lying_manifest.wasm"));
  expect(same(run(lying, sample), sample), "lying_manifest returns its (String, i64) input");
}

const seed = Number(process.argv[2] ?? Date.now() % 1e9);
await checkOperators(seed);
await checkFixtures();
console.log(failures === 0 ? "all checks passed" : `${failures} check(s) FAILED (seed ${seed})`);
process.exitCode = failures === 0 ? 0 : 1;
