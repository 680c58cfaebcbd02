// A local TCP port nothing listens on (for "cannot reach the runtime" tests): bound, then released.
import { createServer } from "node:net";

/** A port on 127.0.0.1 that was free a moment ago and has no listener now. */
export async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}
