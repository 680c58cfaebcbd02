// Per-request figures and test hooks of the reduce store, carried from the Worker's fetch to the
// ReduceShard calls without threading them through src/http: an AsyncLocalStorage scope
// (workerd's node:async_hooks, nodejs_compat) around app.fetch.
import { AsyncLocalStorage } from "node:async_hooks";
import type { ShardCallScope } from "./do-reduce-store.workers.ts";

/** Response header: ReduceShard apply calls the request made (one per touched shard per reduce stage). */
export const SHARD_CALLS_HEADER = "Colwasm-Reduce-Shard-Calls";
/** Request header honoured only with COLWASM_TEST_HOOKS=1: that shard's transaction throws. */
export const TEST_FAIL_SHARD_HEADER = "Colwasm-Test-Fail-Shard";

const scopes = new AsyncLocalStorage<ShardCallScope>();

/** The scope of the request being handled, if any. */
export function currentScope(): ShardCallScope | undefined {
  return scopes.getStore();
}

/** Runs `handle` in a fresh scope; adds SHARD_CALLS_HEADER when the request reached a shard. */
export async function withRequestScope(
  request: Request,
  options: { readonly isTestHooks: boolean },
  handle: () => Promise<Response>,
): Promise<Response> {
  const failText = options.isTestHooks ? request.headers.get(TEST_FAIL_SHARD_HEADER) : null;
  const fail = failText === null || !/^\d+$/.test(failText) ? undefined : Number(failText);
  const scope: ShardCallScope = { shardCalls: 0, failShard: fail };
  const response = await scopes.run(scope, handle);
  if (scope.shardCalls === 0) return response;
  const answer = new Response(response.body, response);
  answer.headers.set(SHARD_CALLS_HEADER, String(scope.shardCalls));
  return answer;
}
