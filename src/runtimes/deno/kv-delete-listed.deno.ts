// Deletes what a Deno KV listing yields, in atomic commits kept under KV's limits (1000 mutations
// and 819 200 bytes of mutations, keys included): the sweep both KV stores need, of a dropped
// reduce shard and of operator chunks left by uploads that died before their commit.
import { kvKeyBytes } from "./kv-key-bytes.deno.ts";

/** Deletions per commit: Deno KV takes at most 1000 mutations in one atomic operation. */
const DELETE_BATCH = 1000;
/** Key bytes per commit, well under the 819 200-byte mutation limit (reduce keys run to 1500 bytes). */
const DELETE_BATCH_BYTES = 400 * 1024;

/**
 * Deletes every listed entry that `isDeleted` accepts (all by default), committing as it lists;
 * answers how many entries the listing yielded, deleted or not.
 */
export async function deleteListed(
  kv: Deno.Kv,
  selector: Deno.KvListSelector,
  isDeleted: (key: Deno.KvKey) => boolean = () => true,
): Promise<number> {
  let listed = 0;
  let batch: Deno.KvKey[] = [];
  let bytes = 0;
  const flush = async (): Promise<void> => {
    const op = kv.atomic();
    for (const key of batch) op.delete(key);
    await op.commit();
    batch = [];
    bytes = 0;
  };
  for await (const entry of kv.list(selector)) {
    listed++;
    if (!isDeleted(entry.key)) continue;
    const size = kvKeyBytes(entry.key);
    if (batch.length === DELETE_BATCH || bytes + size > DELETE_BATCH_BYTES) await flush();
    batch.push(entry.key);
    bytes += size;
  }
  if (batch.length > 0) await flush();
  return listed;
}
