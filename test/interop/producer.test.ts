/**
 * Producer parity: every enqueue option and job operation, written by rqts and run by real `rq worker`
 * processes of every installed RQ version × {pickle, json}, checked through rqts and through Python RQ's own
 * API. The feature × version × serializer matrix is printed at the end.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Callback,
  Dependency,
  DuplicateJobError,
  InvalidOperationError,
  JobCanceledError,
  JobFailedError,
  JobStoppedError,
  Queue,
  Retry,
  type Job,
} from '../../src/index.js';
import { redisNowMs, rqVersions, runPythonJson, runWorker, uniqueName, privateRedis, waitFor } from '../helpers/index.js';
import { pyPrelude } from '../helpers/python.js';

const env = privateRedis();
const matrix = new Map<string, Map<string, string>>();

afterAll(() => {
  printMatrix();
});

/** Record a feature's outcome for the printed matrix; rethrows so the test still fails. */
async function feature(name: string, column: string, body: () => Promise<void>): Promise<void> {
  const row = matrix.get(name) ?? new Map<string, string>();
  matrix.set(name, row);
  try {
    await body();
    row.set(column, 'ok');
  } catch (error) {
    row.set(column, 'FAIL');
    throw error;
  }
}

function printMatrix(): void {
  const columns = [...new Set([...matrix.values()].flatMap((r) => [...r.keys()]))];
  const width = Math.max(...[...matrix.keys()].map((k) => k.length), 7);
  const lines = [`${'feature'.padEnd(width)}  ${columns.map((c) => c.padEnd(16)).join('')}`];
  for (const [name, row] of matrix) lines.push(`${name.padEnd(width)}  ${columns.map((c) => (row.get(c) ?? '-').padEnd(16)).join('')}`);
  console.log(`\nProducer interop matrix (feature × RQ version × serializer)\n${lines.join('\n')}\n`);
}

/** Every traceback in a worker log must belong to a job that was meant to fail. */
function expectOnlyIntendedTracebacks(log: string): void {
  expect(log).not.toMatch(/unhandled exception/i);
  const chunks = log.split('Traceback (most recent call last)').slice(1);
  for (const chunk of chunks) {
    expect(chunk.slice(0, 4000), log).toMatch(/intentional failure from mylib\.fail|flaky .*first attempt fails/);
  }
}

const combos = rqVersions().flatMap((rq) => (['pickle', 'json'] as const).map((serializer) => ({ rq, serializer, label: `${rq.version}/${serializer}` })));

