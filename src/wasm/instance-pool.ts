// Keeps one live instance per operator and runs batches through it; an instance that failed is
// dropped so the next batch gets a fresh one (spec/operator-abi.md: operators are stateless).
import type { CopyMeter } from "./copy-meter.ts";
import type { OperatorBatch } from "./operator-batch.ts";
import { type HostedOperator, OperatorInstance } from "./operator-instance.ts";
import type { OperatorLimits } from "./operator-limits.ts";

/** Live instances of the operators this host has run. */
export class InstancePool {
  readonly #limits: OperatorLimits;
  // Weak: an operator that was replaced or deleted takes its live instance with it.
  #instances = new WeakMap<HostedOperator, OperatorInstance>();

  readonly #kernelModule: WebAssembly.Module | undefined;

  /** `kernelModule`: the compiled validation kernels (dist/kernels/validate.wasm), when available. */
  constructor(limits: OperatorLimits, options: { kernelModule?: WebAssembly.Module } = {}) {
    this.#limits = limits;
    this.#kernelModule = options.kernelModule;
  }

  /** Runs one batch through `op`, reusing its instance unless the call fails. */
  run(op: HostedOperator, input: OperatorBatch, meter: CopyMeter): OperatorBatch {
    let instance = this.#instances.get(op);
    if (instance === undefined) {
      instance = OperatorInstance.create(op, this.#limits, this.#kernelModule);
      this.#instances.set(op, instance);
    }
    try {
      return instance.run(input, meter);
    } catch (error) {
      this.#instances.delete(op);
      throw error;
    }
  }

  /** Forgets every instance (e.g. after an operator was replaced). */
  clear(): void {
    this.#instances = new WeakMap();
  }
}
