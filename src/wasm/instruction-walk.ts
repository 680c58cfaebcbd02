// Walks the instructions of one function body, skipping every immediate, to find where each `loop`
// starts and how many instructions it and the body around it hold, and where `memory.grow` and the
// sized bulk instructions are (spec binary/instructions.html). It knows MVP, sign extension,
// saturating truncation, bulk memory, reference types, multi-value, tail calls, fixed-width and
// relaxed SIMD, and exception handling (the legacy try/catch/delegate that clang emits and Node 20
// runs, and try_table/throw_ref); anything else is refused rather than guessed, because one
// mis-sized immediate would misread the rest of the body. Exceptions only leave a block outward, so
// they add no path around the fuel checks at loop heads and function entries.
import { InvalidOperatorError } from "./operator-error.ts";
import type { WasmReader } from "./wasm-reader.ts";

/** Signed-LEB values of the one-byte block types: 0x40 (empty) and the value types (0x69 exnref). */
const ONE_BYTE_BLOCK_TYPES: ReadonlySet<number> = new Set([-64, -1, -2, -3, -4, -5, -16, -17, -23]);

/** 0xFD sub-opcodes (0..255) that exist in the SIMD proposal as merged in Wasm 2.0. */
const SIMD_HOLES: ReadonlySet<number> = new Set([
  154, 162, 165, 166, 175, 176, 178, 179, 180, 187, 194, 197, 198, 207, 208, 210, 211, 212, 226, 238,
]);

/** The last relaxed-SIMD sub-opcode (0x100-0x113, none with an immediate; workerd and Deno run them). */
const RELAXED_SIMD_LAST = 0x113;

function unsupported(reader: WasmReader, start: number, opcode: string): never {
  throw new InvalidOperatorError(
    `Cannot meter the module: unsupported instruction ${opcode} at byte ${reader.base + start}`,
    { rule: "instructions" },
  );
}

function blockType(reader: WasmReader): void {
  const t = reader.signed(33);
  if (t < 0 && !ONE_BYTE_BLOCK_TYPES.has(t)) reader.fail("unknown block type");
}

function memarg(reader: WasmReader): void {
  const align = reader.u32();
  if (align >= 128) reader.fail("a memarg alignment is out of range");
  if (align >= 64) reader.u32(); // multi-memory: the memory index follows the flags
  reader.signed(64); // offset: u32, or u64 with memory64 (only its length matters here)
}

function skipBulk(reader: WasmReader, start: number): void {
  const sub = reader.u32();
  if (sub <= 7) return; // trunc_sat
  if (sub === 8 || sub === 10 || sub === 12 || sub === 14) {
    reader.u32();
    reader.u32();
  } else if (sub <= 17) {
    reader.u32();
  } else {
    unsupported(reader, start, `0xfc ${sub}`);
  }
}

function skipSimd(reader: WasmReader, start: number): void {
  const sub = reader.u32();
  if (sub <= 11 || sub === 92 || sub === 93)
    memarg(reader); // loads, store, load_zero
  else if (sub === 12 || sub === 13)
    reader.take(16); // v128.const, i8x16.shuffle
  else if (sub <= 34) {
    if (sub >= 21) reader.byte(); // extract_lane / replace_lane: lane index
  } else if (sub >= 84 && sub <= 91) {
    memarg(reader); // load*_lane / store*_lane
    reader.byte();
  } else if (sub > RELAXED_SIMD_LAST || (sub <= 255 && SIMD_HOLES.has(sub))) {
    unsupported(reader, start, `0xfd ${sub}`);
  }
}

/**
 * Skips one instruction at the cursor and returns its opcode byte (0xFC/0xFD for prefixed ones).
 * Throws `InvalidOperatorError` (rule "instructions") for an opcode it does not know.
 */
export function skipInstruction(reader: WasmReader): number {
  const start = reader.at;
  const op = reader.byte();
  if (op >= 0x45 && op <= 0xc4) return op; // numeric, conversions, sign extension: no immediates
  if (op >= 0x28 && op <= 0x3e) {
    memarg(reader); // loads and stores
    return op;
  }
  switch (op) {
    case 0x00: // unreachable
    case 0x01: // nop
    case 0x05: // else
    case 0x0a: // throw_ref
    case 0x0b: // end
    case 0x0f: // return
    case 0x19: // catch_all (legacy)
    case 0x1a: // drop
    case 0x1b: // select
    case 0xd1: // ref.is_null
      return op;
    case 0x02: // block
    case 0x03: // loop
    case 0x04: // if
    case 0x06: // try (legacy)
      blockType(reader);
      return op;
    case 0x1f: {
      // try_table: a block type, then its catch clauses (kind, [tag], label)
      blockType(reader);
      const count = reader.u32();
      for (let i = 0; i < count; i++) {
        const kind = reader.byte();
        if (kind > 3) reader.fail(`unknown catch clause kind ${kind}`);
        if (kind <= 1) reader.u32(); // catch and catch_ref name a tag
        reader.u32();
      }
      return op;
    }
    case 0x07: // catch tag (legacy)
    case 0x08: // throw tag
    case 0x09: // rethrow label (legacy)
    case 0x18: // delegate label (legacy; ends its try)
    case 0x0c: // br
    case 0x0d: // br_if
    case 0x10: // call
    case 0x12: // return_call
    case 0x20: // local.get
    case 0x21: // local.set
    case 0x22: // local.tee
    case 0x23: // global.get
    case 0x24: // global.set
    case 0x25: // table.get
    case 0x26: // table.set
    case 0x3f: // memory.size
    case 0x40: // memory.grow
    case 0xd2: // ref.func
      reader.u32();
      return op;
    case 0x0e: {
      // br_table: a vector of labels, then the default label
      const count = reader.u32();
      for (let i = 0; i <= count; i++) reader.u32();
      return op;
    }
    case 0x11: // call_indirect
    case 0x13: // return_call_indirect
      reader.u32();
      reader.u32();
      return op;
    case 0x1c: {
      // select t*
      const count = reader.u32();
      for (let i = 0; i < count; i++) reader.valueType();
      return op;
    }
    case 0x41: // i32.const
      reader.signed(32);
      return op;
    case 0x42: // i64.const
      reader.signed(64);
      return op;
    case 0x43: // f32.const
      reader.take(4);
      return op;
    case 0x44: // f64.const
      reader.take(8);
      return op;
    case 0xd0: {
      // ref.null: funcref, externref or exnref
      const t = reader.byte();
      if (t !== 0x70 && t !== 0x6f && t !== 0x69) unsupported(reader, start, `0xd0 0x${t.toString(16)}`);
      return op;
    }
    case 0xfc:
      skipBulk(reader, start);
      return op;
    case 0xfd:
      skipSimd(reader, start);
      return op;
    default:
      return unsupported(reader, start, `0x${op.toString(16).padStart(2, "0")}`);
  }
}

