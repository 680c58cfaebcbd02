// Accept negotiation (src/http/negotiate.ts, RFC 9110 §12.5.1): q-values, wildcards, specificity,
// the default when Accept is absent or names nothing offered, and undefined (406) when it excludes all.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { negotiate, negotiateMediaType, parseAccept } from "../../src/http/negotiate.ts";
import { HttpProblem } from "../../src/http/http-problem.ts";

const COLUMNAR = "application/x-columnar";
const NDJSON = "application/x-ndjson";
/** The run route's offers: columnar by default. */
const RUN = [COLUMNAR, NDJSON] as const;
/** The state route's offers: NDJSON by default. */
const STATE = [NDJSON, COLUMNAR] as const;

describe("negotiate", () => {
  test("answers the first offer when Accept is absent, empty or has no well-formed range", () => {
    for (const accept of [undefined, null, "", " , ", "garbage", "text/html;q=2", "*/html"]) {
      assert.equal(negotiate(accept, RUN), COLUMNAR, String(accept));
      assert.equal(negotiate(accept, STATE), NDJSON, String(accept));
    }
  });

  test("a range with q=0 excludes its type: the other offer is answered", () => {
    assert.equal(negotiate(`${COLUMNAR};q=0`, RUN), NDJSON);
    assert.equal(negotiate(`${NDJSON};q=0`, STATE), COLUMNAR);
    assert.equal(negotiate(`${COLUMNAR};q=0, ${NDJSON}`, RUN), NDJSON);
    assert.equal(negotiate(`${COLUMNAR} ; Q=0.000`, RUN), NDJSON);
  });

  test("*/* matches every offer, with its q", () => {
    assert.equal(negotiate(`*/*;q=0.1, ${NDJSON};q=0.05`, RUN), COLUMNAR);
    assert.equal(negotiate(`${NDJSON};q=0.5, */*;q=0.9`, RUN), COLUMNAR);
    assert.equal(negotiate(`${COLUMNAR};q=0.5, */*;q=0.9`, STATE), NDJSON);
    assert.equal(negotiate("*/*", RUN), COLUMNAR);
    assert.equal(negotiate("*/*", STATE), NDJSON);
  });

  test("type/* matches offers of that type", () => {
    assert.equal(negotiate(`application/*;q=0.2, ${COLUMNAR};q=0.1`, RUN), NDJSON);
    assert.equal(negotiate("text/*", RUN), COLUMNAR); // matches nothing: the default
    assert.equal(negotiate(`application/*, ${COLUMNAR};q=0`, RUN), NDJSON);
  });

  test("the most specific range decides an offer's q, whatever the order", () => {
    assert.equal(negotiate(`${NDJSON};q=0, */*`, RUN), COLUMNAR);
    assert.equal(negotiate(`*/*, ${COLUMNAR};q=0`, RUN), NDJSON);
    assert.equal(negotiate(`*/*;q=0, ${NDJSON}`, RUN), NDJSON);
    assert.equal(negotiate(`application/*;q=0, ${COLUMNAR};q=0.3`, STATE), COLUMNAR);
  });

  test("ties go to the more specific range, then the range listed first, then the first offer", () => {
    assert.equal(negotiate(`${NDJSON}, */*`, RUN), NDJSON);
    assert.equal(negotiate(`*/*, ${NDJSON}`, RUN), NDJSON);
    assert.equal(negotiate(`${NDJSON}, ${COLUMNAR}`, RUN), NDJSON);
    assert.equal(negotiate(`${COLUMNAR}, ${NDJSON}`, STATE), COLUMNAR);
    assert.equal(negotiate("application/*", STATE), NDJSON);
  });

  test("types are case-insensitive; parameters other than q and quoted commas do not matter", () => {
    assert.equal(negotiate("Application/X-NDJSON", RUN), NDJSON);
    assert.equal(negotiate(`${NDJSON};charset=utf-8`, RUN), NDJSON);
    assert.equal(negotiate(`${NDJSON};note="a,b;q=0";q=0.7, ${COLUMNAR};q=0.6`, RUN), NDJSON);
    assert.equal(negotiate(`${NDJSON};q=0.7;ext=1, ${COLUMNAR};q=0.6`, RUN), NDJSON);
  });

  test("malformed ranges are skipped, not fatal", () => {
    assert.equal(negotiate(`${COLUMNAR};q=1.5, ${NDJSON};q=0.4`, RUN), NDJSON);
    assert.equal(negotiate(`nonsense, ${NDJSON}`, RUN), NDJSON);
    assert.deepEqual(parseAccept(`a/b;q=0.5, c, */x, ${NDJSON};q`), [{ type: "a", subtype: "b", q: 0.5 }]);
  });

  test("Accept naming only other types gets the default (a browser's text/html)", () => {
    assert.equal(negotiate("text/html,application/xhtml+xml,application/xml;q=0.9", RUN), COLUMNAR);
    assert.equal(negotiate("application/json", STATE), NDJSON);
    // the default is excluded, the other offer merely unmentioned: the other offer
    assert.equal(negotiate(`text/html, ${COLUMNAR};q=0`, RUN), NDJSON);
  });

  test("is undefined only when every offer is excluded; negotiateMediaType then throws 406", () => {
    for (const accept of [
      "*/*;q=0",
      "application/*;q=0",
      `${COLUMNAR};q=0, ${NDJSON};q=0`,
      `text/html, */*;q=0`,
    ]) {
      assert.equal(negotiate(accept, RUN), undefined, accept);
      assert.throws(
        () => negotiateMediaType(accept, RUN),
        (e) => e instanceof HttpProblem && e.type === "not-acceptable",
      );
    }
    assert.equal(negotiateMediaType(`${COLUMNAR};q=0`, RUN), NDJSON);
  });
});
