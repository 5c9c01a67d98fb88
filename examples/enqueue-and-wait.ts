/**
 * Enqueue calls to Python functions, wait for a Python `rq worker` to run them, and use the results.
 *
 *   npx tsx examples/enqueue-and-wait.ts      (Redis at REDIS_URL and `rq worker default`: examples/README.md)
 *
 * `mylib` is test/python/mylib.py: `add(x, y)` returns `x + y`, `echo(*args, **kwargs)` returns
 * `[args, kwargs]`, `fail()` raises ValueError.
 */
import assert from 'node:assert/strict';
// #region enqueue
import { JobFailedError, Queue, Retry } from '../src/index.js';

// `await using` closes the queue's connection when the scope ends (or call `await queue.close()`).
await using queue = new Queue('default', { connection: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0' });

const job = await queue.enqueue<number>('mylib.add', 1, 2); // a Job<number>, already in Redis
console.log(`enqueued ${job.description} as ${job.id}`);     // enqueued mylib.add(1, 2) as 5c1f…
const sum = await job.wait({ timeout: 30_000 });            // 3, as soon as a worker has run it (ms)
console.log(`mylib.add(1, 2) = ${sum}`);
// #endregion enqueue
assert.equal(sum, 3);
assert.equal(await job.status, 'finished');

// #region options
// Keyword arguments and RQ's enqueue options go in one options object (RQ's enqueue_call).
const report = await queue.enqueueCall('mylib.echo', {
  args: ['monthly'],
  kwargs: { month: '2026-01' },
  jobId: `report-${Date.now()}`, // letters, digits, _ and - only
  jobTimeout: '5m',              // seconds, or '30s' / '5m' / '1h' / '2d'
  resultTtl: 3600,
  meta: { requestedBy: 'alice' },
  retry: new Retry({ max: 3 }),
});
console.log(await report.wait({ timeout: 30_000 })); // [ [ 'monthly' ], { month: '2026-01' } ]
console.log(await report.meta);                      // { requestedBy: 'alice' }
// #endregion options
assert.deepEqual(await report.result, [['monthly'], { month: '2026-01' }]);
assert.deepEqual(await report.meta, { requestedBy: 'alice' });
assert.equal(report.timeout, 300);

// #region failure
const failing = await queue.enqueue('mylib.fail');
try {
  await failing.wait({ timeout: 30_000 });
} catch (error) {
  if (!(error instanceof JobFailedError)) throw error;
  console.log(`mylib.fail() raised ${error.excType}`); // mylib.fail() raised ValueError
  console.log(error.message);                          // Job … failed: ValueError: intentional failure …
}
// #endregion failure
assert.equal(await failing.status, 'failed');
assert.match(String(await failing.excInfo), /intentional failure from mylib\.fail/);
