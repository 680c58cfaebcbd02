// A reduce namespace's key type in Deno KV (`[...prefix, ns, "keyType"]`, layout in
// kv-reduce-store.deno.ts): binding it once, reading it, and forgetting it when the namespace is
// dropped. Caching the bindings a process saw is KvReduceStore's (KeyTypeCache), not this file's.
import { ColwasmError } from "../../error.ts";
import { corrupt } from "./kv-reduce-values.deno.ts";

/** Read-check-commit attempts before answering 503. */
const BIND_ATTEMPTS = 32;

const keyTypeKey = (prefix: readonly Deno.KvKeyPart[], namespace: string): Deno.KvKey => [
  ...prefix,
  namespace,
  "keyType",
];

/**
 * Sets the namespace's key type when absent; answers the one it holds. The set is guarded by a
 * versionstamp check (null: only if absent), so of two first batches of different types exactly
 * one binds and the other reads that binding on its next attempt.
 */
export async function bindKeyType(
  kv: Deno.Kv,
  prefix: readonly Deno.KvKeyPart[],
  namespace: string,
  keyType: string,
): Promise<string> {
  const key = keyTypeKey(prefix, namespace);
  for (let attempt = 0; attempt < BIND_ATTEMPTS; attempt++) {
    const entry = await kv.get<string>(key);
    if (entry.versionstamp !== null) return String(entry.value);
    if ((await kv.atomic().check(entry).set(key, keyType).commit()).ok) return keyType;
  }
  throw new ColwasmError(
    "unavailable",
    `Cannot bind the key type of "${namespace}": ${BIND_ATTEMPTS} commits lost to concurrent writers`,
    { retryAfterSeconds: 1 },
  );
}

/** The namespace's bound key type, or undefined: one read, not a walk of the shards. */
export async function readKeyType(
  kv: Deno.Kv,
  prefix: readonly Deno.KvKeyPart[],
  namespace: string,
): Promise<string | undefined> {
  const entry = await kv.get(keyTypeKey(prefix, namespace));
  if (entry.versionstamp === null) return undefined;
  if (typeof entry.value !== "string") throw corrupt(entry.key);
  return entry.value;
}

/** Deletes the namespace's key type; true when it had one. */
export async function unbindKeyType(
  kv: Deno.Kv,
  prefix: readonly Deno.KvKeyPart[],
  namespace: string,
): Promise<boolean> {
  const key = keyTypeKey(prefix, namespace);
  const hadKeyType = (await kv.get(key)).versionstamp !== null;
  await kv.delete(key);
  return hadKeyType;
}
