// What operators printed while a chain ran (WASI stdout/stderr, AssemblyScript console.log and
// trace), as log lines: how a runtime shows an operator author's prints where its own logs go
// (`wrangler dev`/`wrangler tail` on Workers, the server's stdout on Deno), as `console.log` in a
// Worker would, and how `colwasm exec --trace` shows them.
import type { HopTrace } from "./chain-executor.ts";

/**
 * One line per printed line, stage by stage, each after `lead(NAME)` (`[operator NAME] ` unless
 * told otherwise); none when nothing printed.
 */
export function printedLines(
  hops: readonly HopTrace[],
  lead: (name: string) => string = (name) => `[operator ${name}] `,
): string[] {
  const lines: string[] = [];
  for (const hop of hops) {
    if (hop.printed === undefined) continue;
    for (const line of hop.printed.replace(/\n$/, "").split("\n")) lines.push(`${lead(hop.name)}${line}`);
  }
  return lines;
}
