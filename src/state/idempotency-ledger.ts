// The request-level side of `Idempotency-Key` (spec/http-api.md §Running a chain): a ledger that
// binds a key to the fingerprint of the request that first used it, checked before the chain is
// planned or run, for every chain (with or without a reduce). The same key with another request
// is a 409 before anything runs; the same request goes on and its reduce stages replay from their
// per-shard records. Those records are kept under the claim (`reduceRecordKey`), so a key bound
// again after it expired never meets the records of its earlier request.
import { ColwasmError } from "../error.ts";
import { sha256Hex } from "../sha256-hex.ts";

/** A request's hold on an Idempotency-Key. */
export interface IdempotencyClaim {
  /** Names this binding of the key: the same for every retry, a new one once the key expired. */
  readonly id: string;
  /** True when this request bound the key; false for a retry of the request that did. */
  readonly isNew: boolean;
}

/** Where Idempotency-Keys are bound to requests (memory, Deno KV, Durable Objects). */
export interface IdempotencyLedger {
  /**
   * Binds `key` to `fingerprint` when it is unbound or its binding expired (after the idempotency
   * TTL), atomically, and answers the claim; throws `idempotencyConflict(key)` when the key is
   * bound to another fingerprint. Two requests racing for a key: exactly one binds it.
   */
  claim(key: string, fingerprint: string): Promise<IdempotencyClaim>;
}

/** The normalised parts of a request that an Idempotency-Key guards. */
export interface RequestParts {
  /** The body bytes as sent. */
  readonly body: Uint8Array;
  /** The chain in canonical form (formatChain: no blanks). */
  readonly chain: string;
  /** The batch's schema in canonical form (formatSchema). */
  readonly schema: string;
  /** The wire format the body was read in ("0.1" when the header was absent). */
  readonly format: string;
  /** The media type without parameters, lower case. */
  readonly mediaType: string;
}

/**
 * SHA-256 (hex) of what gives a request its meaning: requests that differ only in how their
 * headers are spelled (`; charset=utf-8`, blanks in the schema or the chain, an absent format
 * header against `0.1`) have the same fingerprint.
 */
export async function requestFingerprint(parts: RequestParts): Promise<string> {
  const meta = new TextEncoder().encode(
    JSON.stringify([parts.chain, parts.schema, parts.format, parts.mediaType]) + "\n",
  );
  const all = new Uint8Array(meta.length + parts.body.length);
  all.set(meta); // copy: hashing input, only for requests that carry an Idempotency-Key
  all.set(parts.body, meta.length);
  return sha256Hex(all);
}

/** The conflict of a key reused with another request; names the key as the client sent it. */
export function idempotencyConflict(key: string): ColwasmError {
  return new ColwasmError(
    "conflict",
    `Idempotency-Key ${JSON.stringify(key)} was already used with another request (body, chain, schema, format or media type)`,
  );
}

/** The key reduce stages record their application under: the request's key and its claim. */
export function reduceRecordKey(key: string, claim: IdempotencyClaim): string {
  return `${key}#${claim.id}`;
}

/**
 * The Idempotency-Key as sent, from a reduce record key: `reduceRecordKey` plus the stores'
 * suffixes (`#stage`, and `#chunkN` on Deno KV) removed.
 */
export function requestKeyOf(recordKey: string): string {
  return recordKey.replace(
    /(#[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})?#\d+(#chunk\d+)?$/,
    "",
  );
}

/** A ledger in a Map (tests, in-process apps): nothing survives the process. */
export class MemoryIdempotencyLedger implements IdempotencyLedger {
  /** Bindings in the order they were made, so expired ones lead. */
  readonly #bindings = new Map<
    string,
    { readonly fingerprint: string; readonly id: string; readonly at: number }
  >();
  readonly #ttlMs: number;
  readonly #now: () => number;

  /** `ttlMs`: how long a key stays bound (COLWASM_IDEMPOTENCY_TTL_SECONDS); `now`: the clock (tests). */
  constructor(options: { ttlMs: number; now?: () => number }) {
    this.#ttlMs = options.ttlMs;
    this.#now = options.now ?? Date.now;
  }

  async claim(key: string, fingerprint: string): Promise<IdempotencyClaim> {
    const now = this.#now();
    for (const [bound, binding] of this.#bindings) {
      if (binding.at > now - this.#ttlMs) break;
      this.#bindings.delete(bound);
    }
    const earlier = this.#bindings.get(key);
    if (earlier !== undefined) {
      if (earlier.fingerprint !== fingerprint) throw idempotencyConflict(key);
      return { id: earlier.id, isNew: false };
    }
    const id = crypto.randomUUID();
    this.#bindings.set(key, { fingerprint, id, at: now });
    return { id, isNew: true };
  }

  /** Keys bound and not yet forgotten (tests). */
  get size(): number {
    return this.#bindings.size;
  }
}
