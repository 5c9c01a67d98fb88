/**
 * Enqueues issued in the same tick share one script call (issue #15), yet each call is written or refused on
 * its own: checked against a private Redis, counting the script calls Redis ran, and with a real RQ worker
 * running what a shared call wrote.
 */
import { describe, expect, it } from 'vitest';
import { DuplicateJobError, InvalidArgumentError, Job, JobStatus, Queue } from '../../src/index.js';
import { MAX_BATCH_JOBS } from '../../src/enqueue-batch.js';
import { privateRedis, rqVersions, runWorker, uniqueName } from '../helpers/index.js';

const env = privateRedis();

/** Script calls Redis has run so far (EVALSHA, and EVAL after a NOSCRIPT). */
async function scriptCalls(): Promise<number> {
  const info = String(await env.connection.command(['INFO', 'commandstats']));
  return [...info.matchAll(/^cmdstat_(?:evalsha|eval):calls=(\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0);
}

describe('enqueues in the same tick', () => {
  it('go to Redis as one script call, each call resolving with its own jobs in order', async () => {
    const q = new Queue(uniqueName('batch'), { connection: env.connection });
    await q.enqueue('mylib.add', 0, 0); // loads the script
    const before = await scriptCalls();
    const jobs = await Promise.all(Array.from({ length: 100 }, (_, i) => q.enqueue('mylib.add', i, 1)));
    expect(await scriptCalls()).toBe(before + 1);
    expect(jobs.map((j) => j.args)).toEqual(Array.from({ length: 100 }, (_, i) => [i, 1]));
    expect((await q.getJobIds({ offset: 1 }))).toEqual(jobs.map((j) => j.id));
    expect(jobs.every((j) => j.record.status === JobStatus.QUEUED)).toBe(true);
  });

  it('refuse one call with a missing dependency and write its neighbours, also those depending on a neighbour', async () => {
    const q = new Queue(uniqueName('batch'), { connection: env.connection });
    const other = new Queue(uniqueName('batch'), { connection: env.connection });
    const before = await scriptCalls();
    const [first, bad, dependent, elsewhere] = await Promise.allSettled([
      q.enqueueCall('mylib.add', { args: [1, 1], jobId: 'batch-parent' }),
      q.enqueueCall('mylib.add', { args: [2, 2], jobId: 'batch-orphan', dependsOn: 'no-such-parent' }),
      q.enqueueCall('mylib.add', { args: [3, 3], jobId: 'batch-child', dependsOn: 'batch-parent' }),
      other.enqueueMany([Queue.prepareData('mylib.add', [4, 4]), Queue.prepareData('mylib.add', [5, 5])]),
    ]);
    expect(await scriptCalls()).toBe(before + 1);
    expect(first.status).toBe('fulfilled');
    expect(bad.status).toBe('rejected');
    const reason = (bad as PromiseRejectedResult).reason as InvalidArgumentError;
    expect(reason).toBeInstanceOf(InvalidArgumentError);
    expect(reason.option).toBe('dependsOn');
    expect(reason.value).toBe('no-such-parent');
    expect(await Job.exists('batch-orphan', { connection: env.connection })).toBe(false);
    expect(dependent.status).toBe('fulfilled');
    expect(await (dependent as PromiseFulfilledResult<Job>).value.status).toBe(JobStatus.DEFERRED);
    expect(elsewhere.status).toBe('fulfilled');
    expect(await q.jobIds).toEqual(['batch-parent']);
    expect(await other.count).toBe(2);
  });

  it('a refused blockedBy and a unique duplicate fail only their own call', async () => {
    const q = new Queue(uniqueName('batch'), { connection: env.connection });
    await q.enqueueCall('mylib.add', { args: [0, 0], jobId: 'batch-taken' });
    const results = await Promise.allSettled([
      q.enqueueCall('mylib.add', { args: [1, 1], jobId: 'batch-taken', unique: true }),
      q.enqueueCall('mylib.add', { args: [2, 2], blockedBy: 'batch-taken' }),
      q.enqueue('mylib.add', 3, 3),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'fulfilled']);
    expect((results[0] as PromiseRejectedResult).reason).toBeInstanceOf(DuplicateJobError);
    expect(String((results[1] as PromiseRejectedResult).reason)).toMatch(/not a future/);
    expect(await q.count).toBe(2);
    expect((await Job.fetch('batch-taken', { connection: env.connection })).args).toEqual([0, 0]);
  });

  it(`split into script calls of at most ${MAX_BATCH_JOBS} jobs; a call that size goes alone`, async () => {
    const q = new Queue(uniqueName('batch'), { connection: env.connection });
    const before = await scriptCalls();
    const many = (n: number, base: number) => Array.from({ length: n }, (_, i) => Queue.prepareData('mylib.add', [base + i, 0]));
    await Promise.all([
      ...Array.from({ length: 3 }, (_, i) => q.enqueueMany(many(400, i * 400))), // 400 + 400 | 400
      q.enqueueMany(many(MAX_BATCH_JOBS, 5000)), // alone
    ]);
    expect(await scriptCalls()).toBe(before + 3);
    expect(await q.count).toBe(1200 + MAX_BATCH_JOBS);
  });

  it('jobs written by a shared call run on a real RQ worker, each once', async () => {
    const rq = rqVersions()[0]!;
    const q = new Queue(uniqueName('batch'), { connection: env.connection });
    const jobs = await Promise.all(Array.from({ length: 20 }, (_, i) => q.enqueue('mylib.add', i, 100)));
    const run = await runWorker({ rq, url: env.redis.url, queues: [q.name], serializer: 'pickle' });
    expect(run.exitCode, run.log).toBe(0);
    expect(await Promise.all(jobs.map((j) => j.result))).toEqual(Array.from({ length: 20 }, (_, i) => i + 100));
  });
});
