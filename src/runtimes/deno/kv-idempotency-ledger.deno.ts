// The IdempotencyLedger of the Deno runtime (src/state/idempotency-ledger.ts) on Deno KV:
//   ["idempotency", key] → { fingerprint, id, at }   (at: ms; ignored after the TTL, and
//                                                     reclaimed by KV through expireIn)
// A claim reads the entry and, when it is absent or expired, writes the binding in one
// `kv.atomic()` guarded by a check on the versionstamp it read: of two requests racing for a key,
// exactly one binds it and the other reads that binding on its next attempt.
import { ColwasmError } from "../../error.ts";
import {
  DEFAULT_IDEMPOTENCY_TTL_MS,
  type IdempotencyClaim,
  idempotencyConflict,
  type IdempotencyLedger,
} from "../../state/index.ts";
import { corrupt } from "./kv-reduce-values.deno.ts";

/** Read-check-commit attempts before answering 503. */
const CLAIM_ATTEMPTS = 32;

/** A binding of an Idempotency-Key. */
interface Binding {
  readonly fingerprint: string;
  readonly id: string;
  readonly at: number;
}

function isBinding(value: unknown): value is Binding {
  const v = value as Binding | null;
  return typeof v?.fingerprint === "string" && typeof v.id === "string" && typeof v.at === "number";
}

/** Binds Idempotency-Keys in a Deno KV database. */
export class KvIdempotencyLedger implements IdempotencyLedger {
  readonly #kv: Deno.Kv;
  readonly #prefix: readonly Deno.KvKeyPart[];
  readonly #ttlMs: number;

  /** `ttlMs`: how long a key stays bound (COLWASM_IDEMPOTENCY_TTL_SECONDS). */
  constructor(kv: Deno.Kv, options: { prefix?: readonly Deno.KvKeyPart[]; ttlMs?: number } = {}) {
    this.#kv = kv;
    this.#prefix = options.prefix ?? ["idempotency"];
    this.#ttlMs = options.ttlMs ?? DEFAULT_IDEMPOTENCY_TTL_MS;
  }

  async claim(key: string, fingerprint: string): Promise<IdempotencyClaim> {
    const kvKey = [...this.#prefix, key];
    for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
      const entry = await this.#kv.get(kvKey);
      const now = Date.now();
      const bound = entry.versionstamp === null ? undefined : entry.value;
      if (bound !== undefined && !isBinding(bound)) throw corrupt(kvKey);
      // an expired binding (expireIn deletes lazily) is overwritten, guarded by its versionstamp
      if (bound !== undefined && bound.at > now - this.#ttlMs) {
        if (bound.fingerprint !== fingerprint) throw idempotencyConflict(key);
        return { id: bound.id, isNew: false };
      }
      const binding: Binding = { fingerprint, id: crypto.randomUUID(), at: now };
      const commit = await this.#kv
        .atomic()
        .check(entry)
        .set(kvKey, binding, { expireIn: this.#ttlMs })
        .commit();
      if (commit.ok) return { id: binding.id, isNew: true };
    }
    throw new ColwasmError(
      "unavailable",
      `Cannot bind Idempotency-Key ${JSON.stringify(key)}: ${CLAIM_ATTEMPTS} commits lost to concurrent writers`,
      { retryAfterSeconds: 1 },
    );
  }
}
