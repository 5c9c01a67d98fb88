/**
 * Job dependencies (`dependsOn`, `Dependency({ allowFailure })`) and bulk enqueue (`enqueueMany`).
 *
 *   npx tsx examples/dependencies-and-bulk.ts      (Redis at REDIS_URL and `rq worker default`: examples/README.md)
 *
 * A dependent job is written `deferred` and a Python worker queues it when its parents have finished, as
 * with Python RQ's `depends_on`.
 */
import assert from 'node:assert/strict';
import { Dependency, JobFailedError, Queue } from '../src/index.js';

await using queue = new Queue('default', { connection: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0' });
const wait = { timeout: 30_000 };

// #region chain
// A chain: `total` runs after both parents have finished. dependsOn takes Jobs or ids, which must exist.
const slow = await queue.enqueue<number>('mylib.slow', 1);    // sleeps 1 s, returns 1
const quick = await queue.enqueue<number>('mylib.add', 2, 3);
const total = await queue.enqueueCall<number>('mylib.add', { args: [10, 20], dependsOn: [slow, quick.id] });
console.log(`total is ${await total.status}`); // total is deferred (until slow and quick have finished)
console.log(await total.wait(wait));          // 30
// #endregion chain
assert.equal(await total.result, 30);
assert.deepEqual([...total.dependencyIds].sort(), [slow.id, quick.id].sort());
// total was queued after both parents ended.
assert.ok((await total.startedAt)! >= (await slow.endedAt)!);

// #region allow-failure
// Dependency({ allowFailure: true }): run even if the parent fails (a cleanup step, say).
const risky = await queue.enqueue('mylib.fail');
const cleanup = await queue.enqueueCall('mylib.echo', {
  args: ['cleanup'],
  dependsOn: new Dependency({ jobs: risky, allowFailure: true }),
});
const strict = await queue.enqueueCall('mylib.echo', { args: ['never runs'], dependsOn: risky });

await risky.wait(wait).catch((error: unknown) => {
  if (!(error instanceof JobFailedError)) throw error;
  console.log(`risky failed: ${error.excType}`); // risky failed: ValueError
});
console.log(await cleanup.wait(wait));           // [ [ 'cleanup' ], {} ]
console.log(`strict is ${await strict.status}`); // strict is deferred, for good: its parent failed
await strict.delete();
// #endregion allow-failure
assert.equal(await risky.status, 'failed');
assert.deepEqual(await cleanup.result, [['cleanup'], {}]);
assert.equal(await strict.status, null); // deleted

// #region bulk
// enqueueMany: many jobs in one round trip and one atomic write (all or none). A job may depend on one
// earlier in the same list.
const sumId = `bulk-sum-${Date.now()}`;
const jobs = await queue.enqueueMany<number>([
  Queue.prepareData('mylib.add', [1, 2]),
  Queue.prepareData('mylib.add', [3, 4], { jobId: sumId }),
  Queue.prepareData('mylib.add', [100, 0], { dependsOn: sumId, description: 'after the sum' }),
]);
const results = await Promise.all(jobs.map((j) => j.wait(wait)));
console.log(results); // [ 3, 7, 100 ]
// #endregion bulk
assert.deepEqual(results, [3, 7, 100]);
assert.equal(jobs[1]!.id, sumId);
assert.deepEqual(jobs[2]!.dependencyIds, [sumId]);
