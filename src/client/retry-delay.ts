// How long to wait before retrying a retryable answer: the runtime's `Retry-After` when it sent one
// (RFC 9110 §10.2.3: delay-seconds or an HTTP-date), else exponential backoff with full jitter.

/** Longest wait honoured, whatever `Retry-After` says. */
export const MAX_RETRY_DELAY_MS = 30_000;
const BASE_DELAY_MS = 200;

/** Milliseconds a `Retry-After` header asks for, or undefined when absent or unreadable. */
export function parseRetryAfter(header: string | null, nowMs = Date.now()): number | undefined {
  if (header === null) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/**
 * The delay before retry number `attempt` (0 for the first retry).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { retryDelayMs } from "./retry-delay.ts";
 * assert.equal(retryDelayMs(0, { retryAfterMs: 1000 }), 1000);
 * assert.ok(retryDelayMs(3, { random: () => 1 }) <= 1600);
 * ```
 */
export function retryDelayMs(
  attempt: number,
  options: { retryAfterMs?: number; random?: () => number } = {},
): number {
  if (options.retryAfterMs !== undefined) return Math.min(options.retryAfterMs, MAX_RETRY_DELAY_MS);
  const ceiling = Math.min(BASE_DELAY_MS * 2 ** attempt, MAX_RETRY_DELAY_MS);
  return Math.round((options.random ?? Math.random)() * ceiling);
}
