// Reading reduce totals back from Deno KV (KvReduceStore.readAll and readKey; layout in
// kv-reduce-store.deno.ts). readAll walks the namespace's shards one after another, so it is not
// one snapshot: a batch committing meanwhile may show in some shards and not yet in others.
import { MAX_REDUCE_KEY_BYTES, type StoredTotal } from "../../state/index.ts";
import { totalKey } from "./kv-reduce-apply.deno.ts";
import { corrupt, isLongTotal, isMeta, storedTotal } from "./kv-reduce-values.deno.ts";

const encoder = new TextEncoder();

/**
 * Every total held by the shards at `shardKeys`, with the key type of the last shard that holds
 * any, or undefined when none does.
 */
export async function readAllTotals(
  kv: Deno.Kv,
  shardKeys: readonly Deno.KvKey[],
): Promise<{ keyType: string; totals: StoredTotal[] } | undefined> {
  let keyType: string | undefined;
  const totals: StoredTotal[] = [];
  for (const shardKey of shardKeys) {
    const meta = await kv.get([...shardKey, "meta"]);
    if (meta.versionstamp === null) continue;
    if (!isMeta(meta.value)) throw corrupt(meta.key);
    keyType = meta.value.keyType;
    for await (const entry of kv.list({ prefix: [...shardKey, "total"] })) {
      const key = entry.key[entry.key.length - 1];
      if (typeof key === "string" && typeof entry.value === "bigint")
        totals.push({ key, total: entry.value });
      else if (isLongTotal(entry.value)) totals.push({ key: entry.value.key, total: entry.value.total });
      else throw corrupt(entry.key);
    }
  }
  return keyType === undefined ? undefined : { keyType, totals };
}

/**
 * `key`'s total in the shard at `shardKey`, with the shard's key type, or undefined when it has
 * none (a key too long to have been stored has none, rather than failing the read).
 */
export async function readTotal(
  kv: Deno.Kv,
  shardKey: Deno.KvKey,
  namespace: string,
  key: string,
): Promise<{ keyType: string; total: bigint } | undefined> {
  if (encoder.encode(key).byteLength > MAX_REDUCE_KEY_BYTES) return undefined;
  const { kvKey, isLong } = await totalKey(shardKey, namespace, key);
  const [meta, entry] = await kv.getMany([[...shardKey, "meta"], kvKey]);
  if (meta.versionstamp === null || entry.versionstamp === null) return undefined;
  if (!isMeta(meta.value)) throw corrupt(meta.key);
  const total = storedTotal(entry.value, isLong);
  if (total === undefined) throw corrupt(kvKey);
  return { keyType: meta.value.keyType, total };
}
