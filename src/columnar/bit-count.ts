// Population counts over bit columns: rank-index validation (spec §4.6) and payload counts (§4.7).
import type { Bits } from "./column.ts";

/** Set bits in a 32-bit integer. */
export function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

/** Set bits among words [from, to) of the complete-word bytes, as 32-bit halves. */
export function popcountWords(words32: Uint32Array, fromWord: number, toWord: number): number {
  let total = 0;
  for (let i = fromWord * 2; i < toWord * 2; i++) total += popcount32(words32[i]);
  return total;
}

/** Set bits of the whole column (the partial word is already masked). */
export function popcountBits(bits: Bits, words32: Uint32Array): number {
  return (
    popcountWords(words32, 0, bits.words.length / 8) +
    popcount32(bits.lastWordLo) +
    popcount32(bits.lastWordHi)
  );
}

/** The complete words as 32-bit halves (low half first: little-endian hosts only, see decode-batch.ts). */
export function wordsAsU32(bits: Bits): Uint32Array {
  return new Uint32Array(bits.words.buffer, bits.words.byteOffset, bits.words.byteLength / 4);
}
