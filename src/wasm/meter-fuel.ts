// Fuel metering by binary rewriting: workerd's Worker Loader isolates have no CPU limit of their own,
// so an operator that loops forever would hang the runtime. We add an exported fuel global; every
// loop iteration and every function entry spends as many units as the instructions it can run
// before the next check (a loop's body outside nested loops, a function's body outside loops), and
// every sized bulk instruction (memory.fill, memory.copy, …) one unit per 16 bytes or elements,
// trapping when the fuel does not cover it. So fuel counts instructions, roughly time: a loop whose
// body is a thousand instructions, or one memory.fill of 256 MiB, cannot stretch the deadline.
// Local access, constants and block markers count half (instruction-walk.ts HALF_WEIGHT): V8
// turns most of them into register moves, and compiled code is full of them.
//
// Host contract: before each `act` call set `instance.exports.__colwasm_fuel.value = budget` (a
// mutable i64 `WebAssembly.Global`, so a BigInt; see `fuelForDeadline`). If a call traps and the
// global reads 0, the operator ran out of fuel: report reason "deadline" (a check that cannot be
// covered sets it to 0 before trapping). The global starts at INITIAL_FUEL (2^31-1, ~1-3 s of an
// empty loop), so a caller that never sets it (tests) still runs, with a bounded budget. A `start`
// function is not left to instantiation: it is exported as START_EXPORT for the host to call
// under the deadline.
//
// Only plain byte manipulation happens here: workerd forbids run-time compilation in the parent.
import { findRewritePoints } from "./instruction-walk.ts";
import { InvalidOperatorError } from "./operator-error.ts";
import { concatBytes, encodeSigned, encodeU32, WasmReader } from "./wasm-reader.ts";
import {
  countImportedGlobals,
  hasExport,
  readSections,
  type Section,
  SECTION_RANK,
} from "./wasm-sections.ts";

const GLOBAL = 6;
const EXPORT = 7;
const START = 8;
const CODE = 10;

/** Name of the exported fuel global (a mutable i64) that `meterFuel` adds. */
export const FUEL_EXPORT = "__colwasm_fuel";

/**
 * Name of the exported mutable i32 global set to 1 when a `memory.grow` fails (returns -1): how
 * the host tells an operator that ran into its memory cap (reason "memory") from one that failed
 * for its own reasons, since the failed grow itself is invisible outside the module.
 */
export const GROW_FAILED_EXPORT = "__colwasm_grow_failed";

/**
 * Name under which a metered module exports its former `start` function: instantiation would run
 * it on the initial budget where a trap cannot be told from running out of fuel, so the host
 * calls it right after instantiating, under the deadline like any call (OperatorCalls).
 */
export const START_EXPORT = "__colwasm_start";

/** The largest budget the host sets (2^53-1: a JS number still exact; ~100 days of loops). */
export const MAX_FUEL = Number.MAX_SAFE_INTEGER;

/** The fuel global's value before the host sets a budget (module `start` functions run on it). */
export const INITIAL_FUEL = 0x7fffffff;

/**
 * Fuel units granted per millisecond of deadline. A unit is about one instruction (local access,
 * constants and block markers count half). Measured on Node 20 / V8 (x86-64, 2 vCPUs): a metered
 * `(loop br 0)` (2 units an iteration) spends ~1.5 M units/ms in Liftoff (a long first call never
 * leaves it) and ~5.8 M units/ms once tiered up; the `heavy_loop` fixture (2000-instruction
 * iterations) ~3 M/ms; a clang -O2 byte loop 3.4-6 M/ms; a clang -O0 one ~12 M/ms. So the default
 * 2000 ms deadline (5e9 units) stops `heavy_loop` after ~1.6 s and an empty loop still in Liftoff
 * after ~3 s; optimised code gets half or more of its deadline, an unoptimised build about a fifth
 * (build operators with optimisation, or raise COLWASM_FUEL).
 */
export const FUEL_PER_MS = 2_500_000;

/**
 * The fuel budget for a deadline: `FUEL_PER_MS` units per ms, clamped to `[0, MAX_FUEL]`. Fuel
 * counts instructions (about one unit each), not time: it approximates the deadline (see FUEL_PER_MS).
 */
export function fuelForDeadline(deadlineMs: number): number {
  if (!(deadlineMs > 0)) return 0;
  return Math.min(MAX_FUEL, Math.floor(deadlineMs * FUEL_PER_MS));
}

/** Bulk instructions spend one unit per 2^BULK_SHIFT bytes or elements (memcpy-like speed). */
const BULK_SHIFT = 4;

/**
 * `global.get F; <cost>; i64.lt_u; if; i64.const 0; global.set F; unreachable; end;
 * global.get F; <cost>; i64.sub; global.set F`: trap (with the fuel at 0) unless it covers `cost`.
 */
