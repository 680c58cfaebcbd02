// Keeps idle live instances per operator; a run takes one, hands it back when its output has been
// consumed, and drops it if a call into it failed, so the next batch gets a fresh one
// (spec/operator-abi.md: operators are stateless). What is kept idle is bounded across operators,
// least recently used first out: every operator name a host ever ran (a Workers runner isolate
// serves every name uploaded with the same bytes) would otherwise pin its instances' grown
// memories for the life of the host (soak, 2026-11-26: ~2.5 MB per name run with a 2 MB batch,
// never freed, in a 128 MB Workers isolate).
import { type HostedOperator, OperatorInstance } from "./operator-instance.ts";
import type { OperatorLimits } from "./operator-limits.ts";

/**
 * Idle instances kept per operator: two serve any chain that repeats an operator (consecutive
 * stages alternate between them).
 */
const MAX_IDLE_PER_OPERATOR = 2;

/** Idle instances kept in all, and their memories' bytes in all (defaults of the pool's bounds). */
export const DEFAULT_IDLE_BOUNDS = { maxInstances: 16, maxBytes: 64 * 1024 * 1024 } as const;

/** One idle instance, in least-recently-given order. */
interface Idle {
  readonly op: HostedOperator;
  readonly instance: OperatorInstance;
}

/** Live instances of the operators this host has run. */
export class InstancePool {
  readonly #limits: OperatorLimits;
  readonly #kernelModule: WebAssembly.Module | undefined;
  readonly #bounds: { readonly maxInstances: number; readonly maxBytes: number };
  /** Idle instances, oldest first. */
  #idle: Idle[] = [];

  /**
   * `kernelModule`: the compiled validation kernels (dist/kernels/validate.wasm), when available;
   * `idle`: bounds of what is kept idle (DEFAULT_IDLE_BOUNDS).
   */
  constructor(
    limits: OperatorLimits,
    options: { kernelModule?: WebAssembly.Module; idle?: { maxInstances?: number; maxBytes?: number } } = {},
  ) {
    this.#limits = limits;
    this.#kernelModule = options.kernelModule;
    this.#bounds = { ...DEFAULT_IDLE_BOUNDS, ...options.idle };
  }

  /** Idle instances held now, and their memories' bytes. */
  get idle(): { readonly instances: number; readonly bytes: number } {
    return { instances: this.#idle.length, bytes: this.#idleBytes() };
  }

  #idleBytes(): number {
    return this.#idle.reduce((sum, i) => sum + i.instance.memoryBytes, 0);
  }

  /**
   * An idle instance of `op` (the one given back last), or a new one. While taken it is the
   * caller's alone: its memory may hold a batch the next hop still reads, or a body being read in
   * across an await.
   */
  take(op: HostedOperator): OperatorInstance {
    for (let i = this.#idle.length - 1; i >= 0; i--) {
      if (this.#idle[i].op === op) return this.#idle.splice(i, 1)[0].instance;
    }
    return OperatorInstance.create(op, this.#limits, this.#kernelModule);
  }

  /** Returns a taken instance whose calls all succeeded; the oldest idle ones go past the bounds. */
  give(op: HostedOperator, instance: OperatorInstance): void {
    if (instance.memoryBytes > this.#bounds.maxBytes) return;
    const same = this.#idle.filter((i) => i.op === op);
    if (same.length >= MAX_IDLE_PER_OPERATOR) this.#idle.splice(this.#idle.indexOf(same[0]), 1);
    this.#idle.push({ op, instance });
    let bytes = this.#idleBytes();
    while (this.#idle.length > this.#bounds.maxInstances || bytes > this.#bounds.maxBytes) {
      const oldest = this.#idle.shift();
      if (oldest === undefined) break;
      bytes -= oldest.instance.memoryBytes;
    }
  }

  /** Forgets every idle instance (e.g. after an operator was replaced). */
  clear(): void {
    this.#idle = [];
  }

  /** Forgets the idle instances of `op`, e.g. once a sandbox thread no longer keeps it. */
  forget(op: HostedOperator): void {
    this.#idle = this.#idle.filter((i) => i.op !== op);
  }
}
