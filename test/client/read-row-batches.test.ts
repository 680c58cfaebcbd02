// readRowBatches(): JSONL and CSV input cut into batches of at most N rows as chunks arrive, with
// rows numbered across batches, bad rows and invalid UTF-8 named by their input line whatever the
// chunking, and the CSV reader's quoting rules.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { BatchError, columnToRows, parseSchema } from "../../src/columnar/index.ts";
import { CsvRecords } from "../../src/client/csv-records.ts";
import { readRowBatches } from "../../src/client/read-row-batches.ts";

const schema = parseSchema("(String, i64)");

/** `text` as chunks of `size` bytes (splitting lines and UTF-8 sequences anywhere). */
async function* chunksOf(text: string, size: number): AsyncGenerator<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

async function collect(text: string, options: Parameters<typeof readRowBatches>[2], chunk = 7) {
  const out: { rows: unknown[]; firstRow: number }[] = [];
  for await (const b of readRowBatches(chunksOf(text, chunk), schema, options))
    out.push({ rows: columnToRows(schema, b.column), firstRow: b.firstRow });
  return out;
}

describe("readRowBatches()", () => {
  test("readRowBatches() cuts JSONL into batches of at most batchRows rows", async () => {
    const text = Array.from({ length: 7 }, (_, i) => JSON.stringify([`é${i}`, i])).join("\r\n") + "\n\n";
    const batches = await collect(text, { batchRows: 3 });
    assert.deepEqual(
      batches.map((b) => [b.firstRow, b.rows.length]),
      [
        [0, 3],
        [3, 3],
        [6, 1],
      ],
    );
    assert.deepEqual(batches[2].rows, [["é6", 6]]);
  });

  test("readRowBatches() yields one empty batch for empty input", async () => {
    const batches = await collect("", { batchRows: 3 });
    assert.deepEqual(batches, [{ rows: [], firstRow: 0 }]);
  });

  test("readRowBatches() numbers a bad row across batches", async () => {
    const text = '["a",1]\n["b",2]\n["c","x"]\n';
    await assert.rejects(
      collect(text, { batchRows: 2 }),
      (e: unknown) => e instanceof BatchError && e.location.row === 2,
    );
  });

  test("readRowBatches() reads CSV records by the schema, skipping a header", async () => {
    const text = 'text,diff\n"a, ""b""",1\r\nplain,-2\n"two\nlines",9007199254740993\n';
    const batches = await collect(text, { batchRows: 2, input: "csv", hasHeader: true }, 5);
    assert.deepEqual(
      batches.flatMap((b) => b.rows),
      [
        ['a, "b"', 1],
        ["plain", -2],
        ["two\nlines", "9007199254740993"],
      ],
    );
  });

  test("readRowBatches() asks whether a first CSV record that does not fit is a header, and only then", async () => {
    await assert.rejects(
      collect("text,diff\nhello,1\n", { batchRows: 5, input: "csv" }),
      (e: unknown) =>
        e instanceof BatchError &&
        e.location.row === 0 &&
        /\(is the first line a header\? pass --header to skip it\)$/.test(e.message),
    );
    await assert.rejects(
      collect("hello,1\nbad,x\n", { batchRows: 5, input: "csv" }),
      (e: unknown) => e instanceof BatchError && e.location.row === 1 && !e.message.includes("header"),
    );
  });

  test("readRowBatches() rejects a CSV record with the wrong field count", async () => {
    await assert.rejects(
      collect("a,1\nb\n", { batchRows: 5, input: "csv" }),
      (e: unknown) => e instanceof BatchError && e.rule === "row-type" && e.location.row === 1,
    );
  });
});

describe("readRowBatches() line numbers", () => {
  /** `bytes` as chunks of `size` bytes. */
  async function* bytesOf(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
    for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
  }
  const drain = async (chunks: AsyncIterable<Uint8Array>, batchRows = 2): Promise<void> => {
    for await (const _ of readRowBatches(chunks, schema, { batchRows })) continue;
  };

  test("readRowBatches() names the line of a bad row, blank lines counted, in any chunking", async () => {
    const text = '["a",1]\n\n  \n["b",2]\r\n["c","x"]\n';
    for (const size of [1, 3, 7, 64]) {
      await assert.rejects(
        drain(chunksOf(text, size)),
        (e: unknown) =>
          e instanceof BatchError &&
          e.location.row === 2 &&
          e.message.startsWith("row 2 at $.1: ") &&
          e.message.endsWith(" (line 5)"),
        `chunks of ${size}`,
      );
    }
  });

  test("readRowBatches() names the line of invalid UTF-8, wherever the chunks split it", async () => {
    const good = new TextEncoder().encode('["é",1]\n["ü",2]\n["');
    // an overlong 2-byte form (C0 80), a lone continuation byte, a 3-byte lead cut by a quote
    for (const bad of [[0xc0, 0x80], [0x80], [0xe2, 0x82, 0x22]]) {
      const bytes = Uint8Array.from([...good, ...bad, ...new TextEncoder().encode('",3]\n["d",4]\n')]);
      for (const size of [1, 2, 5, 16, 1024]) {
        await assert.rejects(
          drain(bytesOf(bytes, size)),
          (e: unknown) => e instanceof BatchError && e.message === "line 3: the input is not valid UTF-8",
          `${JSON.stringify(bad)} in chunks of ${size}`,
        );
      }
    }
    // a character cut off by the end of the input is on the last line
    const cut = Uint8Array.from([...new TextEncoder().encode('["a",1]\n\n["'), 0xe2, 0x82]);
    await assert.rejects(
      drain(bytesOf(cut, 4)),
      (e: unknown) => e instanceof BatchError && e.message === "line 3: the input is not valid UTF-8",
    );
  });
});

describe("CsvRecords", () => {
  test("CsvRecords rejects a quoted field that never closes", () => {
    const csv = new CsvRecords();
    assert.deepEqual(csv.push('a,"b\n'), []);
    assert.throws(
      () => csv.finish(),
      (e: unknown) => e instanceof BatchError && e.rule === "row-syntax",
    );
  });

  test("CsvRecords keeps empty fields and skips blank lines", () => {
    const csv = new CsvRecords();
    assert.deepEqual([...csv.push(",x,\n\n"), ...csv.finish()], [["", "x", ""]]);
  });
});