function spend(fuelGlobal: number, cost: readonly number[]): number[] {
  const f = encodeU32(fuelGlobal);
  const trapUncovered = [0x23, ...f, ...cost, 0x54, 0x04, 0x40, 0x42, 0x00, 0x24, ...f, 0x00, 0x0b];
  return [...trapUncovered, 0x23, ...f, ...cost, 0x7d, 0x24, ...f];
}

/** The check at a function entry or loop header: spends `weight` units (`i64.const weight`). */
function fuelCheck(fuelGlobal: number, weight: number): Uint8Array {
  return Uint8Array.from(spend(fuelGlobal, [0x42, ...encodeSigned(weight)]));
}

/**
 * A sized bulk instruction (kept as written) preceded by `global.set T` (its count) and a spend of
 * `(count >> BULK_SHIFT) + 1` units (`global.get T; i64.extend_i32_u; …`), then `global.get T`.
 */
function bulkCharge(op: Uint8Array, fuelGlobal: number, scratchGlobal: number): Uint8Array {
  const t = encodeU32(scratchGlobal);
  const cost = [0x23, ...t, 0xad, 0x42, BULK_SHIFT, 0x88, 0x42, 0x01, 0x7c];
  return Uint8Array.from([0x24, ...t, ...spend(fuelGlobal, cost), 0x23, ...t, ...op]);
}

/**
 * A section: its id and size header followed by its content parts, as one array (a module with
 * 50k functions has 100k parts: spread into a call's arguments they would overflow the stack).
 */
function section(id: number, content: readonly Uint8Array[]): Uint8Array {
  const size = content.reduce((n, p) => n + p.length, 0);
  return concatBytes([Uint8Array.from([id, ...encodeU32(size)]), ...content]);
}

/** A vector section with entries appended: the new count, the entries left in `r`, then `tail`. */
function append(r: WasmReader, count: number, tail: readonly Uint8Array[]): Uint8Array[] {
  return [Uint8Array.from(encodeU32(count + tail.length)), r.bytes.subarray(r.at), ...tail];
}

/**
 * `memory.grow` (kept as written) then `global.set T; global.get T; i32.const -1; i32.eq; if;
 * i32.const 1; global.set G; end; global.get T`: same stack effect, and G records a failure.
 */
function growWatch(grow: Uint8Array, scratchGlobal: number, failedGlobal: number): Uint8Array {
  const t = encodeU32(scratchGlobal);
  const g = encodeU32(failedGlobal);
  return Uint8Array.from([
    ...grow,
    0x24,
    ...t,
    0x23,
    ...t,
    0x41,
    0x7f,
    0x46,
    0x04,
    0x40,
    0x41,
    0x01,
    0x24,
    ...g,
    0x0b,
    0x23,
    ...t,
  ]);
}

interface Rewrite {
  /** The fuel global, or undefined when only `memory.grow` is watched. */
  readonly fuelGlobal: number | undefined;
  readonly scratchGlobal: number;
  readonly failedGlobal: number;
}

function meterBody(body: WasmReader, rewrite: Rewrite): Uint8Array[] {
  const groups = body.u32();
  for (let i = 0; i < groups; i++) {
    body.u32();
    body.valueType();
  }
  const entry = body.at;
  const { loops, entryWeight, grows, bulk } = findRewritePoints(body);
  const fuel = rewrite.fuelGlobal;
  const check = (weight: number) => (fuel === undefined ? new Uint8Array(0) : fuelCheck(fuel, weight));
  // (offset, what to splice): loops insert their check, grows and bulk replace [start, end)
  const edits = [
    ...loops.map((loop) => ({ at: loop.at, end: loop.at, bytes: check(loop.weight) })),
    ...grows.map((g) => ({
      at: g.start,
      end: g.end,
      bytes: growWatch(body.bytes.subarray(g.start, g.end), rewrite.scratchGlobal, rewrite.failedGlobal),
    })),
    ...(fuel === undefined
      ? []
      : bulk.map((b) => ({
          at: b.start,
          end: b.end,
          bytes: bulkCharge(body.bytes.subarray(b.start, b.end), fuel, rewrite.scratchGlobal),
        }))),
  ].sort((x, y) => x.at - y.at);
  const parts = [body.bytes.subarray(0, entry), check(entryWeight)];
  let from = entry;
  for (const edit of edits) {
    parts.push(body.bytes.subarray(from, edit.at), edit.bytes);
    from = edit.end;
  }
  parts.push(body.bytes.subarray(from));
  return parts;
}

function meterCode(r: WasmReader, rewrite: Rewrite): Uint8Array[] {
  const count = r.u32();
  const parts: Uint8Array[] = [Uint8Array.from(encodeU32(count))];
  for (let i = 0; i < count; i++) {
    const size = r.u32();
    const base = r.base + r.at;
    const body = meterBody(new WasmReader(r.take(size), base), rewrite);
    const metered = concatBytes(body);
    parts.push(Uint8Array.from(encodeU32(metered.length)), metered);
  }
  if (!r.isDone) r.fail("the code section has bytes after its last body");
  return parts;
}

