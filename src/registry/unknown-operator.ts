// The one `unknown-operator` error of every registry and route (spec/http-api.md: 404), with the
// built-in a mistyped name is nearest to, when one is close (`split_word` → `split_words`).
import { ColwasmError } from "../error.ts";
import { BUILTIN_NAMES } from "./builtin-names.ts";

/** The `unknown-operator` error for `name`. */
export function unknownOperator(name: string): ColwasmError {
  const near = nearestName(name, BUILTIN_NAMES);
  return new ColwasmError(
    "unknown-operator",
    `Cannot find operator "${name}": it is neither built in nor uploaded${near === undefined ? "" : ` (did you mean "${near}"?)`}`,
    { operator: name },
  );
}

/** The candidate nearest to `name`, if within 2 edits and under a third of its length. */
export function nearestName(name: string, candidates: readonly string[]): string | undefined {
  const limit = Math.min(2, Math.floor(name.length / 3));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of candidates) {
    const d = editDistance(name.toLowerCase(), candidate.toLowerCase(), limit);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/** Levenshtein distance of `a` and `b`, or `limit + 1` once it is known to pass `limit`. */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
      rowMin = Math.min(rowMin, current[j]);
    }
    if (rowMin > limit) return limit + 1;
    previous = current;
  }
  return previous[b.length];
}
