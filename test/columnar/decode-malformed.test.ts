// decodeBatch() on hostile bodies: one test per rule of spec/columnar-format.md §6, in both formats
// where the rule applies, asserting the rule and the slice it names; plus §6.4 "Accepted and ignored".
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  columnToRows,
  decodeBatch,
  encodeBatch,
  type Format,
  FORMATS,
  parseSchema,
  rowsToColumn,
} from "../../src/columnar/index.ts";
import { assertBatchError } from "../support/assert-batch-error.ts";
import { boolSlices, concat, frame, setWord, validSlices, words } from "../support/body-builder.ts";

const PAIR = parseSchema("(String, i64)");
const PAIR_ROWS = [
  ["hello", 1],
  ["world", -2],
  ["", 3],
];
/** The spec §9 worked example: 88 bytes in 0.1, 96 in 0.12. */
const pairBody = (format: Format): Uint8Array => encodeBatch(rowsToColumn(PAIR, PAIR_ROWS), { format });
const decode = (body: Uint8Array, schemaText: string, format: Format) => () =>
  decodeBatch(body, parseSchema(schemaText), { format });
const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
/** Index of the first slice after an Option/Result's counts + bool slices. */
const payloadIndex = (format: Format): number => (format === "0.1" ? 4 : 3);

describe("decodeBatch() §6.1 body", () => {
  for (const format of FORMATS) {
    it(`decodeBatch() rejects a body whose length is not a multiple of 8 (body-length, ${format})`, () => {
      assertBatchError(() => decodeBatch(pairBody(format).subarray(0, 87), PAIR, { format }), "body-length");
      const longer = concat(pairBody(format), Uint8Array.of(0));
      assertBatchError(() => decodeBatch(longer, PAIR, { format }), "body-length");
    });
  }
});

describe("decodeBatch() §6.2 framing 0.1", () => {
  const format = "0.1";

  it("decodeBatch() rejects a body that ends before a length word (missing-slices)", () => {
    assertBatchError(
      () => decodeBatch(pairBody(format).subarray(0, 56), PAIR, { format }),
      "missing-slices",
      {
        sliceIndex: 2,
        slice: "$.1#data",
      },
    );
    assertBatchError(() => decodeBatch(new Uint8Array(0), PAIR, { format }), "missing-slices", {
      sliceIndex: 0,
      slice: "$.0#bounds",
    });
  });

  it("decodeBatch() rejects a length that runs past the body (slice-out-of-range)", () => {
    assertBatchError(
      () => decodeBatch(setWord(pairBody(format), 56, 32), PAIR, { format }),
      "slice-out-of-range",
      {
        sliceIndex: 2,
        slice: "$.1#data",
      },
    );
  });

  it("decodeBatch() rejects length words with high bits set instead of truncating them (slice-out-of-range)", () => {
    // 2^32 + 24 would read as the valid length 24 if only the low half were used.
    for (const length of [2n ** 32n + 24n, 2n ** 40n, 2n ** 53n + 1n, 2n ** 63n, 2n ** 64n - 1n]) {
      assertBatchError(
        () => decodeBatch(setWord(pairBody(format), 0, length), PAIR, { format }),
        "slice-out-of-range",
        { sliceIndex: 0, slice: "$.0#bounds" },
      );
    }
  });

  it("decodeBatch() rejects bytes after the last slice (trailing-bytes)", () => {
    assertBatchError(
      () => decodeBatch(concat(pairBody(format), words(0)), PAIR, { format }),
      "trailing-bytes",
    );
    assertBatchError(
      () => decodeBatch(concat(pairBody(format), pairBody(format)), PAIR, { format }),
      "trailing-bytes",
    );
  });
});

