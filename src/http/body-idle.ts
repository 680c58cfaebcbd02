// The idle time of a request body: a read that brings nothing for `idleMs` gives the body up with
// a 408 (Deno.serve has no timeout of its own: a stalled client held its request, arena and
// connection for good). A body's checks are armed by its first read that waits and re-armed only
// while reads wait, on an `IdleClock`: by default a timer per body, as workerd needs (a timer there
// belongs to the request that set it, and may not touch another's body); on Deno one shared clock
// for every body, because a timer per request cost more than reading a small body (measured
// 2026-11-26 in Deno.serve: ~11-15 µs per 40 KB request, against ~19 µs to read it; a timer that
// stays armed across requests costs them nothing).
import { ColwasmError } from "../error.ts";

/** How long a body may send nothing before it is given up (`COLWASM_BODY_IDLE_MS`). */
export const DEFAULT_BODY_IDLE_MS = 30_000;

/** The 408 of a body that stopped arriving. */
export class BodyIdle extends ColwasmError {
  constructor(idleMs: number) {
    super(
      "request-timeout",
      `Cannot read the request body: nothing arrived for ${idleMs} ms (send it whole, or raise COLWASM_BODY_IDLE_MS)`,
      { rule: "body-idle", idleMs },
    );
  }
}

/** Times the idle checks of request bodies. */
export interface IdleClock {
  /** Calls `check` in about `ms`; the answer disarms it. */
  after(ms: number, check: () => void): () => void;
}

/** A timer per check: where timers belong to the request that set them (workerd). */
export const TIMER_PER_BODY: IdleClock = {
  after(ms, check) {
    const timer = setTimeout(check, ms);
    return () => clearTimeout(timer);
  },
};

/**
 * One timer ticking every `tickMs` for all the checks of a process (checks run up to a tick late),
 * kept while checks come and stopped after `lingerTicks` ticks without any, so a process with no
 * traffic holds no timer. Only where any timer may act on any request (Deno, Node).
 */
export function sharedIdleClock(options: { tickMs?: number; lingerTicks?: number } = {}): IdleClock {
  const tickMs = options.tickMs ?? 100;
  const lingerTicks = options.lingerTicks ?? 50;
  const due = new Map<() => void, number>();
  let ticker: ReturnType<typeof setInterval> | undefined;
  let quietTicks = 0;
  const tick = () => {
    if (due.size === 0) {
      if (++quietTicks >= lingerTicks) {
        clearInterval(ticker);
        ticker = undefined;
      }
      return;
    }
    quietTicks = 0;
    const now = Date.now();
    for (const [check, at] of due) {
      if (at > now) continue;
      due.delete(check);
      check();
    }
  };
  return {
    after(ms, check) {
      // a check armed twice at once is one check (IdleWatch arms one at a time)
      due.set(check, Date.now() + ms);
      ticker ??= setInterval(tick, tickMs);
      return () => due.delete(check);
    },
  };
}

/** Watches the reads of one body; `onIdle` runs once when a read has waited `idleMs`. */
export class IdleWatch {
  readonly #idleMs: number;
  readonly #clock: IdleClock;
  readonly #onIdle: () => void;
  /** Disarms the armed check, if one is armed. */
  #disarm: (() => void) | undefined;
  /** When the read waiting now started (undefined: no read waits). */
  #waitingSince: number | undefined;
  #fired = false;

  constructor(idleMs: number, clock: IdleClock, onIdle: () => void) {
    this.#idleMs = idleMs;
    this.#clock = clock;
    this.#onIdle = onIdle;
  }

  /** True once the idle time ran out. */
  get fired(): boolean {
    return this.#fired;
  }

  /** A read starts waiting. */
  wait(): void {
    this.#waitingSince = Date.now();
    this.#disarm ??= this.#clock.after(this.#idleMs, this.#check);
  }

  /** The read waiting has its answer. */
  answered(): void {
    this.#waitingSince = undefined;
  }

  /** The body is done with (ended, failed, cancelled): no more checks. */
  stop(): void {
    this.#disarm?.();
    this.#disarm = undefined;
    this.#waitingSince = undefined;
  }

  readonly #check = (): void => {
    this.#disarm = undefined;
    if (this.#waitingSince === undefined) return; // the next read re-arms
    const waited = Date.now() - this.#waitingSince;
    if (waited < this.#idleMs) {
      this.#disarm = this.#clock.after(this.#idleMs - waited, this.#check);
      return;
    }
    this.#fired = true;
    this.#onIdle();
  };
}