describe.each(combos)('$label', ({ rq, serializer, label }) => {
  const worker = (queue: Queue, extra: Partial<Parameters<typeof runWorker>[0]> = {}) =>
    runWorker({ rq, url: env.redis.url, queues: [queue.name], serializer, ...extra });
  const python = <T>(code: string) => runPythonJson<T>(rq, `${pyPrelude(serializer)}\n${code}`, { url: env.redis.url });
  const newQueue = (prefix: string) => new Queue(uniqueName(prefix), { connection: env.connection, serializer });

  it('options, dependencies, bulk, callbacks, unique, cancel, retry and wait in one worker run', async () => {
    const q = newQueue('parity');
    // Options stored as RQ stores them.
    const opts = await q.enqueueCall('mylib.add', {
      args: [2, 3], jobTimeout: '7m', resultTtl: 600, ttl: '1h', failureTtl: 86_400, description: 'custom é', meta: { owner: 'alice', n: 42 },
    });
    // Dependencies: a chain and a multi-parent child, plus allowFailure.
    const parentA = await q.enqueue('mylib.add', 1, 1);
    const parentB = await q.enqueue('mylib.add', 2, 2);
    const child = await q.enqueueCall('mylib.add', { args: [3, 4], dependsOn: [parentA, parentB.id] });
    const failingParent = await q.enqueue('mylib.fail');
    const tolerant = await q.enqueueCall('mylib.add', { args: [5, 5], dependsOn: new Dependency({ jobs: failingParent, allowFailure: true, enqueueAtFront: true }) });
    const blocked = await q.enqueueCall('mylib.add', { args: [6, 6], dependsOn: failingParent });
    // Bulk, with an in-batch dependency.
    const many = await q.enqueueMany([
      Queue.prepareData('mylib.add', [10, 1], { jobId: uniqueName('many') }),
      Queue.prepareData('mylib.echo', [5], { kwargs: { k: 'v' }, description: 'third' }),
    ]);
    const afterMany = await q.enqueueMany([Queue.prepareData('mylib.add', [7, 7], { dependsOn: many[0]! })]);
    // Callbacks.
    const cbOk = await q.enqueueCall('mylib.add', { args: [1, 2], onSuccess: 'mylib.on_success' });
    const cbFail = await q.enqueueCall('mylib.fail', { onFailure: new Callback('mylib.on_failure', { timeout: 30 }) });
    // Unique.
    const uniqueId = uniqueName('uniq');
    const unique = await q.enqueueCall('mylib.add', { args: [0, 1], jobId: uniqueId, unique: true });
    // Cancel.
    const canceled = await q.enqueue('mylib.add', 9, 9);
    // Retry without interval: flaky fails once, then succeeds in the same run.
    const flaky = await q.enqueueCall('mylib.flaky', { args: [uniqueName('k')], retry: new Retry({ max: 2, enqueueAtFront: true }) });
    // at_front goes first.
    const front = await q.enqueueCall('mylib.add', { args: [100, 1], atFront: true });

    await feature('atFront', label, async () => {
      expect((await q.jobIds)[0]).toBe(front.id);
    });
    await feature('unique', label, async () => {
      await expect(q.enqueueCall('mylib.add', { args: [5, 5], jobId: uniqueId, unique: true })).rejects.toBeInstanceOf(DuplicateJobError);
      expect((await q.fetchJob(uniqueId))!.args).toEqual([0, 1]);
    });
    await feature('dependsOn (deferred)', label, async () => {
      expect(await child.status).toBe('deferred');
      expect(await q.deferredJobRegistry.getJobIds()).toContain(child.id);
      expect((await parentA.dependentIds())).toEqual([child.id]);
    });
    await feature('cancel', label, async () => {
      await canceled.cancel();
      await expect(canceled.cancel()).rejects.toBeInstanceOf(InvalidOperationError);
      expect(await canceled.status).toBe('canceled');
      expect(await q.canceledJobRegistry.getJobIds()).toEqual([canceled.id]);
      await expect(canceled.wait({ timeout: 1000 })).rejects.toBeInstanceOf(JobCanceledError);
    });

    // Waits start before the worker runs and resolve as it writes.
    const waits = { opts: opts.wait({ timeout: 60_000 }), child: child.wait({ timeout: 60_000 }), fail: failingParent.wait({ timeout: 60_000 }).catch((e) => e) };
    const run = await worker(q);
    expect(run.exitCode, run.log).toBe(0);
    expectOnlyIntendedTracebacks(run.log);

    await feature('wait()', label, async () => {
      expect(await waits.opts).toBe(5);
      expect(await waits.child).toBe(7);
      const err = await waits.fail;
      expect(err).toBeInstanceOf(JobFailedError);
      expect((err as JobFailedError).excType).toBe('ValueError');
      expect((err as JobFailedError).excInfo).toContain('intentional failure from mylib.fail');
    });

    await feature('options stored as RQ stores them', label, async () => {
      const py = await python<Record<string, unknown>>(`
j = fetch(${JSON.stringify(opts.id)})
# A job that set no timeout carries the queue default Python RQ itself would store.
plain = fetch(${JSON.stringify(parentA.id)})
print(json.dumps({'timeout': j.timeout, 'result_ttl': j.result_ttl, 'ttl': j.ttl, 'failure_ttl': j.failure_ttl,
  'description': j.description, 'meta': j.meta, 'status': status_of(j), 'value': value_of(j), 'origin': j.origin,
  'default_timeout': plain.timeout == Queue.DEFAULT_TIMEOUT,
  # Dependency(enqueue_at_front) and Retry(enqueue_at_front) as this RQ reads them (the latter is 2.8+).
  'dep_front': fetch(${JSON.stringify(tolerant.id)}).enqueue_at_front,
  'retry_front': getattr(fetch(${JSON.stringify(flaky.id)}), 'enqueue_at_front_on_retry', None)}))`);
      expect(py).toEqual({ dep_front: true, retry_front: rq.major >= 2 ? true : null, default_timeout: true, timeout: 420, result_ttl: 600, ttl: 3600, failure_ttl: 86_400, description: 'custom é', meta: { owner: 'alice', n: 42 }, status: 'finished', value: 5, origin: q.name });
    });
    await feature('dependsOn (released)', label, async () => {
      expect(await child.result).toBe(7);
      expect(await tolerant.result).toBe(10);
      expect(await blocked.status).toBe('deferred');
      const py = await python<{ deps: string[]; status: string }>(`
j = fetch(${JSON.stringify(child.id)})
# 1.x's dependency_ids property hands out job keys (as bytes); _dependency_ids holds the stored ids everywhere.
deps = [d.decode() if isinstance(d, bytes) else d for d in j._dependency_ids]
print(json.dumps({'deps': sorted(deps), 'status': status_of(j)}))`);
      expect(py).toEqual({ deps: [parentA.id, parentB.id].sort(), status: 'finished' });
    });
    await feature('enqueueMany', label, async () => {
      expect(await many[0]!.result).toBe(11);
      expect(await many[1]!.result).toEqual([[5], { k: 'v' }]);
      expect(many[1]!.description).toBe('third');
      expect(await afterMany[0]!.result).toBe(14);
    });
    await feature('callbacks', label, async () => {
      expect(await env.connection.command(['GET', `mylib:on_success:${cbOk.id}`])).toEqual(Buffer.from('3'));
      expect(String(await env.connection.command(['GET', `mylib:on_failure:${cbFail.id}`]))).toContain('intentional failure');
    });
    await feature('retry (no interval)', label, async () => {
      expect(await flaky.result).toBe('ok');
      const py = await python<{ left: number; status: string }>(`
j = fetch(${JSON.stringify(flaky.id)})
print(json.dumps({'left': j.retries_left, 'status': status_of(j)}))`);
      expect(py).toEqual({ left: 1, status: 'finished' });
    });
    await feature('registries', label, async () => {
      expect(await q.failedJobRegistry.getJobIds()).toEqual(expect.arrayContaining([failingParent.id, cbFail.id]));
      expect(await q.finishedJobRegistry.count).toBeGreaterThanOrEqual(10);
      expect(await q.deferredJobRegistry.getJobIds()).toEqual([blocked.id]);
      expect(await q.count).toBe(0);
      const py = await python<{ failed: number; deferred: number }>(`
q = Queue(${JSON.stringify(q.name)}, connection=conn, serializer=S)
print(json.dumps({'failed': FailedJobRegistry(queue=q).count, 'deferred': DeferredJobRegistry(queue=q).count}))`);
      expect(py).toEqual({ failed: await q.failedJobRegistry.count, deferred: 1 });
    });
    await feature('requeue', label, async () => {
      await failingParent.requeue();
      expect(await failingParent.status).toBe('queued');
      expect(await q.jobIds).toEqual([failingParent.id]);
      await expect(opts.requeue()).rejects.toBeInstanceOf(InvalidOperationError);
      const rerun = await worker(q);
      expect(rerun.exitCode, rerun.log).toBe(0);
      expect(await failingParent.status).toBe('failed');
      expect((await failingParent.results()).length).toBeGreaterThanOrEqual(2);
    });
    await feature('delete', label, async () => {
      await blocked.delete();
      expect(await blocked.status).toBeNull();
      expect(await q.deferredJobRegistry.count).toBe(0);
      expect(await env.connection.command(['EXISTS', `rq:job::${blocked.id}:dependencies`])).toBe(0);
    });
  });

  it('scheduled jobs and delayed retries run under --with-scheduler', async () => {
    const q = newQueue('sched');
    await feature('enqueueIn / enqueueAt', label, async () => {
      const later = await q.enqueueIn(1, 'mylib.add', 20, 1);
      const at = await q.enqueueAt(new Date(Date.now() + 1000), 'mylib.add', 20, 2);
      expect(await later.status).toBe('scheduled');
      expect(await q.scheduledJobRegistry.getJobIds()).toEqual(expect.arrayContaining([later.id, at.id]));
      expect(await q.count).toBe(0);
      await untilDue(q);
      const run = await worker(q, { withScheduler: true });
      expect(run.exitCode, run.log).toBe(0);
      expect(await later.result).toBe(21);
      expect(await at.result).toBe(22);
    });
    await feature('retry (interval)', label, async () => {
      const flaky = await q.enqueueCall('mylib.flaky', { args: [uniqueName('k')], retry: new Retry({ max: 1, interval: 1 }) });
      const first = await worker(q, { withScheduler: true });
      expect(first.exitCode, first.log).toBe(0);
      expect(await flaky.status).toBe('scheduled');
      await untilDue(q);
      const second = await worker(q, { withScheduler: true });
      expect(second.exitCode, second.log).toBe(0);
      expect(await flaky.result).toBe('ok');
    });
  });

  it('stop() ends a running job as stopped', async () => {
    const q = newQueue('stop');
    await feature('stop()', label, async () => {
      const slow = await q.enqueueCall('mylib.slow', { args: [30], onStopped: 'mylib.on_stopped' });
      const child = await q.enqueueCall('mylib.add', { args: [1, 1], dependsOn: slow });
      const run = worker(q, { timeoutMs: 60_000 });
      await waitFor(async () => (await slow.status) === 'started', { timeout: 20_000, what: 'the slow job to start' });
      const waiting = slow.wait({ timeout: 30_000 }).catch((e) => e);
      await slow.stop();
      expect(await waiting).toBeInstanceOf(JobStoppedError);
      expect(await slow.status).toBe('stopped');
      expect(await q.failedJobRegistry.getJobIds()).toContain(slow.id);
      const done = await run;
      expect(done.exitCode, done.log).toBe(0);
      // RQ 2.8+ keeps a stopped job's dependents deferred; older versions release (and here run) them.
      expect(await child.status).toBe(rq.major >= 2 ? 'deferred' : 'finished');
    });
    await feature('onStopped (RQ 1.15+; older ignore it)', label, async () => {
      const ran = await env.connection.command(['EXISTS', `mylib:on_stopped:${(await q.failedJobRegistry.getJobIds())[0]}`]);
      const [major, minor] = rq.version.split('.').map(Number) as [number, number];
      expect(ran).toBe(major > 1 || minor >= 15 ? 1 : 0);
    });
  });
});

