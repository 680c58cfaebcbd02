/// <reference lib="deno.worker" />
// Entry of a Deno sandbox thread (a web Worker): the sandbox runner over the worker's `self`.
import { serveSandbox } from "../../chain/sandbox-runner.ts";
import type { RunRequest } from "../../chain/thread-protocol.ts";

serveSandbox({
  post: (message, transfer) => self.postMessage(message, { transfer }),
  listen: (onRequest) => {
    self.onmessage = (event: MessageEvent<RunRequest>) => onRequest(event.data);
  },
});
