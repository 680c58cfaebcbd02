// Several sandbox threads behind one SegmentExecutor: each segment goes to the thread with the
// fewest segments queued, so concurrent requests use every core instead of queueing behind one.
import type { OperatorStage, SegmentExecutor, SegmentResult } from "./chain-executor.ts";
import type { ThreadExecutor } from "./thread-executor.ts";

/** A SegmentExecutor over `threads` ThreadExecutors (each with its own sandbox and deadline). */
export class ThreadPool implements SegmentExecutor {
  readonly #threads: readonly ThreadExecutor[];

  constructor(threads: readonly ThreadExecutor[]) {
    if (threads.length === 0) throw new RangeError("ThreadPool needs at least one thread");
    this.#threads = threads;
  }

  runSegment(
    stages: readonly OperatorStage[],
    input: Parameters<SegmentExecutor["runSegment"]>[1],
  ): Promise<SegmentResult> {
    let best = this.#threads[0];
    for (const t of this.#threads) if (t.pending < best.pending) best = t;
    return best.runSegment(stages, input);
  }

  /** Stops every sandbox thread. */
  async close(): Promise<void> {
    await Promise.all(this.#threads.map((t) => t.close()));
  }
}
