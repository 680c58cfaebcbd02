// Writes to a stream with backpressure: waits for `drain` instead of buffering the whole output.
import { once } from "node:events";

/** Writes `data` and resolves once the stream can take more. */
export async function writeOutput(stream: NodeJS.WritableStream, data: Uint8Array | string): Promise<void> {
  if (!stream.write(data)) await once(stream, "drain");
}
