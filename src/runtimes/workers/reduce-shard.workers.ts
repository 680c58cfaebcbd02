// One shard of one reduce namespace (spec/http-api.md §Reduce): a Durable Object per
// `${namespace}/${shard}` holding that shard's totals, key type and idempotency records in SQLite.
// A Durable Object because it is the single writer of its keys (read-add-write needs no lock) and
// `transactionSync` commits a batch's totals together with its idempotency record, or nothing
// (style §6-7: nothing is half-applied). The application rule mirrors src/state/shard-state.ts.
// Idempotency records expire: each apply deletes the expired ones first, and an alarm set for the
// oldest record's expiry deletes them in a shard that is never written again (it re-arms itself
// while records remain), so storage does not keep records nobody can use.
// The same class also holds the request-level Idempotency-Key ledger (src/state/idempotency-
// ledger.ts): objects named `~idempotency/${partition}` (do-idempotency-ledger.workers.ts; a name
// no namespace can have) bind keys to request fingerprints in their `claims` table, expired by the
// same alarm; their other tables stay empty. One class, so no new binding or migration is needed.
// Totals are decimal TEXT, not INTEGER: workerd's `sql.exec` reads INTEGER columns as JS numbers
// (9007199254740993 comes back as ...992) and refuses BigInt bindings, so i64 would lose precision.
import { DurableObject, type DurableObjectState } from "cloudflare:workers";
import { ColwasmError } from "../../error.ts";
import { idempotencyConflict, keyTypeConflict, requestKeyOf } from "../../state/index.ts";
import { failureOf, type RunnerFailure } from "./runner-protocol.workers.ts";
import { decodeShardPayload, encodeShardPayload } from "./shard-payload.workers.ts";

/** What a shard needs besides the payload to apply it. */
export interface ApplyMeta {
  /** For messages only: the namespace this object belongs to. */
  readonly namespace: string;
  /** Canonical key schema of the batch (`String`, `i64`, ...). */
  readonly keyType: string;
  /** `Idempotency-Key#claim#stage` (reduceRecordKey, then the stage), when the request carried one. */
  readonly idempotencyKey?: string;
  readonly bodyHash?: string;
  /** How long idempotency records are honoured (COLWASM_IDEMPOTENCY_TTL_SECONDS). */
  readonly idempotencyTtlMs: number;
  /** Test hook (COLWASM_TEST_HOOKS=1 only): throw after the writes, inside the transaction. */
  readonly failForTest?: boolean;
}

/** The new totals (a BigInt64Array's bytes, in payload order), or an expected failure. */
export type ApplyAnswer =
  | { readonly ok: true; readonly totals: ArrayBuffer; readonly isReplay: boolean }
  | { readonly ok: false; readonly failure: RunnerFailure };

/** A ledger object's answer to a claim: the binding's id, or the key is bound to another request. */
export type ClaimAnswer =
  | { readonly ok: true; readonly id: string; readonly isNew: boolean }
  | { readonly ok: false; readonly failure: RunnerFailure };

/** RPC surface of a shard, as seen through a stub. */
export interface ReduceShardObject {
  /**
   * Ledger objects only: binds `key` to `fingerprint` when unbound or expired (after `ttlMs`), in
   * one transaction, and answers the binding; a key bound to another fingerprint is a conflict.
   */
  claimIdempotencyKey(key: string, fingerprint: string, ttlMs: number): Promise<ClaimAnswer>;
  /** How many Idempotency-Key bindings a ledger object holds (expired ones until deleted). */
  idempotencyClaimCount(): Promise<number>;
  /**
   * Shard 0 of a namespace is its home: binds the namespace's key type when unbound and answers
   * the bound one (the caller compares). One statement each way: the object is single-threaded.
   */
  claimKeyType(keyType: string): Promise<string>;
  /** Applies a `(String, i64)` payload of distinct keys and diffs in one transaction. */
  apply(payload: ArrayBuffer, meta: ApplyMeta): Promise<ApplyAnswer>;
  /**
   * The shard's totals as `(String, i64)` payloads in key order, a page at a time (an RPC answer
   * holds at most 32 MiB): those after `after`, and the key to continue after (null on the last
   * page), pages of about `pageBytes`; null when the shard holds no state.
   */
  readAll(
    after?: string | null,
    pageBytes?: number,
  ): Promise<{ keyType: string; payload: ArrayBuffer; next: string | null } | null>;
  readKey(key: string): Promise<{ keyType: string; total: string } | null>;
  /** The namespace's key type claimed here (on its shard 0, by claimKeyType), or null; binds nothing. */
  namespaceKeyType(): Promise<string | null>;
  /** Forgets everything; false when the shard held no state. */
  drop(): Promise<boolean>;
  /** How many idempotency records the shard holds (expired ones included until deleted). */
  idempotencyRecordCount(): Promise<number>;
}

