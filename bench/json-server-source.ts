// The JSON baseline served over HTTP the way colwasm is (issue #8 §7): one module source, run as a
// Worker on workerd (Miniflare) and under Deno.serve, so both runtimes serve the same JS.
// `POST /` with `[{text, diff}]` answers the chain of 4 (split_words, lowercase, filter_nonempty,
// len_plus_diff) as JSON; `GET /healthz` answers `ok`. Kept as text: workerd loads it as is.

/** The handler module (ES module with a default `fetch`). */
export const JSON_WORKER_SOURCE = `
const WHITESPACE = /[ \\t\\n\\v\\f\\r]+/;
function utf8Length(text) {
  let n = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) n += c < 0x800 || (c >= 0xd800 && c <= 0xdfff) ? 1 : 2;
  }
  return n;
}
export default {
  async fetch(request) {
    if (request.method === "GET") return new Response("ok", { headers: { "content-type": "text/plain" } });
    const rows = JSON.parse(await request.text());
    const out = [];
    for (const row of rows) {
      for (const piece of row.text.split(WHITESPACE)) {
        if (piece === "") continue;
        const word = piece.toLowerCase();
        out.push({ text: word, diff: row.diff + utf8Length(word) });
      }
    }
    return new Response(JSON.stringify(out), { headers: { "content-type": "application/json" } });
  },
};
`;

/** A Deno entry serving the module on a free loopback port; prints `listening on URL`. */
export function denoJsonServerSource(moduleUrl: string): string {
  return `import handler from ${JSON.stringify(moduleUrl)};
Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: ({ hostname, port }) => console.log("listening on http://" + hostname + ":" + port) }, (request) => handler.fetch(request));
`;
}
