// Reads the runtime's `Server-Timing` header (W3C Server Timing: `name;dur=1.2;desc="…"`) into the
// per-stage timings of a run's trace.

/** One stage's timing from `Server-Timing`. */
export interface StageTiming {
  /** `desc` when present (the stage as written in the chain), else the metric name. */
  readonly name: string;
  readonly durationMs: number;
}

/**
 * Parses `Server-Timing` entries written by the runtime.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseServerTiming } from "./server-timing.ts";
 * assert.deepEqual(parseServerTiming('decode;dur=0.5, s1;dur=2;desc="split_words"'), [
 *   { name: "decode", durationMs: 0.5 },
 *   { name: "split_words", durationMs: 2 },
 * ]);
 * ```
 */
export function parseServerTiming(header: string | null): StageTiming[] {
  if (header === null || header.trim() === "") return [];
  return header.split(",").map((entry) => {
    const [rawName, ...params] = entry.trim().split(";");
    const desc = params.find((p) => p.trim().startsWith("desc="));
    const dur = params.find((p) => p.trim().startsWith("dur="));
    const name = desc ? desc.trim().slice(5).replace(/^"|"$/g, "") : rawName.trim();
    return { name, durationMs: dur ? Number(dur.trim().slice(4)) : 0 };
  });
}
