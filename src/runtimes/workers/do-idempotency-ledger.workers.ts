// The IdempotencyLedger of the Workers runtime (src/state/idempotency-ledger.ts): keys are bound in
// ReduceShard Durable Objects named `${LEDGER_PREFIX}${partition}` (reduce-shard.workers.ts,
// `claims` table), a key's partition a stable hash of it, so one object is not every request's
// bottleneck. A claim is one RPC and one transaction in the object that owns the key. (No value
// import of reduce-shard.workers.ts: tests import this module from Node, without cloudflare:.)
import { ColwasmError } from "../../error.ts";
import {
  DEFAULT_IDEMPOTENCY_TTL_MS,
  fnv1a32,
  type IdempotencyClaim,
  type IdempotencyLedger,
} from "../../state/index.ts";
import type { DurableObjectNamespace } from "./bindings.workers.ts";
import type { ReduceShardObject } from "./reduce-shard.workers.ts";
import { errorOfFailure } from "./runner-protocol.workers.ts";

/** Names of the ledger objects start with this: `reduce:` namespace names cannot (spec: NAME). */
export const LEDGER_PREFIX = "~idempotency/";

/** Ledger objects; fixed: changing it would move keys away from their bindings. */
export const LEDGER_PARTITIONS = 16;

const encoder = new TextEncoder();

/** The name of the ledger object that binds `key`. */
export function ledgerObjectName(key: string): string {
  return `${LEDGER_PREFIX}${fnv1a32(encoder.encode(key)) % LEDGER_PARTITIONS}`;
}

/** An IdempotencyLedger over the REDUCE_SHARD Durable Object namespace. */
export class DoIdempotencyLedger implements IdempotencyLedger {
  readonly #namespace: DurableObjectNamespace<ReduceShardObject>;
  readonly #ttlMs: number;

  constructor(options: { namespace: DurableObjectNamespace<ReduceShardObject>; ttlMs?: number }) {
    this.#namespace = options.namespace;
    this.#ttlMs = options.ttlMs ?? DEFAULT_IDEMPOTENCY_TTL_MS;
  }

  async claim(key: string, fingerprint: string): Promise<IdempotencyClaim> {
    const ns = this.#namespace;
    let answer;
    try {
      // a fresh stub per call: workerd ties a stub's I/O to its request
      answer = await ns
        .get(ns.idFromName(ledgerObjectName(key)))
        .claimIdempotencyKey(key, fingerprint, this.#ttlMs);
    } catch (cause) {
      throw new ColwasmError(
        "unavailable",
        "Cannot check the Idempotency-Key: its ledger's storage failed",
        { retryAfterSeconds: 1 },
        { cause },
      );
    }
    if (!answer.ok) throw errorOfFailure(answer.failure, "Idempotency ledger");
    return { id: answer.id, isNew: answer.isNew };
  }
}
