// Deterministic `(String, i64)` rows for benchmarks: English-like words drawn with a Zipf-ish skew
// from a seeded PRNG, so every run and machine measures the same bytes.

/** The word list, most common first. */
export const WORDS = (
  "the of and to in is it you that he was for on are with as his they be at one have this from or had by " +
  "hot word but what some we can out other were all there when up use your how said an each she which do " +
  "their time if will way about many then them write would like so these her long make thing see him two " +
  "has look more day could go come did number sound no most people my over know water than call first who " +
  "may down side been now find any new work part take get place made live where after back little only " +
  "round man year came show every good me give our under name very through just form sentence great think"
).split(" ");

/** mulberry32: a tiny seeded PRNG returning floats in [0, 1). */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` rows `[word, diff]`: a word (sometimes two joined) and a small signed count. */
export function wordRows(count: number, seed = 42): [string, number][] {
  const next = random(seed);
  const rows: [string, number][] = [];
  for (let i = 0; i < count; i++) {
    // Squaring the uniform draw skews towards the first (most common) words.
    const word = WORDS[Math.floor(next() * next() * WORDS.length)];
    const text = next() < 0.1 ? `${word}-${WORDS[Math.floor(next() * WORDS.length)]}` : word;
    rows.push([text, Math.floor(next() * 2001) - 1000]);
  }
  return rows;
}
