// The values KvReduceStore keeps in Deno KV (layout in kv-reduce-store.deno.ts): their shapes, the
// guards that refuse a malformed entry instead of trusting it, and the i64 LE encoding of an
// idempotency record's answer.

/** `["reduce", ns, shard, "meta"]`: the shard's key type and how many keys it holds. */
export interface Meta {
  readonly keyType: string;
  readonly count: number;
}
/** `["reduce", ns, shard, "applied", idem]`: an idempotency record and the totals it answered. */
export interface Applied {
  readonly bodyHash: string;
  readonly totals: Uint8Array;
  /** When it was recorded (ms); absent in records made before records expired. */
  readonly at?: number;
}
/** `["reduce", ns, shard, "total", sha256(key)]`: a total whose key is too long for a KV key. */
export interface LongTotal {
  readonly key: string;
  readonly total: bigint;
}

export function isMeta(value: unknown): value is Meta {
  const v = value as Meta | null;
  return typeof v?.keyType === "string" && typeof v.count === "number";
}

export function isApplied(value: unknown): value is Applied {
  const v = value as Applied | null;
  return typeof v?.bodyHash === "string" && v.totals instanceof Uint8Array;
}

export function isLongTotal(value: unknown): value is LongTotal {
  const v = value as LongTotal | null;
  return typeof v?.key === "string" && typeof v.total === "bigint";
}

/**
 * The total a total key's entry holds: the bigint itself, or a long key's `{ key, total }` (the key
 * stored by hash); undefined when the value is not what the key's kind says (corrupt).
 */
export function storedTotal(value: unknown, isLong: boolean): bigint | undefined {
  const total = isLong ? (isLongTotal(value) ? value.total : undefined) : value;
  return typeof total === "bigint" ? total : undefined;
}

/** The error of an entry that is not what its key says it holds. */
export function corrupt(what: Deno.KvKey): Error {
  return new Error(
    `Deno KV entry ${JSON.stringify(what, (_, v) => (typeof v === "bigint" ? `${v}` : v))} is malformed`,
  );
}

/** Totals as i64 LE bytes (KV stores a Uint8Array as is). */
export function totalsToBytes(totals: BigInt64Array): Uint8Array {
  const bytes = new Uint8Array(totals.length * 8);
  const view = new DataView(bytes.buffer);
  totals.forEach((t, i) => view.setBigInt64(i * 8, t, true));
  return bytes;
}

/** The inverse of totalsToBytes. */
export function bytesToTotals(bytes: Uint8Array): BigInt64Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return BigInt64Array.from({ length: bytes.byteLength / 8 }, (_, i) => view.getBigInt64(i * 8, true));
}