const CREATE_TOTALS = "CREATE TABLE IF NOT EXISTS totals (key TEXT PRIMARY KEY, total TEXT NOT NULL)";
const CREATE_META = "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)";
const CREATE_APPLIED =
  "CREATE TABLE IF NOT EXISTS applied (key TEXT PRIMARY KEY, body_hash TEXT NOT NULL, totals BLOB NOT NULL, created_at INTEGER NOT NULL DEFAULT 0)";
/** Shards made before records expired lack the column: added once (the error says it exists). */
const ADD_CREATED_AT = "ALTER TABLE applied ADD COLUMN created_at INTEGER NOT NULL DEFAULT 0";
const CREATE_APPLIED_INDEX = "CREATE INDEX IF NOT EXISTS applied_by_age ON applied (created_at)";
const DELETE_EXPIRED = "DELETE FROM applied WHERE created_at <= ?";
const SELECT_APPLIED = "SELECT body_hash, totals FROM applied WHERE key = ?";
const SELECT_OLDEST_APPLIED = "SELECT MIN(created_at) AS oldest FROM applied";
const COUNT_APPLIED = "SELECT COUNT(*) AS n FROM applied";
const CREATE_CLAIMS =
  "CREATE TABLE IF NOT EXISTS claims (key TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, id TEXT NOT NULL, created_at INTEGER NOT NULL)";
const CREATE_CLAIMS_INDEX = "CREATE INDEX IF NOT EXISTS claims_by_age ON claims (created_at)";
const DELETE_EXPIRED_CLAIMS = "DELETE FROM claims WHERE created_at <= ?";
const SELECT_CLAIM = "SELECT fingerprint, id FROM claims WHERE key = ?";
const INSERT_CLAIM = "INSERT INTO claims (key, fingerprint, id, created_at) VALUES (?, ?, ?, ?)";
const SELECT_OLDEST_CLAIM = "SELECT MIN(created_at) AS oldest FROM claims";
const COUNT_CLAIMS = "SELECT COUNT(*) AS n FROM claims";
/** The TTL the records were written under, for the alarm (which gets no request to read it from). */
const SET_IDEMPOTENCY_TTL =
  "INSERT INTO meta (name, value) VALUES ('idempotencyTtlMs', ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value";
const SELECT_IDEMPOTENCY_TTL = "SELECT value FROM meta WHERE name = 'idempotencyTtlMs'";
const SELECT_KEY_TYPE = "SELECT value FROM meta WHERE name = 'keyType'";
const CLAIM_NAMESPACE_KEY_TYPE =
  "INSERT INTO meta (name, value) VALUES ('namespaceKeyType', ?) ON CONFLICT (name) DO NOTHING";
const SELECT_NAMESPACE_KEY_TYPE = "SELECT value FROM meta WHERE name = 'namespaceKeyType'";
const HAS_TOTALS = "SELECT EXISTS (SELECT 1 FROM totals) AS has";
/** Current totals of a JSON array of keys: one statement per batch, not per key. */
const SELECT_TOTALS_OF = "SELECT key, total FROM totals WHERE key IN (SELECT value FROM json_each(?))";
/** Upserts a JSON array of `[key, total]`; `WHERE true` resolves SQLite's upsert parse ambiguity. */
const UPSERT_TOTALS =
  "INSERT INTO totals (key, total) SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?) WHERE true ON CONFLICT (key) DO UPDATE SET total = excluded.total";
const DELETE_TOTALS = "DELETE FROM totals WHERE key IN (SELECT value FROM json_each(?))";
const SET_KEY_TYPE =
  "INSERT INTO meta (name, value) VALUES ('keyType', ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value";
const INSERT_APPLIED = "INSERT INTO applied (key, body_hash, totals, created_at) VALUES (?, ?, ?, ?)";
const SELECT_ALL = "SELECT key, total FROM totals ORDER BY key";
const SELECT_ALL_AFTER = "SELECT key, total FROM totals WHERE key > ? ORDER BY key";

/** Key and total bytes per readAll page by default: well under workerd's 32 MiB RPC answer. */
const READ_PAGE_BYTES = 8 * 1024 * 1024;

/** Characters of JSON bound to one statement: workerd refuses a value over ~2 MiB (SQLITE_TOOBIG). */
const MAX_JSON_PARAM = 1 << 20;

/**
 * `items` as JSON arrays of at most MAX_JSON_PARAM characters each (one item always fits: a key
 * is at most MAX_REDUCE_KEY_BYTES, ~6x that escaped). A shard's 50,000 keys of 1,000 bytes were one
 * 50 MB parameter, and the whole batch failed on every shard.
 */
