// Keeps idle live instances per operator; a run takes one, hands it back when its output has been
// consumed, and drops it if a call into it failed, so the next batch gets a fresh one
// (spec/operator-abi.md: operators are stateless).
import { type HostedOperator, OperatorInstance } from "./operator-instance.ts";
import type { OperatorLimits } from "./operator-limits.ts";

/**
 * Idle instances kept per operator: two serve any chain that repeats an operator (consecutive
 * stages alternate between them); more would pin memory (up to the page cap each) in a 128 MB
 * Workers isolate.
 */
const MAX_IDLE_PER_OPERATOR = 2;

/** Live instances of the operators this host has run. */
export class InstancePool {
  readonly #limits: OperatorLimits;
  // Weak: an operator that was replaced or deleted takes its idle instances with it.
  #idle = new WeakMap<HostedOperator, OperatorInstance[]>();

  readonly #kernelModule: WebAssembly.Module | undefined;

  /** `kernelModule`: the compiled validation kernels (dist/kernels/validate.wasm), when available. */
  constructor(limits: OperatorLimits, options: { kernelModule?: WebAssembly.Module } = {}) {
    this.#limits = limits;
    this.#kernelModule = options.kernelModule;
  }

  /**
   * An idle instance of `op`, or a new one. While taken it is the caller's alone: its memory may
   * hold a batch the next hop still reads, or a body being read in across an await.
   */
  take(op: HostedOperator): OperatorInstance {
    return this.#idle.get(op)?.pop() ?? OperatorInstance.create(op, this.#limits, this.#kernelModule);
  }

  /** Returns a taken instance whose calls all succeeded. */
  give(op: HostedOperator, instance: OperatorInstance): void {
    let idle = this.#idle.get(op);
    if (idle === undefined) this.#idle.set(op, (idle = []));
    if (idle.length < MAX_IDLE_PER_OPERATOR) idle.push(instance);
  }

  /** Forgets every idle instance (e.g. after an operator was replaced). */
  clear(): void {
    this.#idle = new WeakMap();
  }
}
