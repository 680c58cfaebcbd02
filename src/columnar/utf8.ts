// Strict UTF-8 validation (spec §6.4 L5): rejects overlong forms, surrogates and code points past
// U+10FFFF. Hand-written so it allocates nothing and skips ASCII four bytes at a time.

/** Result of scanning a String column's bytes. */
export interface Utf8Scan {
  /** Index of the first byte of the first invalid sequence, or -1. */
  readonly invalidAt: number;
  /** No byte >= 0x80: then no bound can split a character (spec §10). */
  readonly isAscii: boolean;
}

/** Validates `bytes` as UTF-8 in one pass, noting whether they were all ASCII. */
export function scanUtf8(bytes: Uint8Array): Utf8Scan {
  let isAscii = true;
  const n = bytes.length;
  let i = 0;
  const canUseWords = bytes.byteOffset % 4 === 0;
  const words = canUseWords ? new Uint32Array(bytes.buffer, bytes.byteOffset, n >>> 2) : undefined;
  while (i < n) {
    if (words !== undefined && (i & 3) === 0) {
      let w = i >>> 2;
      // 32 bytes per step: OR eight words, test once (ASCII text is the common case).
      const end8 = words.length - 8;
      while (
        w <= end8 &&
        ((words[w] |
          words[w + 1] |
          words[w + 2] |
          words[w + 3] |
          words[w + 4] |
          words[w + 5] |
          words[w + 6] |
          words[w + 7]) &
          0x80808080) ===
          0
      )
        w += 8;
      while (w < words.length && (words[w] & 0x80808080) === 0) w++;
      i = w << 2;
      if (i >= n) break;
    }
    const b = bytes[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    isAscii = false;
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b === 0xe0) ((need = 2), (lo = 0xa0));
    else if (b === 0xed) ((need = 2), (hi = 0x9f));
    else if (b >= 0xe1 && b <= 0xef) need = 2;
    else if (b === 0xf0) ((need = 3), (lo = 0x90));
    else if (b === 0xf4) ((need = 3), (hi = 0x8f));
    else if (b >= 0xf1 && b <= 0xf3) need = 3;
    else return { invalidAt: i, isAscii };
    if (i + need >= n) return { invalidAt: i, isAscii };
    const second = bytes[i + 1];
    if (second < lo || second > hi) return { invalidAt: i, isAscii };
    for (let k = 2; k <= need; k++) {
      if ((bytes[i + k] & 0xc0) !== 0x80) return { invalidAt: i, isAscii };
    }
    i += need + 1;
  }
  return { invalidAt: -1, isAscii };
}

/** True when byte `index` continues a multi-byte character (a bound there would split it). */
export function isContinuationByte(bytes: Uint8Array, index: number): boolean {
  return index < bytes.length && (bytes[index] & 0xc0) === 0x80;
}