describe('waiting', () => {
  it('many concurrent waits share one blocking connection', async () => {
    const rq = rqVersions()[0]!;
    const q = new Queue(uniqueName('waits'), { connection: env.connection, serializer: 'pickle' });
    const jobs: Job[] = await q.enqueueMany(Array.from({ length: 1000 }, (_, i) => Queue.prepareData('mylib.add', [i, 1])));
    const before = await clientCount();
    const waits = Promise.all(jobs.map((j) => j.wait({ timeout: 120_000 })));
    // Once the waits block in XREAD, one connection is in XREAD and at most one more exists than before
    // (the shared blocking one, unless an earlier test's waits had already opened it).
    const xreads = async () => String(await env.connection.command(['CLIENT', 'LIST'])).split('\n').filter((c) => /\bcmd=xread\b/.test(c));
    await waitFor(async () => (await xreads()).some((c) => /\bflags=\w*b/.test(c)), { what: 'the waits to block in XREAD' });
    expect(await xreads()).toHaveLength(1);
    expect((await clientCount()) - before).toBeLessThanOrEqual(1);
    // SimpleWorker (no fork per job): 1,000 forks take over a minute on a loaded 2-core machine.
    const run = await runWorker({
      rq, url: env.redis.url, queues: [q.name], serializer: 'pickle', timeoutMs: 120_000, extraArgs: ['--worker-class', 'rq.worker.SimpleWorker'],
    });
    expect(run.exitCode, run.log).toBe(0);
    const values = await waits;
    expect(values).toEqual(jobs.map((_, i) => i + 1));
  }, 180_000);

  it('rejects on timeout and on abort', async () => {
    const q = new Queue(uniqueName('waits'), { connection: env.connection, serializer: 'pickle' });
    const job = await q.enqueue('mylib.add', 1, 1);
    await expect(job.wait({ timeout: 50 })).rejects.toMatchObject({ name: 'WaitTimeoutError' });
    const controller = new AbortController();
    const pending = job.wait({ signal: controller.signal });
    controller.abort(new Error('stop waiting'));
    await expect(pending).rejects.toThrow('stop waiting');
  });
});

async function clientCount(): Promise<number> {
  const list = String(await env.connection.command(['CLIENT', 'LIST']));
  return list.trim().split('\n').length;
}

/** Until Redis's clock reaches the latest score in the queue's scheduled registry (RQ's scheduler compares whole seconds). */
async function untilDue(q: Queue): Promise<void> {
  const last = (await env.connection.command(['ZRANGE', `rq:scheduled:${q.name}`, '-1', '-1', 'WITHSCORES'])) as Buffer[];
  expect(last).toHaveLength(2);
  const due = Number(last[1]);
  await waitFor(async () => Math.floor((await redisNowMs(env.connection)) / 1000) >= due, { timeout: 10_000, what: `score ${due} to come due` });
}

