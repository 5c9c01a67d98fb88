/**
 * Futures: a job held until a release step starts, all at once, the jobs it waits for (`deferred: true`,
 * `blockedBy`, `release()`). Plain Python `rq worker`s run everything; nothing rqts writes is new to them.
 *
 *   npx tsx examples/deferred-jobs.ts      (Redis at REDIS_URL and `rq worker default`: examples/README.md)
 *
 * "The report after all of today's imports", where the imports are discovered one by one: each import is
 * held for the report, and none starts before the release.
 */
import assert from 'node:assert/strict';
import { Queue } from '../src/index.js';

await using queue = new Queue('default', { connection: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0' });
const wait = { timeout: 30_000 };

// #region future
// The future: deferred, in the deferred registry, never pushed until released.
const report = await queue.enqueueCall('mylib.echo', { args: ['daily report'], deferred: true });
// Jobs held for it, as they are discovered (a Job or an id; any queue). They run before the report.
const imports = [];
for (const file of ['a.csv', 'b.csv', 'c.csv']) {
  imports.push(await queue.enqueueCall('mylib.echo', { args: ['import', file], blockedBy: report }));
}
console.log(`report is ${await report.status}, imports are ${await imports[0]!.status}`); // deferred, deferred

// One atomic step: the three imports are queued; a worker queues the report after the last one finishes.
console.log(await report.release()); // { released: true, heldJobs: 3, futureQueued: false }
console.log(await report.wait(wait)); // [ [ 'daily report' ], {} ]
// #endregion future
for (const job of imports) assert.ok((await job.endedAt)! <= (await report.startedAt)!);
assert.deepEqual(await report.release(), { released: false, heldJobs: 0, futureQueued: false });

// Held jobs do not run while the worker works on other jobs.
const later = await queue.enqueueCall('mylib.add', { args: [1, 1], deferred: true });
const held = await queue.enqueueCall('mylib.add', { args: [2, 2], blockedBy: later });
assert.equal(await (await queue.enqueue('mylib.add', 0, 0)).wait(wait), 0);
assert.equal(await held.status, 'deferred');

// #region cascade
// Before release, canceling (or deleting) the future does the same to every job held for it, in one step.
await later.cancel();
console.log(await held.status); // canceled

// A future and its held jobs in one enqueueMany: all written or none.
const batchId = `batch-${Date.now()}`;
const [batch, ...parts] = await queue.enqueueMany<number>([
  Queue.prepareData('mylib.add', [0, 100], { jobId: batchId, deferred: true }),
  Queue.prepareData('mylib.add', [1, 2], { blockedBy: batchId }),
  Queue.prepareData('mylib.add', [3, 4], { blockedBy: batchId }),
]);
await batch!.release();
console.log(await Promise.all([...parts, batch!].map((j) => j.wait(wait)))); // [ 3, 7, 100 ]
// #endregion cascade
assert.equal(await later.status, 'canceled');
assert.equal(await held.status, 'canceled');
