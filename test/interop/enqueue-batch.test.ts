/**
 * Enqueues issued in the same tick share one script call (issue #15), yet each call is written or refused on
 * its own: checked against a private Redis, counting the script calls Redis ran, and with a real RQ worker
 * running what a shared call wrote.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { DuplicateJobError, InvalidArgumentError, Job, JobStatus, PartialEnqueueError, Queue, type EnqueueData } from '../../src/index.js';
import { MAX_BATCH_JOBS } from '../../src/enqueue-batch.js';
import { privateRedis, rqVersions, runWorker, uniqueName } from '../helpers/index.js';

const env = privateRedis();

// One enqueue first, whatever test runs alone: it loads the script and the optional OpenTelemetry API (a
// dynamic import, done once per process), so the calls under test are issued in one tick.
beforeAll(async () => {
  await new Queue(uniqueName('warm'), { connection: env.connection }).enqueue('mylib.add', 0, 0);
});

/** Script calls Redis has run so far (EVALSHA, and EVAL after a NOSCRIPT). */
async function scriptCalls(): Promise<number> {
  const info = String(await env.connection.command(['INFO', 'commandstats']));
  return [...info.matchAll(/^cmdstat_(?:evalsha|eval):calls=(\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0);
}

describe('enqueues in the same tick', () => {
  it(`go to Redis in script calls of ${MAX_BATCH_JOBS} jobs, each call resolving with its own jobs in order`, async () => {
    const q = new Queue(uniqueName('batch'), { connection: env.connection });
    const before = await scriptCalls();
    const jobs = await Promise.all(Array.from({ length: 100 }, (_, i) => q.enqueue('mylib.add', i, 1)));
    expect(await scriptCalls()).toBe(before + Math.ceil(100 / MAX_BATCH_JOBS));
    expect(jobs.map((j) => j.args)).toEqual(Array.from({ length: 100 }, (_, i) => [i, 1]));
    expect(await q.jobIds).toEqual(jobs.map((j) => j.id));
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
    const third = Math.floor(MAX_BATCH_JOBS / 3) + 1; // two fit in one script call, a third does not
    await Promise.all([
      ...Array.from({ length: 3 }, (_, i) => q.enqueueMany(many(third, i * 100))),
      q.enqueueMany(many(MAX_BATCH_JOBS, 5000)), // alone
    ]);
    expect(await scriptCalls()).toBe(before + 3);
    expect(await q.count).toBe(3 * third + MAX_BATCH_JOBS);
  });

  it('keep their order: a big call may depend on a job of a smaller one issued before it in the tick', async () => {
    const q = new Queue(uniqueName('batch'), { connection: env.connection });
    const parent = q.enqueueCall('mylib.add', { args: [1, 1], jobId: 'batch-order-parent' });
    const children = q.enqueueMany(Array.from({ length: MAX_BATCH_JOBS }, (_, i) => Queue.prepareData('mylib.add', [i, 0], { dependsOn: 'batch-order-parent' })));
    await parent;
    expect((await children).every((j) => j.record.status === JobStatus.DEFERRED)).toBe(true);
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

describe('queue.enqueueStream', () => {
  it('writes a generator in atomic batches, in order, and counts what it wrote', async () => {
    const q = new Queue(uniqueName('stream'), { connection: env.connection });
    function* source(): Generator<EnqueueData> {
      for (let i = 0; i < 2_500; i++) yield Queue.prepareData('mylib.add', [i, 0], { jobId: `stream-${i}` });
    }
    expect(await q.enqueueStream(source(), { batchSize: 1_000 })).toBe(2_500);
    const ids = await q.jobIds;
    expect(ids).toHaveLength(2_500);
    expect(ids.slice(0, 3)).toEqual(['stream-0', 'stream-1', 'stream-2']);
    expect(ids.at(-1)).toBe('stream-2499');
  });

  it('reads an async source; a job may depend on one of an earlier batch', async () => {
    const q = new Queue(uniqueName('stream'), { connection: env.connection });
    async function* source(): AsyncGenerator<EnqueueData> {
      yield Queue.prepareData('mylib.add', [1, 1], { jobId: 'stream-parent' });
      for (let i = 0; i < 5; i++) yield Queue.prepareData('mylib.add', [i, i]);
      yield Queue.prepareData('mylib.add', [2, 2], { jobId: 'stream-child', dependsOn: 'stream-parent' });
    }
    expect(await q.enqueueStream(source(), { batchSize: 3, inFlight: 3 })).toBe(7);
    expect(await (await Job.fetch('stream-child', { connection: env.connection })).status).toBe(JobStatus.DEFERRED);
    expect(await q.count).toBe(6);
  });

  it('stops at a failed batch: that batch wrote nothing, the error says how many were written and why', async () => {
    const q = new Queue(uniqueName('stream'), { connection: env.connection });
    let drawn = 0;
    function* source(): Generator<EnqueueData> {
      for (let i = 0; i < 50; i++) {
        drawn++;
        yield Queue.prepareData('mylib.add', [i, 0], i === 25 ? { dependsOn: 'stream-no-such-job' } : {});
      }
    }
    const error = await q.enqueueStream(source(), { batchSize: 10, inFlight: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PartialEnqueueError);
    expect((error as PartialEnqueueError).written).toBe(20);
    expect((error as PartialEnqueueError).cause).toBeInstanceOf(InvalidArgumentError);
    expect(((error as PartialEnqueueError).cause as InvalidArgumentError).option).toBe('dependsOn');
    expect(await q.count).toBe(20);
    expect(drawn).toBeLessThan(50); // the source was not read to the end
  });

  it('refuses a bad source or option before reading anything', async () => {
    const q = new Queue(uniqueName('stream'), { connection: env.connection });
    for (const [source, options, option] of [
      [42, {}, 'source'], ['text', {}, 'source'], [[], { batchSize: 0 }, 'batchSize'], [[], { inFlight: 1.5 }, 'inFlight'],
    ] as const) {
      const error = await q.enqueueStream(source as never, options).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect((error as InvalidArgumentError).option).toBe(option);
    }
    expect(await q.count).toBe(0);
  });
});
