/**
 * Progress of a long CLI operation (`requeue --all`, `empty`, `enqueue-many`), on stderr so stdout stays
 * the command's result: a cli-progress bar with rate and ETA when stderr is a terminal, else a plain line
 * every few seconds ($RQTS_PROGRESS_INTERVAL, default 5; 0 = on every step) and one when done (a run
 * shorter than one period prints none).
 */
import cliProgress from 'cli-progress';

/** The stream progress is drawn on: `process.stderr`, or a test's stand-in. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressOptions {
  /** What is being done, e.g. `requeue default`. */
  label: string;
  /** Jobs expected, or null when unknown (streamed input). */
  total: number | null;
  stream: ProgressStream | undefined;
  /** Seconds between plain lines when the stream is not a terminal. @defaultValue 5 */
  intervalSeconds?: number;
}

export interface Progress {
  /**
   * `done` jobs so far. With `fraction` (0..1) the bar and ETA follow it instead of `done / total`:
   * `enqueue-many` knows how much of its file it has read, not how many lines are left.
   */
  update(done: number, fraction?: number): void;
  /** Draw the final state and release the terminal. */
  stop(): void;
}

const NOOP: Progress = { update() {}, stop() {} };

/** A progress display on `stream` (nothing when there is no stream). */
export function startProgress({ label, total, stream, intervalSeconds = 5 }: ProgressOptions): Progress {
  if (!stream) return NOOP;
  return stream.isTTY ? barProgress(label, total, stream) : lineProgress(label, total, stream, intervalSeconds);
}

/** Jobs per second since `startedAt`. */
const rateOf = (done: number, startedAt: number): number => done / Math.max((performance.now() - startedAt) / 1000, 1e-3);
const count = (n: number): string => Math.round(n).toLocaleString('en-US');

function seconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** The seconds left at the current rate, from the fraction done. */
function etaOf(fraction: number, startedAt: number): number {
  const elapsed = (performance.now() - startedAt) / 1000;
  return fraction <= 0 ? Infinity : (elapsed * (1 - fraction)) / fraction;
}

function barProgress(label: string, total: number | null, stream: ProgressStream): Progress {
  const startedAt = performance.now();
  // The bar runs on a 0..1000 scale so a fraction (bytes read) and a count drive it the same way; the
  // rate and ETA are ours, from the jobs done and the fraction.
  const bar = new cliProgress.SingleBar(
    {
      stream: stream as NodeJS.WritableStream,
      format: `${label} {bar} {percentage}% | {jobs} jobs | {rate} jobs/s | ETA {eta}`,
      // A hidden cursor would stay hidden after Ctrl-C.
      hideCursor: false,
      clearOnComplete: false,
      fps: 5,
    },
    cliProgress.Presets.shades_classic,
  );
  const scale = 1000;
  const payload = (done: number, fraction: number) => ({
    jobs: total === null ? count(done) : `${count(done)}/${count(total)}`,
    rate: count(rateOf(done, startedAt)),
    eta: seconds(etaOf(fraction, startedAt)),
  });
  bar.start(scale, 0, payload(0, 0));
  let last = { done: 0, fraction: 0 };
  return {
    update(done, fraction) {
      const f = Math.min(1, fraction ?? (total ? done / total : 0));
      last = { done, fraction: f };
      bar.update(Math.round(f * scale), payload(done, f));
    },
    stop() {
      bar.update(Math.round(last.fraction * scale), payload(last.done, last.fraction));
      bar.stop();
    },
  };
}

function lineProgress(label: string, total: number | null, stream: ProgressStream, intervalSeconds: number): Progress {
  const startedAt = performance.now();
  let lastLineAt = startedAt;
  let printed = false;
  let last = { done: 0, fraction: 0 };
  const line = (final: boolean): void => {
    const { done, fraction } = last;
    const parts = [total === null ? `${count(done)} jobs` : `${count(done)}/${count(total)} jobs (${Math.floor(fraction * 100)}%)`, `${count(rateOf(done, startedAt))} jobs/s`];
    parts.push(final ? `done in ${seconds((performance.now() - startedAt) / 1000)}` : `ETA ${seconds(etaOf(fraction, startedAt))}`);
    stream.write(`${label}: ${parts.join(', ')}\n`);
  };
  return {
    update(done, fraction) {
      last = { done, fraction: Math.min(1, fraction ?? (total ? done / total : 0)) };
      const now = performance.now();
      if (now - lastLineAt >= intervalSeconds * 1000) {
        lastLineAt = now;
        printed = true;
        line(false);
      }
    },
    stop() {
      // A run shorter than one period stays quiet: its summary on stdout says it all.
      if (printed) line(true);
    },
  };
}

/** `$RQTS_PROGRESS_INTERVAL` as seconds (plain lines' period), or the default. */
export function progressInterval(env: NodeJS.ProcessEnv): number | undefined {
  const raw = env.RQTS_PROGRESS_INTERVAL;
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}
