// What operators printed while a chain ran (WASI stdout/stderr, AssemblyScript console.log and
// trace), as log lines: how a runtime shows an operator author's prints where its own logs go
// (`wrangler dev`/`wrangler tail` on Workers, the server's stdout on Deno), as `console.log` in a
// Worker would.
import type { HopTrace } from "./chain-executor.ts";

/** One line per printed line, `[operator NAME] text`, stage by stage; none when nothing printed. */
export function printedLines(hops: readonly HopTrace[]): string[] {
  const lines: string[] = [];
  for (const hop of hops) {
    if (hop.printed === undefined) continue;
    for (const line of hop.printed.replace(/\n$/, "").split("\n"))
      lines.push(`[operator ${hop.name}] ${line}`);
  }
  return lines;
}