function* jsonParts(items: readonly unknown[]): Generator<string> {
  let part: string[] = [];
  let size = 2;
  for (const item of items) {
    const json = JSON.stringify(item);
    if (part.length > 0 && size + json.length + 1 > MAX_JSON_PARAM) {
      yield `[${part.join(",")}]`;
      part = [];
      size = 2;
    }
    part.push(json);
    size += json.length + 1;
  }
  if (part.length > 0) yield `[${part.join(",")}]`;
}
const SELECT_ONE = "SELECT total FROM totals WHERE key = ?";
const DELETE_ALL = [
  "DELETE FROM totals",
  "DELETE FROM meta",
  "DELETE FROM applied",
  "DELETE FROM claims",
] as const;

type TotalRow = { key: string; total: string };

/** Totals of one (namespace, shard); every method is one statement or one transaction. */
export class ReduceShard extends DurableObject implements ReduceShardObject {
  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env);
    for (const statement of [CREATE_TOTALS, CREATE_META, CREATE_APPLIED, CREATE_CLAIMS])
      ctx.storage.sql.exec(statement);
    try {
      ctx.storage.sql.exec(ADD_CREATED_AT);
    } catch {
      // the column exists already (every shard made since records expire)
    }
    ctx.storage.sql.exec(CREATE_APPLIED_INDEX);
    ctx.storage.sql.exec(CREATE_CLAIMS_INDEX);
  }

  async claimKeyType(keyType: string): Promise<string> {
    const sql = this.ctx.storage.sql;
    sql.exec(CLAIM_NAMESPACE_KEY_TYPE, keyType);
    return sql.exec<{ value: string }>(SELECT_NAMESPACE_KEY_TYPE).one().value;
  }

  async apply(payload: ArrayBuffer, meta: ApplyMeta): Promise<ApplyAnswer> {
    const { keys, values } = decodeShardPayload(payload);
    let answer: ApplyAnswer;
    try {
      answer = this.ctx.storage.transactionSync(() => this.#applySync(keys, values, meta));
    } catch (error) {
      if (error instanceof ColwasmError) return { ok: false, failure: failureOf(error) };
      throw error;
    }
    if (answer.ok && !answer.isReplay && meta.idempotencyKey !== undefined) {
      // an alarm already set is earlier (it is for an older record) and re-arms itself
      if ((await this.ctx.storage.getAlarm()) === null) {
        await this.ctx.storage.setAlarm(Date.now() + meta.idempotencyTtlMs);
      }
    }
    return answer;
  }

  /** Deletes the expired idempotency records and claims; re-arms for the oldest one left, if any. */
  async alarm(): Promise<void> {
    const sql = this.ctx.storage.sql;
    const ttl = Number(sql.exec<{ value: string }>(SELECT_IDEMPOTENCY_TTL).toArray()[0]?.value);
    if (!Number.isFinite(ttl)) return; // dropped since, or no record was ever written
    sql.exec(DELETE_EXPIRED, Date.now() - ttl);
    sql.exec(DELETE_EXPIRED_CLAIMS, Date.now() - ttl);
    const oldest = [SELECT_OLDEST_APPLIED, SELECT_OLDEST_CLAIM]
      .map((statement) => sql.exec<{ oldest: number | null }>(statement).one().oldest)
      .filter((at) => at !== null);
    if (oldest.length > 0) await this.ctx.storage.setAlarm(Math.min(...oldest) + ttl + 1);
  }

  async idempotencyRecordCount(): Promise<number> {
    return this.ctx.storage.sql.exec<{ n: number }>(COUNT_APPLIED).one().n;
  }

  async idempotencyClaimCount(): Promise<number> {
    return this.ctx.storage.sql.exec<{ n: number }>(COUNT_CLAIMS).one().n;
  }

  async claimIdempotencyKey(key: string, fingerprint: string, ttlMs: number): Promise<ClaimAnswer> {
    const sql = this.ctx.storage.sql;
    const answer = this.ctx.storage.transactionSync((): ClaimAnswer => {
      const now = Date.now();
      sql.exec(DELETE_EXPIRED_CLAIMS, now - ttlMs);
      const earlier = sql.exec<{ fingerprint: string; id: string }>(SELECT_CLAIM, key).toArray()[0];
      if (earlier !== undefined) {
        if (earlier.fingerprint !== fingerprint)
          return { ok: false, failure: failureOf(idempotencyConflict(key)) };
        return { ok: true, id: earlier.id, isNew: false };
      }
      const id = crypto.randomUUID();
      sql.exec(INSERT_CLAIM, key, fingerprint, id, now);
      sql.exec(SET_IDEMPOTENCY_TTL, String(ttlMs));
      return { ok: true, id, isNew: true };
    });
    // an alarm already set is earlier (it is for an older claim) and re-arms itself
    if (answer.ok && answer.isNew && (await this.ctx.storage.getAlarm()) === null)
      await this.ctx.storage.setAlarm(Date.now() + ttlMs);
    return answer;
  }

  #applySync(keys: readonly string[], deltas: BigInt64Array, meta: ApplyMeta): ApplyAnswer {
    const sql = this.ctx.storage.sql;
    const { idempotencyKey, bodyHash = "" } = meta;
    const now = Date.now();
    // records past the TTL are forgotten first (an index keeps this cheap)
    sql.exec(DELETE_EXPIRED, now - meta.idempotencyTtlMs);
    if (idempotencyKey !== undefined) {
      const earlier = sql
        .exec<{ body_hash: string; totals: ArrayBuffer }>(SELECT_APPLIED, idempotencyKey)
        .toArray();
      if (earlier.length > 0) {
        if (earlier[0].body_hash !== bodyHash) throw idempotencyConflict(requestKeyOf(idempotencyKey));
        return { ok: true, totals: earlier[0].totals, isReplay: true };
      }
    }
    const stored = sql.exec<{ value: string }>(SELECT_KEY_TYPE).toArray()[0]?.value;
    if (
      stored !== undefined &&
      stored !== meta.keyType &&
      sql.exec<{ has: number }>(HAS_TOTALS).one().has === 1
    ) {
      throw keyTypeConflict(meta.namespace, stored, meta.keyType);
    }
    const current = new Map<string, string>();
    for (const part of jsonParts(keys))
      for (const row of sql.exec<TotalRow>(SELECT_TOTALS_OF, part)) current.set(row.key, row.total);
    const totals = new BigInt64Array(keys.length);
    const upserts: [string, string][] = [];
    const zeros: string[] = [];
    keys.forEach((key, k) => {
      const next = BigInt.asIntN(64, BigInt(current.get(key) ?? "0") + deltas[k]);
      totals[k] = next;
      if (next === 0n) zeros.push(key);
      else upserts.push([key, next.toString()]);
    });
    for (const part of jsonParts(upserts)) sql.exec(UPSERT_TOTALS, part);
    for (const part of jsonParts(zeros)) sql.exec(DELETE_TOTALS, part);
    if (stored !== meta.keyType) sql.exec(SET_KEY_TYPE, meta.keyType);
    const answer = new Uint8Array(totals.buffer);
    if (idempotencyKey !== undefined) {
      sql.exec(INSERT_APPLIED, idempotencyKey, bodyHash, answer, now);
      sql.exec(SET_IDEMPOTENCY_TTL, String(meta.idempotencyTtlMs));
    }
    if (meta.failForTest === true) throw new Error("Injected shard failure (Colwasm-Test-Fail-Shard)");
    return { ok: true, totals: totals.buffer, isReplay: false };
  }

  async readAll(
    after: string | null = null,
    pageBytes = READ_PAGE_BYTES,
  ): Promise<{ keyType: string; payload: ArrayBuffer; next: string | null } | null> {
    const sql = this.ctx.storage.sql;
    const keyType = sql.exec<{ value: string }>(SELECT_KEY_TYPE).toArray()[0]?.value;
    if (keyType === undefined) return null;
    const rows: TotalRow[] = [];
    let bytes = 0;
    let next: string | null = null;
    const cursor =
      after === null ? sql.exec<TotalRow>(SELECT_ALL) : sql.exec<TotalRow>(SELECT_ALL_AFTER, after);
    for (const row of cursor) {
      if (bytes > pageBytes) {
        next = rows[rows.length - 1].key;
        break;
      }
      rows.push(row);
      bytes += row.key.length * 3 + 16; // UTF-8 is at most 3 bytes a UTF-16 unit, plus the total
    }
    const values = BigInt64Array.from(rows, (r) => BigInt(r.total));
    return { keyType, payload: encodeShardPayload({ keys: rows.map((r) => r.key), values }), next };
  }

  async readKey(key: string): Promise<{ keyType: string; total: string } | null> {
    const sql = this.ctx.storage.sql;
    const keyType = sql.exec<{ value: string }>(SELECT_KEY_TYPE).toArray()[0]?.value;
    const total = sql.exec<{ total: string }>(SELECT_ONE, key).toArray()[0]?.total;
    return keyType === undefined || total === undefined ? null : { keyType, total };
  }

  async namespaceKeyType(): Promise<string | null> {
    return (
      this.ctx.storage.sql.exec<{ value: string }>(SELECT_NAMESPACE_KEY_TYPE).toArray()[0]?.value ?? null
    );
  }

  async drop(): Promise<boolean> {
    const existed = this.ctx.storage.transactionSync(() => {
      const existed = this.ctx.storage.sql.exec<{ value: string }>(SELECT_KEY_TYPE).toArray().length > 0;
      for (const statement of DELETE_ALL) this.ctx.storage.sql.exec(statement);
      return existed;
    });
    await this.ctx.storage.deleteAlarm();
    return existed;
  }
}
