/**
 * Retries configured at enqueue (protocol §6.5): RQ's `Retry(max, interval)`, stored as `retries_left`,
 * `retry_intervals` and (RQ 2.8+) `enqueue_at_front_on_retry`.
 */
import { InvalidArgumentError } from './errors.js';
import { parseDuration, type Duration } from './validate.js';

export interface RetryOptions {
  /** How many times a failed job is tried again (≥ 1). */
  max: number;
  /**
   * Seconds to wait before each retry: one value for all, or one per attempt (RQ reuses the first ones when
   * there are more retries than intervals). A non-zero interval needs a worker started with
   * `--with-scheduler`.
   * @defaultValue 0 (re-enqueue at once)
   */
  interval?: Duration | readonly Duration[];
  /** Put a retried job at the head of its queue. Honoured by RQ 2.8+ workers; older ones ignore it. */
  enqueueAtFront?: boolean;
}

/**
 * Retry policy of a job. @see RQ `rq.Retry`
 * @example
 * ```ts
 * await queue.enqueueCall('mylib.flaky', { args: ['k'], retry: new Retry({ max: 3, interval: [10, 30, 60] }) });
 * ```
 */
export class Retry {
  readonly max: number;
  readonly intervals: readonly number[];
  readonly enqueueAtFront: boolean;

  /** @throws InvalidArgumentError for a max below 1 or a negative or malformed interval. */
  constructor(options: RetryOptions) {
    if (!options || typeof options !== 'object') throw new InvalidArgumentError('retry', options, 'expected { max, interval? }');
    const { max, interval = 0, enqueueAtFront = false } = options;
    if (!Number.isInteger(max) || max < 1) throw new InvalidArgumentError('retry.max', max, 'expected an integer >= 1');
    const list = Array.isArray(interval) ? interval : [interval as Duration];
    if (list.length === 0) throw new InvalidArgumentError('retry.interval', interval, 'expected at least one interval');
    this.intervals = list.map((v, i) => {
      // RQ keeps a fractional interval as a float, which no reader of retry_intervals here expects.
      if (typeof v === 'number' && !Number.isInteger(v)) throw new InvalidArgumentError(`retry.interval[${i}]`, v, 'expected whole seconds');
      const s = parseDuration(`retry.interval[${i}]`, v);
      if (s < 0) throw new InvalidArgumentError(`retry.interval[${i}]`, v, 'expected seconds >= 0');
      return s;
    });
    if (typeof enqueueAtFront !== 'boolean') throw new InvalidArgumentError('retry.enqueueAtFront', enqueueAtFront, 'expected a boolean');
    this.max = max;
    this.enqueueAtFront = enqueueAtFront;
  }
}
