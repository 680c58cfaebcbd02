// The one counting function every batch byte copy goes through; feeds `Colwasm-Copied-Bytes`.

/** Counts the bytes copied while running one hop, and times the copies it makes itself. */
export class CopyMeter {
  bytes = 0;
  /** Calls of `copy`, and the milliseconds spent in them (copies only `count`ed are in neither). */
  copies = 0;
  ms = 0;

  /** Copies `src` into `dest` at `offset`, counting and timing it. */
  copy(dest: Uint8Array, offset: number, src: Uint8Array): void {
    const started = performance.now();
    dest.set(src, offset); // copy: the metered memcpy
    this.ms += performance.now() - started;
    this.copies++;
    this.bytes += src.byteLength;
  }

  /** Counts bytes that another function copied (e.g. `writeSlices`, slice by slice). */
  count(bytes: number): void {
    this.bytes += bytes;
  }
}
