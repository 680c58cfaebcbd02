// Mutations of an encoded batch for the decoder fuzz (test/columnar/fuzz.test.ts) and the HTTP
// fuzz (test/reliability/http-cases.ts): flipped bits, truncations, appended and overwritten
// length words (on every boundary a framing check has, or the body's own length give or take a
// few bytes), and slices swapped.
import fc from "fast-check";
import { encodeSlices, type Format } from "../../src/columnar/index.ts";

/** Length and offset words on every boundary a framing check has. */
const NASTY_WORDS = [
  0n,
  1n,
  7n,
  8n,
  15n,
  16n,
  63n,
  64n,
  2n ** 31n,
  2n ** 32n,
  2n ** 32n + 8n,
  2n ** 40n,
  2n ** 53n - 1n,
  2n ** 53n,
  2n ** 63n,
  2n ** 64n - 1n,
];

/** One change to a body. */
export type BodyMutation =
  | { kind: "flip"; at: number; mask: number }
  | { kind: "truncate"; at: number }
  | { kind: "append"; words: bigint[] }
  | { kind: "word"; at: number; value: bigint }
  /** A word set to the body's own length plus `delta`: the most interesting almost-right value. */
  | { kind: "own-length"; at: number; delta: number }
  | { kind: "swap"; a: number; b: number };

export const bodyMutationArbitrary: fc.Arbitrary<BodyMutation> = fc.oneof(
  fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant("append" as const),
    words: fc.array(fc.bigInt(0n, 2n ** 64n - 1n), { minLength: 1, maxLength: 3 }),
  }),
  fc.record({
    kind: fc.constant("word" as const),
    at: fc.nat(),
    value: fc.oneof(fc.constantFrom(...NASTY_WORDS), fc.bigInt(0n, 2n ** 64n - 1n), fc.bigInt(0n, 256n)),
  }),
  fc.record({
    kind: fc.constant("own-length" as const),
    at: fc.nat(),
    delta: fc.integer({ min: -9, max: 9 }),
  }),
  fc.record({ kind: fc.constant("swap" as const), a: fc.nat(), b: fc.nat() }),
);

/** Applies `m` to `body` (a copy); `slices` are the valid batch's slices (for swaps; none: no swap). */
export function mutateBody(
  body: Uint8Array,
  m: BodyMutation,
  slices: readonly Uint8Array[],
  format: Format,
): Uint8Array {
  switch (m.kind) {
    case "flip": {
      if (body.length === 0) return body;
      const out = body.slice();
      out[m.at % out.length] ^= m.mask;
      return out;
    }
    case "truncate":
      return body.slice(0, m.at % (body.length + 1));
    case "append": {
      const out = new Uint8Array(body.length + 8 * m.words.length);
      out.set(body);
      const view = new DataView(out.buffer);
      m.words.forEach((w, k) => view.setBigUint64(body.length + 8 * k, w, true));
      return out;
    }
    case "word":
    case "own-length": {
      if (body.length < 8) return body;
      const out = body.slice();
      const value = m.kind === "word" ? m.value : BigInt(Math.max(0, out.length + m.delta));
      new DataView(out.buffer).setBigUint64(8 * (m.at % (out.length >>> 3)), value, true);
      return out;
    }
    case "swap": {
      if (slices.length < 2) return body;
      const swapped = [...slices];
      const [a, b] = [m.a % swapped.length, m.b % swapped.length];
      [swapped[a], swapped[b]] = [swapped[b], swapped[a]];
      return encodeSlices(swapped, format);
    }
  }
}
