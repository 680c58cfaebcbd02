// Loads the shared test vectors produced by the real Rust crate (../shared/spec/vectors/).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Format } from "../../src/columnar/index.ts";

/** One vector of spec/vectors/README.md. */
export interface Vector {
  name: string;
  format: Format;
  schema: string;
  rows: unknown[];
  hex: string;
}

/** Folder of the shared spec, beside the project checkout. */
export const SPEC_DIR = fileURLToPath(new URL("../../../shared/spec/", import.meta.url));

/** Every vector of both files. */
export function loadVectors(): Vector[] {
  return vectorFiles(`${SPEC_DIR}vectors/`);
}

/**
 * The vectors generated in this repository with the same crate builds, covering every type of the
 * spec (test/fixtures/crate-vectors/README.md), in the shape of the shared ones.
 */
export function loadCrateVectors(): Vector[] {
  return vectorFiles(fileURLToPath(new URL("../fixtures/crate-vectors/", import.meta.url)));
}

function vectorFiles(dir: string): Vector[] {
  return ["format-0.1.json", "format-0.12.json"].flatMap(
    (file) => JSON.parse(readFileSync(`${dir}${file}`, "utf8")) as Vector[],
  );
}

/** Lowercase hex to bytes, in an 8-aligned buffer. */
export function hexToBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Bytes to lowercase hex. */
export function bytesToHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
