// Several sandbox threads behind one SegmentExecutor: each segment goes to an idle thread, so
// concurrent requests use every core instead of queueing behind one. When every core thread is
// busy (a runaway loop holds its thread until the deadline), a segment starts a spare thread
// instead of queueing behind it: the OS shares the cores, so a quick batch finishes in
// milliseconds rather than after the loops' deadlines. Spares stop once idle for a while.
import type { OperatorStage, SegmentExecutor, SegmentResult } from "./chain-executor.ts";
import type { ThreadExecutor } from "./thread-executor.ts";

/** Spare threads: how to start one, how many at most, how long one may idle before it stops. */
export interface SpareThreads {
  readonly spawn: () => ThreadExecutor;
  readonly max: number;
  readonly idleMs: number;
}

/** A SegmentExecutor over `threads` ThreadExecutors (each with its own sandbox and deadline). */
export class ThreadPool implements SegmentExecutor {
  readonly #threads: readonly ThreadExecutor[];
  readonly #spares: SpareThreads | undefined;
  /** Live spare threads and the timer that stops each once idle. */
  readonly #live = new Map<ThreadExecutor, ReturnType<typeof setTimeout> | undefined>();

  constructor(threads: readonly ThreadExecutor[], options: { spares?: SpareThreads } = {}) {
    if (threads.length === 0) throw new RangeError("ThreadPool needs at least one thread");
    this.#threads = threads;
    this.#spares = options.spares;
  }

  /** Threads running now: the core threads and the live spares. */
  get size(): number {
    return this.#threads.length + this.#live.size;
  }

  runSegment(
    stages: readonly OperatorStage[],
    input: Parameters<SegmentExecutor["runSegment"]>[1],
  ): Promise<SegmentResult> {
    const thread = this.#pick();
    const run = thread.runSegment(stages, input);
    if (this.#live.has(thread)) {
      clearTimeout(this.#live.get(thread));
      this.#live.set(thread, undefined);
      void run.then(
        () => this.#idleLater(thread),
        () => this.#idleLater(thread),
      );
    }
    return run;
  }

  /** An idle core thread, else an idle or new spare, else the thread with the fewest queued. */
  #pick(): ThreadExecutor {
    let best = this.#threads[0];
    for (const t of this.#threads) if (t.pending < best.pending) best = t;
    if (best.pending === 0 || this.#spares === undefined) return best;
    for (const spare of this.#live.keys()) if (spare.pending === 0) return spare;
    if (this.#live.size < this.#spares.max) {
      const spare = this.#spares.spawn();
      this.#live.set(spare, undefined);
      return spare;
    }
    for (const spare of this.#live.keys()) if (spare.pending < best.pending) best = spare;
    return best;
  }

  /** Stops `spare` once it has had nothing to run for the idle time. */
  #idleLater(spare: ThreadExecutor): void {
    if (spare.pending > 0 || !this.#live.has(spare)) return;
    clearTimeout(this.#live.get(spare));
    this.#live.set(
      spare,
      setTimeout(() => {
        if (spare.pending > 0) return;
        this.#live.delete(spare);
        void spare.close();
      }, this.#spares?.idleMs ?? 0),
    );
  }

  /** Stops every sandbox thread. */
  async close(): Promise<void> {
    const spares = [...this.#live.entries()];
    this.#live.clear();
    for (const [, timer] of spares) clearTimeout(timer);
    await Promise.all([...this.#threads, ...spares.map(([spare]) => spare)].map((t) => t.close()));
  }
}
