/**
 * The read side and the reliability guarantees: queue windows, empty/delete/Queue.all, registries, a
 * retried enqueue that never pushes twice, and wait() resolving as soon as the worker writes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidOperationError, Job, Queue } from '../../src/index.js';
import { formatDatetime, nowMicros, recordToFields } from '../../src/record.js';
import { prepareJob } from '../../src/prepare.js';
import { EnqueueOutcome, enqueueJobsArgs } from '../../src/scripts.js';
import { resolveSerializer } from '../../src/serializers/index.js';
import { rqVersions, runWorker, uniqueName, privateRedis } from '../helpers/index.js';

const env = privateRedis();

describe('queue read side', () => {
  it('windows, jobs, fetchJob, empty, delete and Queue.all', async () => {
    const q = new Queue(uniqueName('ops'), { connection: env.connection });
    const other = new Queue(uniqueName('ops'), { connection: env.connection });
    const jobs = await q.enqueueMany([1, 2, 3, 4].map((n) => Queue.prepareData('mylib.add', [n, n])));
    const foreign = await other.enqueue('mylib.add', 0, 0);
    expect(await q.count).toBe(4);
    expect(await q.isEmpty).toBe(false);
    expect(await q.getJobIds({ offset: 1, length: 2 })).toEqual([jobs[1]!.id, jobs[2]!.id]);
    expect((await q.getJobs({ offset: 3 })).map((j) => j.id)).toEqual([jobs[3]!.id]);
    expect((await q.jobs).map((j) => j.args)).toEqual([[1, 1], [2, 2], [3, 3], [4, 4]]);
    expect(await q.fetchJob(foreign.id)).toBeNull(); // belongs to another queue
    expect((await q.fetchJob(jobs[0]!.id))?.id).toBe(jobs[0]!.id);

    // A missing hash: fetchJob drops the stale id from the queue, as RQ does.
    await env.connection.command(['DEL', `rq:job:${jobs[3]!.id}`]);
    expect(await q.fetchJob(jobs[3]!.id)).toBeNull();
    expect(await q.count).toBe(3);

    const names = (await Queue.all({ connection: env.connection })).map((x) => x.name);
    expect(names).toEqual(expect.arrayContaining([q.name, other.name]));

    expect(await q.empty()).toBe(3);
    expect(await q.count).toBe(0);
    expect(await Job.exists(jobs[0]!.id, { connection: env.connection })).toBe(false);
    await other.delete();
    expect(await Job.exists(foreign.id, { connection: env.connection })).toBe(false);
    expect((await Queue.all({ connection: env.connection })).map((x) => x.name)).not.toContain(other.name);
  });

  it('new Queue({ connection }) is RQ\'s default queue', () => {
    expect(new Queue({ connection: env.connection }).name).toBe('default');
  });

  it('fetchMany keeps positions; saveMeta and meta round-trip', async () => {
    const q = new Queue(uniqueName('meta'), { connection: env.connection, serializer: 'json' });
    const j = await q.enqueueCall('mylib.add', { args: [1, 2], meta: { a: 1 } });
    const fetched = await Job.fetchMany([j.id, 'missing-id', j.id], { connection: env.connection, serializer: 'json' });
    expect(fetched.map((x) => x?.id ?? null)).toEqual([j.id, null, j.id]);
    await j.saveMeta({ ...(await j.meta), progress: 50 });
    expect(await j.meta).toEqual({ a: 1, progress: 50 });
  });

  it('registry requeue and remove', async () => {
    const rq = rqVersions()[0]!;
    const q = new Queue(uniqueName('reg'), { connection: env.connection });
    const failing = await q.enqueue('mylib.fail');
    const ok = await q.enqueue('mylib.add', 1, 1);
    await runWorker({ rq, url: env.redis.url, queues: [q.name], serializer: 'pickle' });
    expect(await q.failedJobRegistry.count).toBe(1);
    expect(await q.failedJobRegistry.contains(failing)).toBe(true);
    expect(await q.failedJobRegistry.contains(ok)).toBe(false);
    expect(await q.startedJobRegistry.contains(ok)).toBe(false);
    expect(await q.finishedJobRegistry.getJobIds()).toEqual([ok.id]);
    await expect(q.failedJobRegistry.requeue(ok)).rejects.toBeInstanceOf(InvalidOperationError);
    const requeued = await q.failedJobRegistry.requeue(failing, { atFront: true });
    expect(await requeued.status).toBe('queued');
    expect(requeued.record.excInfo).toBeNull();
    expect(await q.failedJobRegistry.count).toBe(0);
    await q.finishedJobRegistry.remove(ok);
    expect(await q.finishedJobRegistry.count).toBe(0);
    expect(await ok.status).toBe('finished'); // the job itself stays
  });
});

describe('reliability', () => {
  it('a retried enqueue (same call sent twice after a lost reply) writes and pushes once', async () => {
    const queue = uniqueName('idem');
    const serializer = resolveSerializer('pickle');
    const prepared = prepareJob({ queue, serializer, defaultTimeout: 180 }, 'mylib.add', { args: [1, 2] });
    const stamp = formatDatetime(nowMicros());
    const spec = {
      mode: 'queue' as const, queue, jobId: prepared.record.id, atFront: false, ttl: null, unique: false,
      createdAt: stamp, enqueuedAt: stamp, dependencyIds: [], allowDependencyFailures: false, deferredScore: '+inf',
      fields: recordToFields(prepared.record, { createdAt: stamp }),
    };
    const { script, keys, args } = enqueueJobsArgs([spec]);
    expect(await env.connection.script(script, keys, args)).toEqual([EnqueueOutcome.QUEUED]);
    expect(await env.connection.script(script, keys, args)).toEqual([EnqueueOutcome.ALREADY_WRITTEN]);
    expect(await env.connection.command(['LRANGE', `rq:queue:${queue}`, '0', '-1'])).toEqual([Buffer.from(prepared.record.id)]);
  });

  it('a plain enqueue with an existing id replaces the old record entirely', async () => {
    const q = new Queue(uniqueName('replace'), { connection: env.connection });
    await q.enqueueCall('mylib.add', { args: [1, 2], jobId: 'replace-me', resultTtl: 10, meta: { old: true } });
    const second = await q.enqueueCall('mylib.add', { args: [3, 4], jobId: 'replace-me' });
    const fetched = await Job.fetch(second.id, { connection: env.connection });
    expect(fetched.args).toEqual([3, 4]);
    expect(fetched.resultTtl).toBeNull();
    expect(await fetched.meta).toEqual({});
  });

  it('wait() resolves within milliseconds of the worker writing the result', async () => {
    const rq = rqVersions()[0]!;
    const q = new Queue(uniqueName('latency'), { connection: env.connection });
    const jobs = await q.enqueueMany([1, 2, 3, 4, 5].map(() => Queue.prepareData('mylib.slow', [0.2])));
    const resolvedAt: number[] = [];
    const waits = jobs.map((j, i) => j.wait({ timeout: 30_000 }).then(() => { resolvedAt[i] = Date.now(); }));
    const run = await runWorker({ rq, url: env.redis.url, queues: [q.name], serializer: 'pickle' });
    expect(run.exitCode, run.log).toBe(0);
    await Promise.all(waits);
    for (const [i, j] of jobs.entries()) {
      const written = (await j.latestResult())!.createdAt.getTime(); // the stream entry id's milliseconds
      // Loose on purpose (a shared CI machine); the benchmark measures it exactly.
      expect(resolvedAt[i]! - written).toBeLessThan(250);
    }
  });
});
