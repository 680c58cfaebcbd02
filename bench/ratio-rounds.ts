// Ratios to a baseline measured in rounds: each round times the baseline right before each task,
// so a ratio compares two figures taken within milliseconds of each other. On a shared machine
// whose speed drifts by 30-50% between seconds, this keeps ratios steady where comparing two
// medians taken a second apart does not. Both are timed warm (one untimed call first), as a
// server repeating one kind of request runs them.

/**
 * A task to time; it may be async. `part`, when given, times one part of a call instead of the
 * whole: it makes the call and answers the milliseconds of that part (as the host measured them).
 */
export interface RoundTask {
  readonly name: string;
  readonly run: () => unknown;
  readonly part?: () => Promise<number>;
}

/** Median time and median ratio of one task over the rounds. */
export interface RoundResult {
  readonly name: string;
  readonly medianMs: number;
  readonly ratio: number;
}

const median = (xs: readonly number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
};

/** Times `task` `repeat` times after one untimed call and returns the median ms. */
async function timeMedian(task: RoundTask, repeat: number): Promise<number> {
  await task.run();
  const times: number[] = [];
  for (let i = 0; i < repeat; i++) {
    if (task.part !== undefined) {
      times.push(await task.part());
      continue;
    }
    const started = performance.now();
    await task.run();
    times.push(performance.now() - started);
  }
  return median(times);
}

/**
 * Runs `warmup` + `rounds` rounds; in each, every task is timed `repeat` times right after the
 * baseline is. Returns the baseline's own row (ratio 1) first, then one row per task.
 */
export async function measureRounds(
  baseline: RoundTask,
  tasks: readonly RoundTask[],
  options: { rounds: number; repeat: number; warmup?: number },
): Promise<RoundResult[]> {
  const baseTimes: number[] = [];
  const times = tasks.map((): number[] => []);
  const ratios = tasks.map((): number[] => []);
  const warmup = options.warmup ?? 2;
  for (let round = 0; round < warmup + options.rounds; round++) {
    for (const [i, task] of tasks.entries()) {
      const base = await timeMedian(baseline, options.repeat);
      const took = await timeMedian(task, options.repeat);
      if (round < warmup) continue;
      baseTimes.push(base);
      times[i].push(took);
      ratios[i].push(took / base);
    }
  }
  return [
    { name: baseline.name, medianMs: median(baseTimes), ratio: 1 },
    ...tasks.map((t, i) => ({ name: t.name, medianMs: median(times[i]), ratio: median(ratios[i]) })),
  ];
}
