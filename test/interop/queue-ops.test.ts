/**
 * The read side and the reliability guarantees: queue windows, empty/delete/Queue.all, registries, a
 * retried enqueue that never pushes twice, and wait() resolving as soon as the worker writes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Defaults, InvalidOperationError, Job, Queue } from '../../src/index.js';
import { formatDatetime, nowMicros, recordToFields } from '../../src/record.js';
import { prepareJob } from '../../src/prepare.js';
import { EnqueueOutcome, enqueueJobsArgs } from '../../src/scripts.js';
import { resolveSerializer } from '../../src/serializers/index.js';
import { expectExpiry, rqVersions, runWorker, timeWindow, uniqueName, privateRedis } from '../helpers/index.js';

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
    const prepared = prepareJob({ queue, serializer, defaultTimeout: Defaults.JOB_TIMEOUT }, 'mylib.add', { args: [1, 2] });
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

  it('wait() resolves as the worker writes each result, not when the run ends', async () => {
    const rq = rqVersions()[0]!;
    const q = new Queue(uniqueName('latency'), { connection: env.connection });
    const jobs = await q.enqueueMany([1, 2, 3, 4].map(() => Queue.prepareData('mylib.slow', [0.5])));
    const resolvedAt: number[] = [];
    const waits = jobs.map((j, i) => j.wait({ timeout: 30_000 }).then(() => { resolvedAt[i] = Date.now(); }));
    const run = await runWorker({ rq, url: env.redis.url, queues: [q.name], serializer: 'pickle' });
    expect(run.exitCode, run.log).toBe(0);
    await Promise.all(waits);
    // An order of events, not a speed (`npm run bench` measures the latency): the first wait is over before
    // the worker has even written the last job's result, 1.5 s of job time later.
    const lastWritten = (await jobs[3]!.latestResult())!.createdAt.getTime(); // the stream entry id's milliseconds
    expect(resolvedAt[0]!).toBeLessThan(lastWritten);
  });
});

describe('expiry', () => {
  it('ttl: the job hash and its dependencies set expire exactly ttl s after the enqueue; the deferred score is now + ttl', async () => {
    const q = new Queue(uniqueName('ttl'), { connection: env.connection });
    const parent = await q.enqueue('mylib.add', 1, 1); // queued, so its dependents are deferred
    const [plain, w1] = await timeWindow(env.connection, () => q.enqueueCall('mylib.add', { args: [1, 2], ttl: 3600 }));
    await expectExpiry(env.connection, `rq:job:${plain.id}`, 3600, w1);
    // A job queued at once gets enqueued_at from the enqueue itself (RQ's workers and `rq info` read it).
    const enqueuedAt = await plain.enqueuedAt;
    expect(enqueuedAt, 'enqueued_at').not.toBeNull();
    expect(enqueuedAt!.getTime()).toBeGreaterThanOrEqual(w1.from);
    expect(enqueuedAt!.getTime()).toBeLessThanOrEqual(w1.to);

    const [child, w2] = await timeWindow(env.connection, () => q.enqueueCall('mylib.add', { args: [3, 4], ttl: '30m', dependsOn: parent }));
    expect(await child.status).toBe('deferred');
    await expectExpiry(env.connection, `rq:job:${child.id}`, 1800, w2);
    await expectExpiry(env.connection, `rq:job::${child.id}:dependencies`, 1800, w2);
    // RQ 2.0–2.7 fail deferred jobs whose score has passed: now + ttl in whole seconds, as they write it.
    const score = Number(await env.connection.command(['ZSCORE', `rq:deferred:${q.name}`, child.id]));
    expect(score).toBeGreaterThanOrEqual(Math.floor(w2.from / 1000) + 1800);
    expect(score).toBeLessThanOrEqual(Math.floor(w2.to / 1000) + 1800);

    // No ttl (null): no expiry anywhere, and +inf in the deferred registry.
    const forever = await q.enqueueCall('mylib.add', { args: [5, 6], ttl: null, dependsOn: parent });
    expect(await env.connection.command(['PEXPIRETIME', `rq:job:${forever.id}`])).toBe(-1);
    expect(await env.connection.command(['PEXPIRETIME', `rq:job::${forever.id}:dependencies`])).toBe(-1);
    expect(String(await env.connection.command(['ZSCORE', `rq:deferred:${q.name}`, forever.id]))).toBe('inf');
  });
});