/**
 * The module with fuel metering added (a new module; the input is untouched): an exported mutable
 * i64 global `FUEL_EXPORT`, checked and decremented at every function entry and loop iteration (by
 * the instructions each can run) and at every sized bulk instruction (by its count), and the
 * `memory.grow` watch of {@link instrumentOperator}. Custom sections are kept byte for
 * byte. Throws `InvalidOperatorError` with rule "not-wasm" for malformed bytes and "instructions"
 * for instructions it cannot walk (threads, exceptions, GC).
 */
export function meterFuel(wasm: Uint8Array): Uint8Array<ArrayBuffer> {
  return instrumentOperator(wasm, { fuel: true });
}

/**
 * Rewrites an operator for hosting: every `memory.grow` records a failure in the exported global
 * `GROW_FAILED_EXPORT`, and with `fuel` the loop budget of `FUEL_EXPORT` is added too (runtimes
 * whose threads can be stopped at a deadline do without it).
 */
export function instrumentOperator(wasm: Uint8Array, options: { fuel: boolean }): Uint8Array<ArrayBuffer> {
  const sections = readSections(wasm);
  const find = (id: number): Section | undefined => sections.find((s) => s.id === id);
  const imports = find(2);
  const importedGlobals = imports ? countImportedGlobals(imports.content) : 0;
  const globals = find(GLOBAL);
  const definedGlobals = globals ? new WasmReader(globals.content.bytes, globals.content.base).u32() : 0;
  // appended after every existing global, so no index moves: [fuel], scratch, grow-failed
  const firstNew = importedGlobals + definedGlobals;
  const fuelGlobal = firstNew;
  const scratchGlobal = firstNew + (options.fuel ? 1 : 0);
  const failedGlobal = scratchGlobal + 1;
  const exports = find(EXPORT);
  // with fuel, the start function becomes an export the host calls under its deadline
  const start = options.fuel ? find(START) : undefined;
  const startFunction = start ? new WasmReader(start.content.bytes, start.content.base).u32() : undefined;
  for (const name of [FUEL_EXPORT, GROW_FAILED_EXPORT, ...(start ? [START_EXPORT] : [])]) {
    if (exports && hasExport(new WasmReader(exports.content.bytes, exports.content.base), name)) {
      throw new InvalidOperatorError(`Cannot host the module: it already exports "${name}"`, {
        rule: "exports",
      });
    }
  }
  const mutI32 = (value: number) => Uint8Array.from([0x7f, 0x01, 0x41, ...encodeSigned(value), 0x0b]);
  /** An export entry: kind 0x03 a global, 0x00 a function. */
  const exportOf = (label: string, index: number, kind = 0x03) => {
    const name = new TextEncoder().encode(label);
    return Uint8Array.from([...encodeU32(name.length), ...name, kind, ...encodeU32(index)]);
  };
  const mutI64 = (value: number) => Uint8Array.from([0x7e, 0x01, 0x42, ...encodeSigned(value), 0x0b]);
  const newGlobals = [...(options.fuel ? [mutI64(INITIAL_FUEL)] : []), mutI32(0), mutI32(0)];
  const newExports = [
    ...(options.fuel ? [exportOf(FUEL_EXPORT, fuelGlobal)] : []),
    exportOf(GROW_FAILED_EXPORT, failedGlobal),
    ...(startFunction === undefined ? [] : [exportOf(START_EXPORT, startFunction, 0x00)]),
  ];
  const rewrite: Rewrite = {
    fuelGlobal: options.fuel ? fuelGlobal : undefined,
    scratchGlobal,
    failedGlobal,
  };

  const out: Uint8Array[] = [wasm.subarray(0, 8)];
  let hasGlobals = false;
  let hasExports = false;
  const emitMissing = (rank: number): void => {
    if (!hasGlobals && rank > GLOBAL) {
      out.push(section(GLOBAL, [Uint8Array.from(encodeU32(newGlobals.length)), ...newGlobals]));
      hasGlobals = true;
    }
    if (!hasExports && rank > EXPORT) {
      out.push(section(EXPORT, [Uint8Array.from(encodeU32(newExports.length)), ...newExports]));
      hasExports = true;
    }
  };
  for (const s of sections) {
    if (s.id !== 0) emitMissing(SECTION_RANK[s.id]);
    const r = new WasmReader(s.content.bytes, s.content.base);
    if (s.id === GLOBAL) {
      out.push(section(GLOBAL, append(r, r.u32(), newGlobals)));
      hasGlobals = true;
    } else if (s.id === EXPORT) {
      out.push(section(EXPORT, append(r, r.u32(), newExports)));
      hasExports = true;
    } else if (s.id === START && startFunction !== undefined) {
      // dropped: exported as START_EXPORT instead
    } else if (s.id === CODE) {
      out.push(section(CODE, meterCode(r, rewrite)));
    } else {
      out.push(s.raw);
    }
  }
  emitMissing(Infinity);
  return concatBytes(out);
}
