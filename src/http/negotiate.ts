// Proactive negotiation of a response's media type from `Accept` (RFC 9110 §12.5.1): media ranges
// with q-values, `type/*` and `*/*`, the most specific range deciding each offer's quality.
// hono's `accepts` helper is not used: it never matches `*/*` and drops q=0 ranges before falling
// back to its default, so `Accept: application/x-columnar;q=0` got columnar.
import { HttpProblem } from "./http-problem.ts";

/** One media range of an Accept header; `*` stands for a wildcard type or subtype. */
export interface MediaRange {
  readonly type: string;
  readonly subtype: string;
  /** The weight, 0 to 1 (1 when the range has no `q`). */
  readonly q: number;
}

// RFC 9110 §5.6.2: token = 1*tchar.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// RFC 9110 §12.4.2: at most three decimals, never above 1.
const QVALUE = /^(?:0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?)$/;

/** Splits `text` at `separator`s that are not inside a quoted string (RFC 9110 §5.6.4). */
function splitOutsideQuotes(text: string, separator: string): string[] {
  const parts: string[] = [];
  let start = 0;
  let isQuoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (isQuoted && ch === "\\") i++;
    else if (ch === '"') isQuoted = !isQuoted;
    else if (!isQuoted && ch === separator) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

/** One Accept element as a range, or undefined when it is malformed (it is then ignored). */
function parseRange(element: string): MediaRange | undefined {
  const [mediaRange, ...params] = splitOutsideQuotes(element, ";").map((p) => p.trim());
  const slash = mediaRange.indexOf("/");
  const type = mediaRange.slice(0, slash).toLowerCase();
  const subtype = mediaRange.slice(slash + 1).toLowerCase();
  if (slash < 0 || !TOKEN.test(type) || !TOKEN.test(subtype)) return undefined;
  if (type === "*" && subtype !== "*") return undefined;
  let q = 1;
  for (const param of params) {
    const eq = param.indexOf("=");
    if (eq <= 0) return undefined;
    // Parameters other than q (and the accept-ext after it) do not narrow the match: no offer has any.
    if (param.slice(0, eq).trim().toLowerCase() !== "q") continue;
    const value = param.slice(eq + 1).trim();
    if (!QVALUE.test(value)) return undefined;
    q = Number(value);
    break;
  }
  return { type, subtype, q };
}

/** The well-formed media ranges of an Accept value, in order; malformed elements are skipped. */
export function parseAccept(accept: string): MediaRange[] {
  return splitOutsideQuotes(accept, ",")
    .filter((element) => element.trim() !== "")
    .flatMap((element) => parseRange(element) ?? []);
}

/** 2 for `type/subtype`, 1 for `type/*`, 0 for `*\/*`; -1 when the range does not match. */
function specificity(range: MediaRange, type: string, subtype: string): number {
  if (range.type === "*") return 0;
  if (range.type !== type) return -1;
  if (range.subtype === "*") return 1;
  return range.subtype === subtype ? 2 : -1;
}

interface Rated {
  readonly offer: string;
  readonly offerIndex: number;
  /** undefined when no range matches the offer. */
  readonly q: number | undefined;
  readonly specificity: number;
  readonly rangeIndex: number;
}

/** An offer's quality: that of the most specific range matching it (the first of equals). */
function rate(offer: string, offerIndex: number, ranges: readonly MediaRange[]): Rated {
  const [type, subtype] = offer.toLowerCase().split("/");
  let best: Rated = { offer, offerIndex, q: undefined, specificity: -1, rangeIndex: -1 };
  ranges.forEach((range, rangeIndex) => {
    const s = specificity(range, type, subtype);
    if (s > best.specificity) best = { offer, offerIndex, q: range.q, specificity: s, rangeIndex };
  });
  return best;
}

/**
 * The media type to answer with, among `offers` (the server's types, preferred first; `offers[0]`
 * is the default), or undefined when `accept` explicitly excludes every offer (answer 406).
 *
 * - No Accept (or no well-formed range in it): `offers[0]`.
 * - Each offer gets the q of the most specific range matching it (`type/subtype` over `type/*`
 *   over `*\/*`); the highest q > 0 wins, ties going to the more specific range, then to the
 *   range listed first, then to the offer listed first. Range parameters other than q are ignored.
 * - When no offer has q > 0, an offer that no range mentions is still answered (the first such
 *   offer: `Accept: text/html` from a browser gets `offers[0]`, `Accept: application/x-columnar;q=0`
 *   gets the other type), as RFC 9110 §12.5.1 allows; only when every offer is matched by a
 *   range with q=0 (e.g. `*\/*;q=0`) is the answer undefined.
 *
 * @example
 * ```ts
 * import { negotiate } from "./negotiate.ts";
 * const offers = ["application/x-columnar", "application/x-ndjson"];
 * negotiate("application/x-ndjson;q=0.5, application/*;q=0.9", offers); // "application/x-columnar"
 * negotiate("application/x-columnar;q=0", offers); // "application/x-ndjson"
 * negotiate("*\/*;q=0", offers); // undefined
 * ```
 */
export function negotiate(accept: string | null | undefined, offers: readonly string[]): string | undefined {
  const ranges = accept === null || accept === undefined ? [] : parseAccept(accept);
  if (ranges.length === 0) return offers[0];
  const rated = offers.map((offer, i) => rate(offer, i, ranges));
  const acceptable = rated.filter((r) => r.q !== undefined && r.q > 0);
  acceptable.sort(
    (a, b) =>
      (b.q ?? 0) - (a.q ?? 0) ||
      b.specificity - a.specificity ||
      a.rangeIndex - b.rangeIndex ||
      a.offerIndex - b.offerIndex,
  );
  return acceptable[0]?.offer ?? rated.find((r) => r.q === undefined)?.offer;
}

/**
 * `negotiate` for a route: the media type to answer with (`offers[0]` by default), or a 406
 * `not-acceptable` problem when the request's Accept excludes every offer.
 *
 * @example
 * ```ts
 * const mediaType = negotiateMediaType(c.req.header("accept"), [COLUMNAR_MEDIA_TYPE, NDJSON_MEDIA_TYPE]);
 * ```
 */
export function negotiateMediaType(
  accept: string | null | undefined,
  offers: readonly [string, ...string[]],
): string {
  const found = negotiate(accept, offers);
  if (found !== undefined) return found;
  throw new HttpProblem(
    "not-acceptable",
    `Cannot answer in a media type the Accept header allows: it excludes ${offers.join(" and ")}`,
    { supported: [...offers] },
  );
}
