/**
 * Repeating a job after it succeeds (RQ 2.2+): RQ's `Repeat(times, interval)`, stored as `repeats_left` and
 * `repeat_intervals`. An RQ 2.x worker re-enqueues (or, after a non-zero interval, schedules) the job after
 * each success until no repeats are left; RQ 1.x workers ignore both fields and run the job once.
 */
import { InvalidArgumentError } from './errors.js';
import { parseDuration, type Duration } from './validate.js';

export interface RepeatOptions {
  /** How many more times the job runs after its first success (≥ 1). */
  times: number;
  /**
   * Seconds before each repeat: one value for all, or one per repeat (RQ reuses the last when there are
   * more repeats than intervals). A non-zero interval needs a worker started with `--with-scheduler`.
   * @defaultValue 0 (re-enqueue at once)
   */
  interval?: Duration | readonly Duration[];
}

/**
 * Repeat policy of a job. @see RQ `rq.Repeat`
 * @example
 * ```ts
 * await queue.enqueueCall('reports.refresh', { repeat: new Repeat({ times: 3, interval: '1h' }) });
 * ```
 */
export class Repeat {
  readonly times: number;
  readonly intervals: readonly number[];

  /** @throws InvalidArgumentError for `times` below 1, or a negative or malformed interval. */
  constructor(options: RepeatOptions) {
    if (!options || typeof options !== 'object') throw new InvalidArgumentError('repeat', options, 'expected { times, interval? }');
    const { times, interval = 0 } = options;
    if (!Number.isInteger(times) || times < 1) throw new InvalidArgumentError('repeat.times', times, 'expected an integer >= 1');
    const list = Array.isArray(interval) ? interval : [interval as Duration];
    if (list.length === 0) throw new InvalidArgumentError('repeat.interval', interval, 'expected at least one interval');
    this.intervals = list.map((v, i) => {
      const option = Array.isArray(interval) ? `repeat.interval[${i}]` : 'repeat.interval';
      const s = parseDuration(option, v);
      if (s < 0) throw new InvalidArgumentError(option, v, 'expected seconds >= 0');
      return s;
    });
    this.times = times;
  }
}
