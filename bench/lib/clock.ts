/**
 * Wall-clock time with sub-millisecond resolution, comparable with Redis stream ids (ms since the epoch on
 * the server's clock — the same machine) and with Python's `time.time()`.
 *
 * `Date.now()` has 1 ms steps; `performance.now()` is fine-grained but monotonic. Calibrating the offset
 * between the two right before a latency run gives both: Date.now() = floor(perf.now() + offset), so the
 * largest `Date.now() - performance.now()` seen over a few ms converges on the offset from below.
 */
let offset = performance.timeOrigin;

export function calibrateWallClock(sampleMs = 20): void {
  let best = -Infinity;
  const end = performance.now() + sampleMs;
  while (performance.now() < end) {
    const t = performance.now();
    const d = Date.now();
    best = Math.max(best, d - t);
  }
  offset = best;
}

/** Milliseconds since the epoch, fractional. */
export function wallMs(): number {
  return performance.now() + offset;
}

/** `1732538400123-0` → 1732538400123 */
export function streamIdMs(id: string): number {
  return Number(id.split('-')[0]);
}

/** RQ's `2026-11-25T10:59:09.123456Z` → ms since the epoch, fractional (keeps the microseconds). */
export function rqDatetimeMs(text: string | null | undefined): number {
  const m = /^(.*T\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?Z$/.exec(text ?? '');
  if (!m) return Number.NaN;
  const micros = Number((m[2] ?? '').padEnd(6, '0'));
  return Date.parse(`${m[1]}Z`) + micros / 1000;
}
