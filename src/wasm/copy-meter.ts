// The one counting function every batch byte copy goes through; feeds `Colwasm-Copied-Bytes`.

/** Counts the bytes copied while running one hop. */
export class CopyMeter {
  bytes = 0;

  /** Copies `src` into `dest` at `offset`, counting it. */
  copy(dest: Uint8Array, offset: number, src: Uint8Array): void {
    dest.set(src, offset); // copy: the metered memcpy
    this.bytes += src.byteLength;
  }

  /** Counts bytes that another function copied (e.g. `writeSlices`, slice by slice). */
  count(bytes: number): void {
    this.bytes += bytes;
  }
}
