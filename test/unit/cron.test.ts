/** Cron scheduling rules (RQ 2.12's `CronJob` / `CronScheduler`), with no Redis: the clock is injected. */
import { describe, expect, it } from 'vitest';
import { CronJob, CronScheduler, InvalidArgumentError, py } from '../../src/index.js';
import { NOT_JSON_SERIALIZABLE, safeJsonDumps, validateCronJob } from '../../src/cron.js';

const at = (iso: string): Date => new Date(iso);
const quiet = { info: () => {}, warn: () => {}, error: () => {} };

describe('CronJob', () => {
  it('an interval job is due at once, then interval seconds after each enqueue', () => {
    const job = new CronJob(validateCronJob('mylib.add', { queueName: 'q', interval: '5m' }), at('2026-01-01T12:00:00Z'));
    expect([job.interval, job.nextEnqueueTime]).toEqual([300, null]);
    expect(job.shouldRun(at('2026-01-01T12:00:00Z'))).toBe(true);
    job.setEnqueueTime(at('2026-01-01T12:00:00.250Z'));
    expect(job.nextEnqueueTime).toEqual(at('2026-01-01T12:05:00.250Z'));
    expect(job.shouldRun(at('2026-01-01T12:05:00.249Z'))).toBe(false);
    expect(job.shouldRun(at('2026-01-01T12:05:00.250Z'))).toBe(true);
  });

  it('a cron job first runs at the first match after registration, and missed times collapse into one run', () => {
    const job = new CronJob(validateCronJob('mylib.add', { queueName: 'q', cron: '*/15 * * * *' }), at('2026-01-01T12:00:00Z'));
    expect(job.shouldRun(at('2026-01-01T12:00:00Z'))).toBe(false);
    expect(job.nextEnqueueTime).toEqual(at('2026-01-01T12:15:00Z'));
    // The scheduler was away for an hour: one enqueue, and the next time comes after it.
    expect(job.shouldRun(at('2026-01-01T13:07:00Z'))).toBe(true);
    job.setEnqueueTime(at('2026-01-01T13:07:00Z'));
    expect(job.nextEnqueueTime).toEqual(at('2026-01-01T13:15:00Z'));
  });

  it("writes RQ's to_dict: its keys in its order, JSON as Python's json.dumps writes it", () => {
    const job = new CronJob(
      validateCronJob({ funcName: 'mylib.echo' }, { queueName: 'q', cron: '@daily', args: [py.tuple(1, py.float(2)), 'é', NaN], kwargs: { b: Buffer.from('x') }, failureTtl: '1h', meta: { a: 1 } }),
      at('2026-01-01T12:00:00Z'),
    );
    expect(job.toDict()).toEqual({
      func_name: 'mylib.echo', name: 'mylib.echo', queue_name: 'q', args: '[[1, 2.0], "\\u00e9", NaN]', kwargs: NOT_JSON_SERIALIZABLE,
      interval: null, cron: '@daily', latest_enqueue_time: null, next_enqueue_time: '2026-01-02T00:00:00.000000Z',
      result_ttl: 500, failure_ttl: 3600, meta: '{"a": 1}',
    });
    expect(Object.keys(job.toDict())).toEqual(['func_name', 'name', 'queue_name', 'args', 'kwargs', 'interval', 'cron', 'latest_enqueue_time', 'next_enqueue_time', 'result_ttl', 'failure_ttl', 'meta']);
    expect(safeJsonDumps({ x: [1.5, 1e-7, 2 ** 60, true, null] })).toBe('{"x": [1.5, 1e-07, 1.152921504606847e+18, true, null]}');
  });
});

describe('CronScheduler without Redis', () => {
  it('sleeps until the next job is due, at most 60 s, not at all when one is overdue', () => {
    let now = at('2026-01-01T12:00:30Z');
    const scheduler = new CronScheduler({ connection: 'redis://127.0.0.1:1/0', logger: quiet, now: () => now });
    expect(scheduler.calculateSleepInterval()).toBe(60); // nothing registered
    scheduler.register('mylib.add', { queueName: 'q', cron: '* * * * *' });
    expect(scheduler.calculateSleepInterval()).toBe(30);
    scheduler.register('mylib.add', { queueName: 'q', cron: '0 * * * *' });
    expect(scheduler.calculateSleepInterval()).toBe(30);
    now = at('2026-01-01T12:01:05Z');
    expect(scheduler.calculateSleepInterval()).toBe(0);
    expect(scheduler.name).toMatch(/^[^:]+:\d+:[0-9a-f]{6}$/);
    expect(Object.keys(scheduler.toDict())).toEqual(['hostname', 'pid', 'name', 'created_at', 'config_file', 'cron_jobs']);
  });

  it('refuses arguments the serializer cannot carry at registration', () => {
    const scheduler = new CronScheduler({ connection: 'redis://127.0.0.1:1/0', logger: quiet, serializer: 'json' });
    expect(() => scheduler.register('mylib.add', { queueName: 'q', interval: 5, args: [new Date()] })).toThrow(InvalidArgumentError);
    expect(scheduler.jobs).toHaveLength(0);
  });
});
