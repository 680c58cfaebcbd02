// progressBar(): the `run`/`exec` bar hides the terminal's cursor and turns its line wrapping off
// while drawn; a Ctrl-C (SIGINT) or SIGTERM must give both back before the process ends, or the
// user's shell is left without a cursor (found by interrupting `colwasm run` under `script`).
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { describe, test } from "node:test";
import { progressBar } from "../../src/client/progress-bar.ts";
import { runCli } from "../../src/client/run-cli.ts";

/** A writable that says it is a terminal, keeping what is written. */
function fakeTerminal(): { stream: NodeJS.WritableStream; text: () => string } {
  let text = "";
  const stream = Object.assign(
    new Writable({
      write(chunk: Buffer | string, _encoding, done) {
        text += chunk.toString();
        done();
      },
    }),
    { isTTY: true, columns: 100, cursorTo: () => true, clearLine: () => true, moveCursor: () => true },
  );
  return { stream, text: () => text };
}

const SHOW_CURSOR = "\x1b[?25h";
const WRAP_ON = "\x1b[?7h";

describe("progressBar()", () => {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    test(`progressBar() gives the cursor and line wrapping back on ${signal}, then passes the signal on`, () => {
      const terminal = fakeTerminal();
      const received: NodeJS.Signals[] = [];
      const before = process.listenerCount(signal);
      const bar = progressBar({
        isShown: true,
        stream: terminal.stream,
        totalBytes: 1000,
        onSignal: (s) => received.push(s),
      });
      bar.update({ rows: 10, bytesRead: 100 });
      assert.ok(terminal.text().includes("\x1b[?25l"), "the bar hides the cursor");
      process.emit(signal, signal);
      assert.deepEqual(received, [signal]);
      assert.ok(terminal.text().includes(SHOW_CURSOR), JSON.stringify(terminal.text()));
      assert.ok(terminal.text().includes(WRAP_ON), JSON.stringify(terminal.text()));
      assert.equal(process.listenerCount(signal), before, "no listener left behind");
      bar.stop(); // a second stop is harmless
    });
  }

  test("progressBar() stops listening for signals once stopped", () => {
    const terminal = fakeTerminal();
    const before = [process.listenerCount("SIGINT"), process.listenerCount("SIGTERM")];
    const bar = progressBar({ isShown: true, stream: terminal.stream, totalBytes: undefined });
    bar.stop();
    assert.deepEqual([process.listenerCount("SIGINT"), process.listenerCount("SIGTERM")], before);
    assert.ok(terminal.text().includes(SHOW_CURSOR));
  });

  test("progressBar() draws nothing and listens for nothing when not shown", () => {
    const terminal = fakeTerminal();
    const before = process.listenerCount("SIGINT");
    const bar = progressBar({ isShown: false, stream: terminal.stream, totalBytes: 10 });
    assert.equal(process.listenerCount("SIGINT"), before);
    bar.update({ rows: 1, bytesRead: 1 });
    bar.stop();
    assert.equal(terminal.text(), "");
  });
});

describe("colwasm exec's progress bar", () => {
  /** `colwasm exec` in process on two rows, stdout a terminal or not; answers what each stream got. */
  async function execWith(isStdoutTTY: boolean): Promise<{ stdout: string; stderr: string }> {
    const stderr = fakeTerminal();
    // what the command writes; whether it is a terminal is what io.isStdoutTTY says
    const stdout = fakeTerminal();
    const rows = new TextEncoder().encode('["Hello World",1]\n["the THE",-2]\n');
    const status = await runCli(["exec", "--chain", "split_words,lowercase", "--schema", "(String, i64)"], {
      stdin: (async function* () {
        yield rows;
      })(),
      stdout: stdout.stream,
      stderr: stderr.stream,
      env: {},
      stdinByteLength: rows.byteLength,
      isStderrTTY: true,
      isStdoutTTY,
    });
    assert.equal(status, 0, stderr.text());
    return { stdout: stdout.text(), stderr: stderr.text() };
  }

  test("draws no bar when the rows print on the terminal too, so none lands inside it", async () => {
    const { stdout, stderr } = await execWith(true);
    assert.equal(stdout, '["hello",1]\n["world",1]\n["the",-2]\n["the",-2]\n');
    assert.equal(stderr, "");
  });

  test("draws the bar on the terminal while the rows go to a file or a pipe", async () => {
    const { stdout, stderr } = await execWith(false);
    assert.equal(stdout, '["hello",1]\n["world",1]\n["the",-2]\n["the",-2]\n');
    assert.match(stderr, /rows/);
  });
});