/** Where a body needs rewriting, and what its fuel checks charge. */
export interface RewritePoints {
  /**
   * Each loop: the offset just past its block type, and its weight, the instructions of its body
   * outside nested loops (which charge their own; HALF_WEIGHT ones count half, rounded up): the
   * most one iteration can run without passing another check.
   */
  readonly loops: { readonly at: number; readonly weight: number }[];
  /** The function body's instructions outside every loop: what one call runs past its checks. */
  readonly entryWeight: number;
  /** `[start, end)` of each `memory.grow` instruction (opcode and memory index). */
  readonly grows: { readonly start: number; readonly end: number }[];
  /**
   * `[start, end)` of each bulk instruction whose work grows with its last operand, an i32 count
   * of bytes or elements: memory.init, memory.copy, memory.fill, table.init, table.copy, table.fill.
   */
  readonly bulk: { readonly start: number; readonly end: number }[];
}

/**
 * Instructions that cost half a unit: local access, constants and structure markers (nop, drop,
 * block, else, end), which compiled code is full of (an unoptimised C or Rust build is about half
 * these) and which V8 mostly turns into register moves or nothing. Counting them whole stopped a
 * clang -O0 operator at ~12% of its deadline. Branches, calls, memory and arithmetic stay whole,
 * so every loop iteration still costs at least one unit.
 */
const HALF_WEIGHT: ReadonlySet<number> = new Set([
  0x01, 0x02, 0x05, 0x0b, 0x1a, 0x20, 0x21, 0x22, 0x41, 0x42, 0x43, 0x44,
]);

/** 0xFC sub-opcodes whose last operand is a byte or element count (see RewritePoints.bulk). */
const SIZED_BULK: ReadonlySet<number> = new Set([8, 10, 11, 12, 14, 17]);

/** The u32 LEB at `at` (already read once by skipInstruction, so well formed), padded or not. */
function subOpcode(bytes: Uint8Array, at: number): number {
  let value = 0;
  for (let shift = 0; ; shift += 7) {
    const b = bytes[at++];
    value += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return value;
  }
}

/**
 * Walks a function body's instructions from the cursor to the end of `reader` and returns its
 * rewrite points. Throws "not-wasm" unless the body's final `end` is its last byte.
 */
export function findRewritePoints(reader: WasmReader): RewritePoints {
  const end = reader.bytes.length;
  // weights in half units while walking: a whole instruction adds 2, a HALF_WEIGHT one 1
  const loops: { at: number; weight: number }[] = [];
  const grows: { start: number; end: number }[] = [];
  const bulk: { start: number; end: number }[] = [];
  let entryWeight = 0;
  // open control frames, innermost last: the index in `loops` of a loop frame, -1 for the others
  const frames: number[] = [-1]; // the function body itself is a block closed by the final `end`
  const innermostLoop: number[] = [-1]; // per frame: the loop whose weight its instructions add to
  while (frames.length > 0) {
    if (reader.at >= end) reader.fail("a function body ends without its final end");
    const start = reader.at;
    const op = skipInstruction(reader);
    const counted = innermostLoop[innermostLoop.length - 1];
    const halves = HALF_WEIGHT.has(op) ? 1 : 2;
    if (counted < 0) entryWeight += halves;
    else loops[counted].weight += halves;
    if (op === 0x02 || op === 0x04 || op === 0x06 || op === 0x1f) {
      frames.push(-1);
      innermostLoop.push(counted);
    } else if (op === 0x03) {
      loops.push({ at: reader.at, weight: 0 });
      frames.push(loops.length - 1);
      innermostLoop.push(loops.length - 1);
    } else if (op === 0x0b || op === 0x18) {
      frames.pop();
      innermostLoop.pop();
    } else if (op === 0x40) grows.push({ start, end: reader.at });
    else if (op === 0xfc && SIZED_BULK.has(subOpcode(reader.bytes, start + 1)))
      bulk.push({ start, end: reader.at });
  }
  if (reader.at !== end) reader.fail("a function body has bytes after its final end");
  const units = (halves: number) => Math.ceil(halves / 2);
  return {
    loops: loops.map((loop) => ({ at: loop.at, weight: units(loop.weight) })),
    entryWeight: units(entryWeight),
    grows,
    bulk,
  };
}