describe("decodeBatch() §6.3 framing 0.12", () => {
  const format = "0.12";

  it("decodeBatch() rejects a body shorter than one word (missing-slices)", () => {
    assertBatchError(() => decodeBatch(new Uint8Array(0), PAIR, { format }), "missing-slices");
  });

  it("decodeBatch() rejects word[0] that is not a multiple of 8 or is below 16 (bad-offset)", () => {
    for (const first of [33, 36, 8, 0, 2n ** 40n + 4n]) {
      assertBatchError(
        () => decodeBatch(setWord(pairBody(format), 0, first), PAIR, { format }),
        "bad-offset",
      );
    }
  });

  it("decodeBatch() rejects a table announcing another slice count (slice-count)", () => {
    for (const first of [16, 24, 40, 2n ** 40n]) {
      assertBatchError(
        () => decodeBatch(setWord(pairBody(format), 0, first), PAIR, { format }),
        "slice-count",
      );
    }
    // The 0.1 body of the same batch starts with 24 = 8 * (2 + 1): two slices announced, three needed.
    assertBatchError(() => decodeBatch(pairBody("0.1"), PAIR, { format }), "slice-count");
  });

  it("decodeBatch() rejects an offset table that does not fit in the body (slice-out-of-range)", () => {
    assertBatchError(() => decodeBatch(words(32, 32, 32), PAIR, { format }), "slice-out-of-range");
  });

  it("decodeBatch() rejects a slice end past the body, high bits included (slice-out-of-range)", () => {
    assertBatchError(
      () => decodeBatch(setWord(pairBody(format), 24, 104), PAIR, { format }),
      "slice-out-of-range",
      {
        sliceIndex: 2,
        slice: "$.1#data",
      },
    );
    for (const end of [2n ** 32n + 56n, 2n ** 63n, 2n ** 64n - 1n]) {
      assertBatchError(
        () => decodeBatch(setWord(pairBody(format), 8, end), PAIR, { format }),
        "slice-out-of-range",
        {
          sliceIndex: 0,
        },
      );
    }
  });

  it("decodeBatch() rejects a slice that ends before its own start (bad-offset)", () => {
    assertBatchError(() => decodeBatch(setWord(pairBody(format), 16, 50), PAIR, { format }), "bad-offset", {
      sliceIndex: 1,
      slice: "$.0#bytes",
    });
    // Slice 1 starts at round8(57) = 64, so an end of 60 is before its start.
    const body = setWord(setWord(pairBody(format), 8, 57), 16, 60);
    assertBatchError(() => decodeBatch(body, PAIR, { format }), "bad-offset", { sliceIndex: 1 });
  });

  it("decodeBatch() rejects a body longer than round8(word[N]) (trailing-bytes)", () => {
    assertBatchError(
      () => decodeBatch(concat(pairBody(format), words(0)), PAIR, { format }),
      "trailing-bytes",
    );
    assertBatchError(
      () => decodeBatch(setWord(pairBody(format), 24, 88), PAIR, { format }),
      "trailing-bytes",
    );
  });
});

