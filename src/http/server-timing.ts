// The Server-Timing header (W3C Server Timing): decode, one entry per stage, encode. Stage
// entries are named `s<i>-<name>` with characters outside RFC 9110 tchar replaced, and carry the
// stage's own name as `desc`.
import type { HopTrace } from "../chain/index.ts";

const NON_TCHAR = /[^!#$%&'*+\-.^_`|~0-9A-Za-z]/g;

const duration = (ms: number): string => (Math.round(ms * 1000) / 1000).toString();

/** `decode;dur=…, s0-split_words;dur=…;desc="split_words", …, encode;dur=…`. */
export function formatServerTiming(timing: {
  decodeMs: number;
  hops: readonly HopTrace[];
  encodeMs: number;
}): string {
  const stages = timing.hops.map((h) => {
    const desc = h.name.replace(/["\\]/g, "\\$&");
    return `s${h.stage}-${h.name.replace(NON_TCHAR, "-")};dur=${duration(h.durationMs)};desc="${desc}"`;
  });
  return [
    `decode;dur=${duration(timing.decodeMs)}`,
    ...stages,
    `encode;dur=${duration(timing.encodeMs)}`,
  ].join(", ");
}
