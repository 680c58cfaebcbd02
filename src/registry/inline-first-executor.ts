// Small batches run on the calling thread, everything else (and whatever proves slow) in sandbox
// threads. A thread round trip costs more than a chain over a few thousand records (Deno: ~1.7x the
// request rate at 1k rows when run inline), but the calling thread serves every other request, so
// an inline run must stay short: it is tried only for fuel-metered operators (meter-fuel.ts), under
// a small fuel budget per call, and only on small inputs. An operator that spends that budget is
// run again by the fallback with its full limits (a segment is a pure function of its input, so
// running it twice changes nothing). It is then tried inline only on inputs a quarter that size or
// smaller (an operator whose cost grows with its input keeps the inline path for small batches),
// and never again after MAX_RUN_OUTS: an operator can hold the calling thread at most that many
// times, for about the small budget each.
import type { OperatorStage, SegmentExecutor, SegmentResult } from "../chain/index.ts";
import { encodedByteLength } from "../columnar/index.ts";
import { FUEL_EXPORT, type HostedOperator, OperatorError, type OperatorBatch } from "../wasm/index.ts";

/** Times an operator may run out of inline fuel before it is never tried inline again. */
export const MAX_RUN_OUTS = 3;
/** After running out on an input of S bytes, inputs under S / RUN_OUT_SHRINK bytes are still tried. */
const RUN_OUT_SHRINK = 4;

/** What an operator's inline runs out of fuel taught: how often, and below what input size to try. */
interface RunOuts {
  readonly count: number;
  readonly tryBelowBytes: number;
}

/** Policy of an InlineFirstExecutor. */
export interface InlineFirstOptions {
  /** Runs segments on the calling thread (a DetachedInlineExecutor over a small-fuel InlineExecutor). */
  readonly inline: SegmentExecutor;
  /** Runs what is not tried inline, and what ran out of inline fuel (the sandbox threads). */
  readonly fallback: SegmentExecutor;
  /** Inputs up to this many bytes are tried inline. */
  readonly maxInlineBytes: number;
}

/** A SegmentExecutor that tries small segments inline and falls back to sandbox threads. */
export class InlineFirstExecutor implements SegmentExecutor {
  readonly #options: InlineFirstOptions;
  /** Operators known to stop themselves: their module spends fuel. */
  readonly #metered = new WeakMap<WebAssembly.Module, boolean>();
  /** Operators that ran out of inline fuel, and on what inputs they may still be tried. */
  readonly #runOuts = new WeakMap<HostedOperator, RunOuts>();
  /** Segments run inline, and those sent on to the fallback after running out of inline fuel. */
  readonly counts = { inline: 0, retried: 0 };

  constructor(options: InlineFirstOptions) {
    this.#options = options;
  }

  async runSegment(stages: readonly OperatorStage[], input: OperatorBatch): Promise<SegmentResult> {
    const bytes = byteLengthOf(input);
    if (!this.#canTryInline(stages, bytes)) return this.#options.fallback.runSegment(stages, input);
    try {
      const result = await this.#options.inline.runSegment(stages, input);
      this.counts.inline++;
      return result;
    } catch (error) {
      // Out of fuel is the only failure another run may not repeat: any other (a trap, an invalid
      // output, memory) would recur with the same input and limits.
      if (!(error instanceof OperatorError) || error.reason !== "deadline") throw error;
      const stage = stages.find((s) => s.index === error.fields.stage);
      for (const s of stage === undefined ? stages : [stage]) {
        const before = this.#runOuts.get(s.operator);
        this.#runOuts.set(s.operator, {
          count: (before?.count ?? 0) + 1,
          tryBelowBytes: Math.min(before?.tryBelowBytes ?? Infinity, bytes / RUN_OUT_SHRINK),
        });
      }
      this.counts.retried++;
      return this.#options.fallback.runSegment(stages, input);
    }
  }

  #canTryInline(stages: readonly OperatorStage[], bytes: number): boolean {
    if (bytes > this.#options.maxInlineBytes) return false;
    return stages.every((s) => {
      const runOuts = this.#runOuts.get(s.operator);
      const mayRun = runOuts === undefined || (runOuts.count < MAX_RUN_OUTS && bytes < runOuts.tryBelowBytes);
      return mayRun && this.#isMetered(s.operator.module);
    });
  }

  #isMetered(module: WebAssembly.Module): boolean {
    let metered = this.#metered.get(module);
    if (metered === undefined) {
      metered = WebAssembly.Module.exports(module).some((e) => e.name === FUEL_EXPORT && e.kind === "global");
      this.#metered.set(module, metered);
    }
    return metered;
  }
}

/** The batch's encoded size: its bytes, or its slices framed in format 0.1. */
function byteLengthOf(batch: OperatorBatch): number {
  return batch.bytes?.byteLength ?? encodedByteLength(batch.slices, "0.1");
}