for (const format of FORMATS) {
  describe(`decodeBatch() §6.4 layout (${format})`, () => {
    it("decodeBatch() rejects slices whose length is not a multiple of the element size (slice-size)", () => {
      const cases: [string, number][] = [
        ["u16", 3],
        ["i16", 1],
        ["u32", 6],
        ["f32", 2],
        ["u64", 12],
        ["f64", 4],
      ];
      for (const [type, length] of cases) {
        assertBatchError(decode(frame(format, new Uint8Array(length)), type, format), "slice-size", {
          sliceIndex: 0,
          slice: "$#data",
        });
      }
      assertBatchError(
        decode(frame(format, new Uint8Array(12), new Uint8Array(0)), "String", format),
        "slice-size",
        {
          sliceIndex: 0,
          slice: "$#bounds",
        },
      );
      assertBatchError(
        decode(frame(format, words(0), new Uint8Array(5)), "(u8, u32)", format),
        "slice-size",
        {
          sliceIndex: 1,
          slice: "$.1#data",
        },
      );
    });

    it("decodeBatch() rejects bool tails of the wrong fixed size (slice-size)", () => {
      const [full, ...tail] = boolSlices(format, [], 0, 0);
      if (format === "0.1") {
        assertBatchError(decode(frame(format, full, words(0, 0), tail[1]), "bool", format), "slice-size", {
          slice: "$#last_word",
          sliceIndex: 1,
        });
        // The 8-byte last_bits of crate versions 0.2-0.11 (spec §2.1 non-goals).
        assertBatchError(decode(frame(format, full, tail[0], words(0)), "bool", format), "slice-size", {
          slice: "$#last_bits",
          sliceIndex: 2,
        });
        assertBatchError(
          decode(frame(format, full, new Uint8Array(0), tail[1]), "bool", format),
          "slice-size",
          {
            slice: "$#last_word",
          },
        );
      } else {
        for (const wrong of [words(0), words(0, 0, 0)]) {
          assertBatchError(decode(frame(format, full, wrong), "bool", format), "slice-size", {
            slice: "$#tail",
            sliceIndex: 1,
          });
        }
      }
      assertBatchError(decode(frame(format, new Uint8Array(4), ...tail), "bool", format), "slice-size", {
        slice: "$#words",
        sliceIndex: 0,
      });
    });

    it("decodeBatch() rejects last_bits of 64 or more (bad-bool-tail)", () => {
      const values: bigint[] = format === "0.1" ? [64n, 255n] : [64n, 2n ** 32n, 2n ** 63n];
      const slice = format === "0.1" ? "$#last_bits" : "$#tail";
      for (const lastBits of values) {
        assertBatchError(
          decode(frame(format, ...boolSlices(format, [], 0, lastBits)), "bool", format),
          "bad-bool-tail",
          {
            slice,
            sliceIndex: format === "0.1" ? 2 : 1,
          },
        );
        // the message names the value found (spec §2.3: expected vs. actual)
        assert.throws(decode(frame(format, ...boolSlices(format, [], 0, lastBits)), "bool", format), {
          message: new RegExp(`below 64, found ${lastBits}$`),
        });
      }
    });

    describe("bad-rank-counts", () => {
      // 2500 bits: two completed 1024-bit blocks, so two counts.
      const rows = Array.from({ length: 2500 }, (_, i) => (i % 3 === 0 ? null : i % 256));
      const tamperCounts = (counts: Uint8Array): Uint8Array => {
        const slices = validSlices("Option<u8>", rows, format);
        slices[0] = counts;
        return frame(format, ...slices);
      };
      const good = new DataView(validSlices("Option<u8>", rows, format)[0].buffer);
      const [first, second] = [good.getBigUint64(0, true), good.getBigUint64(8, true)];

      it("decodeBatch() accepts the untouched counts", () => {
        assert.equal(
          decodeBatch(tamperCounts(words(first, second)), parseSchema("Option<u8>"), { format }).length,
          2500,
        );
      });

      it("decodeBatch() rejects a counts column of the wrong length (bad-rank-counts)", () => {
        for (const counts of [words(first), words(first, second, second), words()]) {
          assertBatchError(decode(tamperCounts(counts), "Option<u8>", format), "bad-rank-counts", {
            slice: "$#counts",
            sliceIndex: 0,
          });
        }
      });

      it("decodeBatch() rejects a count that is not the running popcount (bad-rank-counts)", () => {
        for (const counts of [
          words(first, second + 1n),
          words(first - 1n, second),
          words(first, second - first),
          words(first + 2n ** 32n, second),
        ]) {
          assertBatchError(decode(tamperCounts(counts), "Option<u8>", format), "bad-rank-counts", {
            slice: "$#counts",
          });
        }
        assert.throws(decode(tamperCounts(words(first + 2n ** 32n, second)), "Option<u8>", format), {
          message: new RegExp(`counts\\[0\\] should be ${first} .*found ${first + 2n ** 32n}$`),
        });
      });

      it("decodeBatch() rejects a count for a block that is not complete (bad-rank-counts)", () => {
        const slices = validSlices("Option<u8>", [1, null, 3], format);
        slices[0] = words(2);
        assertBatchError(decode(frame(format, ...slices), "Option<u8>", format), "bad-rank-counts", {
          slice: "$#counts",
        });
      });
    });

    it("decodeBatch() rejects String bounds that decrease (bad-bounds)", () => {
      assertBatchError(
        decode(frame(format, words(5, 3, 10), utf8("helloworld")), "String", format),
        "bad-bounds",
        {
          slice: "$#bounds",
          sliceIndex: 0,
        },
      );
      assertBatchError(
        decode(frame(format, words(5, 2n ** 32n + 10n, 10), utf8("helloworld")), "String", format),
        "bad-bounds",
        { slice: "$#bounds" },
      );
    });

    it("decodeBatch() rejects a last String bound other than the bytes length (bad-bounds)", () => {
      const cases: [Uint8Array, string][] = [
        [words(5, 10, 9), "helloworld"],
        [words(5, 10, 10), "helloworld!"],
        [words(5, 10, 2n ** 32n + 10n), "helloworld"],
        [words(), "x"],
      ];
      for (const [bounds, text] of cases) {
        assertBatchError(decode(frame(format, bounds, utf8(text)), "String", format), "bad-bounds", {
          slice: "$#bounds",
          sliceIndex: 0,
        });
      }
    });

    it("decodeBatch() rejects Vec bounds that decrease or miss the item count (bad-bounds)", () => {
      const cases: [Uint8Array, Uint8Array][] = [
        [words(2, 1), words(7, 8)],
        [words(1, 3), words(7, 8, 9, 10)],
        [words(1, 5), words(7, 8, 9, 10)],
        [words(), words(7)],
      ];
      for (const [bounds, items] of cases) {
        assertBatchError(decode(frame(format, bounds, items), "Vec<u64>", format), "bad-bounds", {
          slice: "$#bounds",
          sliceIndex: 0,
        });
      }
      assertBatchError(
        decode(frame(format, words(2), words(3, 1), utf8("abc")), "Vec<String>", format),
        "bad-bounds",
        {
          slice: "$[]#bounds",
          sliceIndex: 1,
        },
      );
    });

    it("decodeBatch() rejects String bytes that are not UTF-8 (invalid-utf8)", () => {
      const invalid = [
        [0xff],
        [0x80],
        [0xed, 0xa0, 0x80], // surrogate U+D800
        [0xed, 0xbf, 0xbf], // surrogate U+DFFF
        [0xc0, 0x80], // overlong NUL
        [0xc1, 0xbf],
        [0xe0, 0x80, 0x80], // overlong 3-byte
        [0xf0, 0x80, 0x80, 0x80], // overlong 4-byte
        [0xf4, 0x90, 0x80, 0x80], // past U+10FFFF
        [0xf8, 0x88, 0x80, 0x80, 0x80],
        [0xe2, 0x82], // truncated
        [0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0xe2, 0x28, 0xa1], // after a run of ASCII
      ];
      for (const bytes of invalid) {
        assertBatchError(
          decode(frame(format, words(bytes.length), Uint8Array.from(bytes)), "String", format),
          "invalid-utf8",
          {
            slice: "$#bytes",
            sliceIndex: 1,
          },
        );
      }
    });

    it("decodeBatch() rejects a bound that splits a multi-byte character (invalid-utf8)", () => {
      // "€x" is e2 82 ac 78: a bound at 1 cuts the euro sign.
      assertBatchError(decode(frame(format, words(1, 4), utf8("€x")), "String", format), "invalid-utf8", {
        slice: "$#bounds",
        sliceIndex: 0,
      });
      const rows = columnToRows(
        parseSchema("String"),
        decodeBatch(frame(format, words(3, 4, 8), utf8("€x𝄞")), parseSchema("String"), { format }).column,
      );
      assert.deepEqual(rows, ["€", "x", "𝄞"]);
    });

    it("decodeBatch() rejects tuple elements with different record counts (length-mismatch)", () => {
      const slices = validSlices("(String, i64)", PAIR_ROWS, format);
      slices[2] = words(1, 2);
      assertBatchError(decode(frame(format, ...slices), "(String, i64)", format), "length-mismatch", {
        slice: "$.1#data",
        sliceIndex: 2,
      });
      // the usual cause is a body of another schema: the message asks
      assert.throws(decode(frame(format, ...slices), "(String, i64)", format), /\(is the schema right\?\)$/);
      assertBatchError(
        decode(
          frame(format, Uint8Array.of(1, 2), Uint8Array.of(3, 4), new Uint8Array(2)),
          "{a: u8, b: u8, c: u16}",
          format,
        ),
        "length-mismatch",
        { slice: "$.c#data", sliceIndex: 2 },
      );
    });

    it("decodeBatch() rejects an Option payload count other than the popcount (length-mismatch)", () => {
      // bits 1,0,1: two Somes, but three payload values.
      const body = frame(format, words(), ...boolSlices(format, [], 0b101, 3), Uint8Array.of(1, 2, 3));
      assertBatchError(decode(body, "Option<u8>", format), "length-mismatch", {
        slice: "$.Some#data",
        sliceIndex: payloadIndex(format),
      });
    });

    it("decodeBatch() rejects Result ok or err counts that disagree with the bits (length-mismatch)", () => {
      // bits 0,1,1: two Oks and one Err.
      const bits = [words(), ...boolSlices(format, [], 0b110, 3)];
      assert.equal(
        decodeBatch(
          frame(format, ...bits, Uint8Array.of(7, 9), Uint8Array.of(1)),
          parseSchema("Result<u8, u8>"),
          {
            format,
          },
        ).length,
        3,
      );
      assertBatchError(
        decode(frame(format, ...bits, Uint8Array.of(7, 9, 9), Uint8Array.of(1)), "Result<u8, u8>", format),
        "length-mismatch",
        {
          slice: "$.Ok#data",
          sliceIndex: payloadIndex(format),
        },
      );
      assertBatchError(
        decode(frame(format, ...bits, Uint8Array.of(7, 9), Uint8Array.of(1, 2)), "Result<u8, u8>", format),
        "length-mismatch",
        {
          slice: "$.Err#data",
          sliceIndex: payloadIndex(format) + 1,
        },
      );
    });

    it("decodeBatch() checks a Result's children before its counts (spec §6: cross-checks after children)", () => {
      // bits 1: one Ok, but no Ok payload; the Err strings hold an invalid byte, found first
      const bits = [words(), ...boolSlices(format, [], 0b1, 1)];
      assertBatchError(
        decode(
          frame(format, ...bits, new Uint8Array(0), words(1), Uint8Array.of(0xff)),
          "Result<u8, String>",
          format,
        ),
        "invalid-utf8",
        { slice: "$.Err#bytes", sliceIndex: payloadIndex(format) + 2 },
      );
    });

    it("decodeBatch() reports the first failure in slice order", () => {
      // Slice 0 has decreasing bounds and slice 2 a bad size: the bounds are reported.
      assertBatchError(
        decode(frame(format, words(2, 1), utf8("ab"), new Uint8Array(3)), "(String, u16)", format),
        "bad-bounds",
        { sliceIndex: 0 },
      );
    });
  });

  describe(`decodeBatch() accepts and ignores padding and unused bits (${format})`, () => {
    const assertSameBatch = (tampered: Uint8Array, schemaText: string, rows: unknown[]): void => {
      const schema = parseSchema(schemaText);
      const canonical = encodeBatch(rowsToColumn(schema, rows), { format });
      const view = decodeBatch(tampered, schema, { format });
      assert.deepEqual(columnToRows(schema, view.column), rows);
      assert.deepEqual(encodeBatch(view.column, { format }), canonical);
    };

    it("decodeBatch() ignores unused bits of last_word", () => {
      const rows = [true, false, true, true];
      const body = frame(format, ...boolSlices(format, [], 0xffff_ffff_ffff_fffdn, 4));
      assertSameBatch(body, "bool", rows);
    });

    it("decodeBatch() masks last_word before the Option popcount", () => {
      const rows = [1, null, 3];
      const body = frame(
        format,
        words(),
        ...boolSlices(format, [], 0xf0f0_0000_0000_00f5n, 3),
        Uint8Array.of(1, 3),
      );
      assertSameBatch(body, "Option<u8>", rows);
    });

    it("decodeBatch() ignores non-zero padding after String bytes", () => {
      const body = pairBody(format);
      const padding = format === "0.1" ? [50, 56] : [66, 72];
      body.fill(0xaa, padding[0], padding[1]);
      assertSameBatch(body, "(String, i64)", PAIR_ROWS);
    });

    if (format === "0.1") {
      it("decodeBatch() ignores non-zero padding after last_bits", () => {
        const body = encodeBatch(rowsToColumn(parseSchema("bool"), [true, false, true, true]), { format });
        body.fill(0xff, 33, 40);
        assertSameBatch(body, "bool", [true, false, true, true]);
      });
    }
  });
}

describe("decodeBatch() allocation", () => {
  it("decodeBatch() does not allocate for a length word claiming 2^40 bytes", () => {
    const before = process.memoryUsage().arrayBuffers;
    for (const format of FORMATS) {
      const body = setWord(pairBody(format), format === "0.1" ? 0 : 8, 2n ** 40n);
      assertBatchError(() => decodeBatch(body, PAIR, { format }), "slice-out-of-range", { sliceIndex: 0 });
    }
    // A claimed length of 2^30 would be allocatable; the decoder must still not touch it.
    const body = setWord(pairBody("0.1"), 0, 2 ** 30);
    assertBatchError(() => decodeBatch(body, PAIR), "slice-out-of-range");
    assert.ok(process.memoryUsage().arrayBuffers - before < 2 ** 20);
  });
});
