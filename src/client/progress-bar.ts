// The `run` progress line on a terminal (spec/cli.md: rows, MB/s; ETA when the input size is
// known), drawn by cli-progress on stderr. Silent when stderr is no terminal, when stdout is one
// (the commands decide: rows printed there would land inside the bar), or with `--quiet`.
import cliProgress from "cli-progress";

/** What `update` reports. */
export interface Progress {
  readonly rows: number;
  readonly bytesRead: number;
}

/** A progress display; the silent one does nothing. */
export interface ProgressBar {
  update(progress: Progress): void;
  stop(): void;
}

const SILENT: ProgressBar = { update() {}, stop() {} };

/** Ends the process as `signal` would have without our listener (the default action). */
function raise(signal: NodeJS.Signals): void {
  process.kill(process.pid, signal);
}

/**
 * A bar over `totalBytes` when known, else a running counter; SILENT unless `isShown`.
 *
 * While it is drawn the terminal's cursor is hidden and its line wrapping off, so a Ctrl-C (or
 * SIGTERM) first stops the bar, which restores both and ends its line, then `onSignal` runs: by
 * default the signal is raised again, so the process ends as it would have.
 */
export function progressBar(options: {
  readonly isShown: boolean;
  readonly stream: NodeJS.WritableStream;
  readonly totalBytes: number | undefined;
  readonly onSignal?: (signal: NodeJS.Signals) => void;
}): ProgressBar {
  if (!options.isShown) return SILENT;
  const total = options.totalBytes;
  const isSized = total !== undefined && total > 0;
  const bar = new cliProgress.SingleBar(
    {
      format: isSized
        ? "{bar} {percentage}% | {rows} rows | {mbps} MB/s | ETA {eta_formatted}"
        : "{rows} rows | {mb} MB | {mbps} MB/s",
      stream: options.stream,
      hideCursor: true,
      etaBuffer: 20,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  const startedMs = performance.now();
  const payload = (p: Progress) => {
    const seconds = Math.max((performance.now() - startedMs) / 1000, 1e-3);
    return {
      rows: p.rows.toLocaleString("en-US"),
      mb: (p.bytesRead / 1e6).toFixed(1),
      mbps: (p.bytesRead / 1e6 / seconds).toFixed(1),
    };
  };
  const onSignal = options.onSignal ?? raise;
  const interrupted = (signal: NodeJS.Signals): void => {
    stop();
    onSignal(signal);
  };
  const stop = (): void => {
    process.off("SIGINT", interrupted);
    process.off("SIGTERM", interrupted);
    bar.stop();
  };
  process.once("SIGINT", interrupted);
  process.once("SIGTERM", interrupted);
  bar.start(isSized ? total : 1, 0, payload({ rows: 0, bytesRead: 0 }));
  return {
    update(p) {
      bar.update(isSized ? Math.min(p.bytesRead, total) : 0, payload(p));
    },
    stop,
  };
}
