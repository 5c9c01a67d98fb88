/**
 * Futures (`deferred: true`), held jobs (`blockedBy`) and `release()`, run by unmodified Python `rq worker`s of
 * every installed RQ version × {pickle, json} and by the Node worker; bad input; and a producer killed
 * between two `blockedBy` enqueues.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  Dependency,
  InvalidArgumentError,
  InvalidOperationError,
  Job,
  JobFailedError,
  NoSuchJobError,
  Queue,
  Worker,
  job,
  release,
} from '../../src/index.js';
import { hasTraceback, privateRedis, rqInfo, rqVersions, runPythonJson, runWorker, uniqueName, REPO_ROOT } from '../helpers/index.js';
import { pyPrelude } from '../helpers/python.js';
import { run } from '../helpers/processes.js';
import { startWorker } from '../helpers/rq.js';

const env = privateRedis();
const combos = rqVersions().flatMap((rq) => (['pickle', 'json'] as const).map((serializer) => ({ rq, serializer, label: `${rq.version}/${serializer}` })));
const WAIT = { timeout: 60_000 };

/** The worker log may only hold the tracebacks of jobs meant to fail. */
function expectOnlyIntendedTracebacks(log: string): void {
  expect(log).not.toMatch(/unhandled exception/i);
  for (const chunk of log.split('Traceback (most recent call last)').slice(1)) {
    expect(chunk.slice(0, 4000), log).toMatch(/intentional failure from mylib\.fail/);
  }
}

const statuses = (jobs: readonly Job[]) => Promise.all(jobs.map((j) => j.status));

describe.each(combos)('$label', ({ rq, serializer }) => {
  const newQueue = (prefix: string) => new Queue(uniqueName(prefix), { connection: env.connection, serializer });
  const python = <T>(code: string) => runPythonJson<T>(rq, `${pyPrelude(serializer)}\n${code}`, { url: env.redis.url });

  it('held jobs run only after release, all before their future; cascade before release, independence after; failures', async () => {
    const qa = newQueue('fa');
    const qb = newQueue('fb');
    const qc = newQueue('fc'); // no listening worker: independence is checked with a burst run afterwards
    const listening = await startWorker({ rq, url: env.redis.url, queues: [qa.name, qb.name], serializer });
    let log = '';
    try {
      // Three jobs held for a future, in two queues (by Job and by id).
      const future = await qa.enqueueCall('mylib.echo', { args: ['report'], deferred: true });
      const held = [
        await qa.enqueueCall('mylib.add', { args: [1, 1], blockedBy: future }),
        await qb.enqueueCall('mylib.add', { args: [2, 2], blockedBy: future.id }),
        await qa.enqueueCall('mylib.add', { args: [3, 3], blockedBy: future, dependsOn: future }),
      ];
      const lonely = await qb.enqueueCall('mylib.add', { args: [0, 0], deferred: true });
      // Failures: a failed held job leaves its future deferred, unless the future allows failures.
      const strict = await qa.enqueueCall('mylib.add', { args: [4, 4], deferred: true });
      const strictFail = await qa.enqueueCall('mylib.fail', { blockedBy: strict });
      const tolerant = await qb.enqueueCall('mylib.add', { args: [5, 5], deferred: true, allowFailure: true });
      const tolerantFail = await qa.enqueueCall('mylib.fail', { blockedBy: tolerant });
      const tolerantOk = await qb.enqueueCall('mylib.add', { args: [6, 6], blockedBy: tolerant });
      // A future that also depends on a plain job, through a Dependency that allows failure: that job fails
      // while the worker listens, and the future still waits for its release.
      const plainFail = await qa.enqueue('mylib.fail');
      const viaDependency = await qb.enqueueCall('mylib.add', { args: [7, 7], deferred: true, dependsOn: new Dependency({ jobs: plainFail, allowFailure: true }) });
      // Cascade before release.
      const doomed = await qa.enqueueCall('mylib.add', { args: [8, 8], deferred: true });
      const doomedHeld = [await qa.enqueueCall('mylib.add', { args: [8, 1], blockedBy: doomed }), await qb.enqueueCall('mylib.add', { args: [8, 2], blockedBy: doomed })];
      const erased = await qb.enqueueCall('mylib.add', { args: [9, 9], deferred: true });
      const erasedHeld = [await qa.enqueueCall('mylib.add', { args: [9, 1], blockedBy: erased }), await qb.enqueueCall('mylib.add', { args: [9, 2], blockedBy: erased })];
      // A future and its held jobs in one enqueueMany.
      const manyId = uniqueName('many');
      const [manyFuture, ...manyHeld] = await qa.enqueueMany([
        Queue.prepareData('mylib.add', [10, 0], { jobId: manyId, deferred: true }),
        Queue.prepareData('mylib.add', [11, 0], { blockedBy: manyId }),
        Queue.prepareData('mylib.add', [12, 0], { blockedBy: manyId, atFront: true }),
      ]);
      // Independence after release (queue qc: run by a burst worker once the futures are canceled/deleted).
      const keptFuture = await qc.enqueueCall('mylib.add', { args: [13, 0], deferred: true });
      const keptHeld = await qc.enqueueCall('mylib.add', { args: [13, 1], blockedBy: keptFuture });
      const goneFuture = await qc.enqueueCall('mylib.add', { args: [14, 0], deferred: true });
      const goneHeld = await qc.enqueueCall('mylib.add', { args: [14, 1], blockedBy: goneFuture });

      const futures = [future, lonely, strict, tolerant, viaDependency, doomed, erased, manyFuture!, keptFuture, goneFuture];
      const heldJobs = [...held, strictFail, tolerantFail, tolerantOk, ...doomedHeld, ...erasedHeld, ...manyHeld, keptHeld, goneHeld];

      // Nothing runs before release, though the worker listens: jobs enqueued after them run and they stay.
      await expect(plainFail.wait(WAIT)).rejects.toBeInstanceOf(JobFailedError);
      const sentinels = [await qa.enqueue('mylib.add', 0, 1), await qb.enqueue('mylib.add', 0, 2)];
      expect(await Promise.all(sentinels.map((s) => s.wait(WAIT)))).toEqual([1, 2]);
      expect(new Set(await statuses([...futures, ...heldJobs]))).toEqual(new Set(['deferred']));
      expect(await qa.deferredJobRegistry.getJobIds()).toEqual(expect.arrayContaining([future.id, held[0]!.id, held[2]!.id, strict.id]));
      expect(await env.connection.command(['LRANGE', `rq:job:${future.id}:blocked`, '0', '-1'])).toEqual(
        [`${qa.name}/${held[0]!.id}`, `${qb.name}/${held[1]!.id}`, `${qa.name}/${held[2]!.id}`].map((s) => Buffer.from(s)));
      // Python sees plain deferred RQ jobs; the future's dependencies are the held jobs.
      const seen = await python<Record<string, unknown>>(`
f = fetch(${JSON.stringify(future.id)})
print(json.dumps({'status': status_of(f), 'deps': sorted(f._dependency_ids),
  'deferred': sorted(DeferredJobRegistry(${JSON.stringify(qb.name)}, connection=conn).get_job_ids())}))`);
      expect(seen).toEqual({
        status: 'deferred',
        deps: held.map((h) => h.id).sort(),
        deferred: [held[1]!.id, lonely.id, tolerant.id, tolerantOk.id, viaDependency.id, doomedHeld[1]!.id, erased.id, erasedHeld[1]!.id].sort(),
      });

      // Cascade before release: the held jobs go with their future, in one step.
      await doomed.cancel();
      expect(await statuses([doomed, ...doomedHeld])).toEqual(['canceled', 'canceled', 'canceled']);
      expect(await qa.canceledJobRegistry.getJobIds()).toEqual(expect.arrayContaining([doomed.id, doomedHeld[0]!.id]));
      expect(await qb.canceledJobRegistry.getJobIds()).toEqual([doomedHeld[1]!.id]);
      await expect(doomed.release()).rejects.toBeInstanceOf(InvalidOperationError);
      await erased.delete();
      expect(await Promise.all([erased, ...erasedHeld].map((j) => Job.exists(j.id, { connection: env.connection })))).toEqual([false, false, false]);
      const deferredLeft = [...(await qa.deferredJobRegistry.getJobIds()), ...(await qb.deferredJobRegistry.getJobIds())];
      for (const gone of [doomed, ...doomedHeld, erased, ...erasedHeld]) expect(deferredLeft).not.toContain(gone.id);

      // Release.
      expect(await future.release()).toEqual({ released: true, heldJobs: 3, futureQueued: false });
      expect(await release(future.id, { connection: env.connection })).toEqual({ released: false, heldJobs: 0, futureQueued: false });
      await expect(qa.enqueueCall('mylib.add', { args: [0, 0], blockedBy: future })).rejects.toThrow(/released already/);
      expect(await lonely.release()).toEqual({ released: true, heldJobs: 0, futureQueued: true });
      for (const f of [strict, tolerant, manyFuture!]) await f.release();
      expect(await viaDependency.release()).toEqual({ released: true, heldJobs: 0, futureQueued: true });
      for (const f of [keptFuture, goneFuture]) await f.release();
      await keptFuture.cancel();
      await goneFuture.delete();

      expect(await future.wait(WAIT)).toEqual([['report'], {}]);
      expect(await Promise.all(held.map((h) => h.wait(WAIT)))).toEqual([2, 4, 6]);
      expect(await lonely.wait(WAIT)).toBe(0);
      expect(await tolerant.wait(WAIT)).toBe(10);
      expect(await tolerantOk.wait(WAIT)).toBe(12);
      await expect(tolerantFail.wait(WAIT)).rejects.toBeInstanceOf(JobFailedError);
      await expect(strictFail.wait(WAIT)).rejects.toBeInstanceOf(JobFailedError);
      expect(await viaDependency.wait(WAIT)).toBe(14);
      expect(await manyFuture!.wait(WAIT)).toBe(10);
      expect(await Promise.all(manyHeld.map((h) => h.wait(WAIT)))).toEqual([11, 12]);
      // Jobs enqueued after everything else have run: the failures' dependents were processed by then.
      const last = [await qa.enqueue('mylib.add', 1, 1), await qb.enqueue('mylib.add', 1, 1)];
      await Promise.all(last.map((s) => s.wait(WAIT)));

      // All three held jobs ran before the future, which ran exactly once.
      const futureStart = (await future.startedAt)!.getTime();
      for (const h of held) expect((await h.endedAt)!.getTime()).toBeLessThanOrEqual(futureStart);
      expect(await future.results()).toHaveLength(1);
      expect(await strict.status).toBe('deferred');
      expect(await qa.deferredJobRegistry.getJobIds()).toContain(strict.id);

      // Independence: the released jobs run without their canceled / deleted future, which never runs.
      const run = await runWorker({ rq, url: env.redis.url, queues: [qc.name], serializer });
      expect(run.exitCode, run.log).toBe(0);
      expect(hasTraceback(run.log), run.log).toBe(false);
      expect(await keptHeld.wait(WAIT)).toBe(14);
      expect(await goneHeld.wait(WAIT)).toBe(15);
      expect(await keptFuture.status).toBe('canceled');
      expect(await keptFuture.results()).toEqual([]);
      expect(await Job.exists(goneFuture.id, { connection: env.connection })).toBe(false);
      expect(await qc.count).toBe(0);

      const after = await python<Record<string, string>>(`
print(json.dumps({'strict': status_of(fetch(${JSON.stringify(strict.id)})), 'future': status_of(fetch(${JSON.stringify(future.id)})),
  'kept': status_of(fetch(${JSON.stringify(keptFuture.id)}))}))`);
      expect(after).toEqual({ strict: 'deferred', future: 'finished', kept: 'canceled' });
      const info = await rqInfo(rq, env.redis.url, { serializer });
      expect(info.exitCode, info.output).toBe(0);
    } finally {
      log = (await listening.stop()).log;
    }
    expectOnlyIntendedTracebacks(log);
  });
});

describe('the Node worker', () => {
  it('runs held jobs after release, then their future', async () => {
    const queue = new Queue(uniqueName('fnode'), { connection: env.connection });
    const order: string[] = [];
    const step = job({ queue: queue.name, connection: env.connection, name: 'deferredtasks.step' })(async (name: string) => {
      order.push(name);
      return name;
    });
    const future = await step.delayWith({ deferred: true }, 'future');
    const a = await step.delayWith({ blockedBy: future }, 'a');
    const b = await step.delayWith({ blockedBy: future.id }, 'b');
    const idle = new Worker({ connection: env.connection, queues: [queue.name], burst: true, logger: { info() {}, warn() {}, error() {} } });
    await idle.work();
    expect(order).toEqual([]);
    expect(await future.release()).toEqual({ released: true, heldJobs: 2, futureQueued: false });
    const worker = new Worker({ connection: env.connection, queues: [queue.name], burst: true, logger: { info() {}, warn() {}, error() {} } });
    await worker.work();
    expect(order).toEqual(['a', 'b', 'future']);
    expect(await Promise.all([a, b, future].map((j) => j.status))).toEqual(['finished', 'finished', 'finished']);
  });
});

describe('bad input: a typed error and nothing written', () => {
  /** Every key and every field of every hash, to compare before and after a rejected call. */
  async function dump(): Promise<string> {
    // Worker keys of earlier tests expire on their own; everything else must stay as it was.
    const keys = ((await env.connection.command(['KEYS', '*'])) as Buffer[]).map(String).filter((k) => !k.startsWith('rq:worker')).sort();
    const out: string[] = [];
    for (const key of keys) {
      const type = String(await env.connection.command(['TYPE', key]));
      const value = type === 'hash' ? await env.connection.command(['HGETALL', key])
        : type === 'list' ? await env.connection.command(['LRANGE', key, '0', '-1'])
          : type === 'set' ? await env.connection.command(['SMEMBERS', key])
            : type === 'zset' ? await env.connection.command(['ZRANGE', key, '0', '-1', 'WITHSCORES']) : type;
      out.push(`${key}=${JSON.stringify(value)}`);
    }
    return out.join('\n');
  }

  it('rejects every bad combination before writing', async () => {
    const queue = new Queue(uniqueName('fbad'), { connection: env.connection });
    const plain = await queue.enqueue('mylib.add', 1, 2);
    const future = await queue.enqueueCall('mylib.add', { args: [0, 0], deferred: true });
    const released = await queue.enqueueCall('mylib.add', { args: [0, 0], deferred: true });
    await released.release();
    const canceled = await queue.enqueueCall('mylib.add', { args: [0, 0], deferred: true });
    await canceled.cancel();
    const before = await dump();

    const rejects = async (call: Promise<unknown>, type: new (...args: never[]) => Error, match: RegExp, option?: string) => {
      const error = await call.then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(type);
      expect((error as Error).message).toMatch(match);
      if (option) expect((error as InvalidArgumentError).option).toBe(option);
    };
    await rejects(queue.enqueueCall('mylib.add', { blockedBy: plain }), InvalidArgumentError, /not a future/, 'blockedBy');
    await rejects(queue.enqueueCall('mylib.add', { blockedBy: 'no-such-future' }), InvalidArgumentError, /no such job/, 'blockedBy');
    await rejects(queue.enqueueCall('mylib.add', { blockedBy: released }), InvalidArgumentError, /released already/, 'blockedBy');
    await rejects(queue.enqueueCall('mylib.add', { blockedBy: canceled }), InvalidArgumentError, /canceled/, 'blockedBy');
    await rejects(queue.enqueueCall('mylib.add', { blockedBy: 'bad:id' }), InvalidArgumentError, /letters, digits/, 'blockedBy');
    await rejects(queue.enqueueCallAt(new Date(Date.now() + 60_000), 'mylib.add', { blockedBy: future }), InvalidArgumentError, /enqueueAt/, 'blockedBy');
    await rejects(queue.enqueueCallIn('1m', 'mylib.add', { deferred: true }), InvalidArgumentError, /enqueueAt/, 'deferred');
    await rejects(queue.enqueueCall('mylib.add', { blockedBy: future, jobId: uniqueName('u'), unique: true }), InvalidArgumentError, /blockedBy/, 'unique');
    await rejects(queue.enqueueCall('mylib.add', { blockedBy: future, dependsOn: plain }), InvalidArgumentError, /contradicts blockedBy/, 'dependsOn');
    await rejects(queue.enqueueCall('mylib.add', { blockedBy: future, dependsOn: [future, plain] }), InvalidArgumentError, /contradicts blockedBy/, 'dependsOn');
    await rejects(queue.enqueueCall('mylib.add', { jobId: 'self-block', blockedBy: 'self-block' }), InvalidArgumentError, /block itself/, 'blockedBy');
    await rejects(queue.enqueueCall('mylib.add', { deferred: true, blockedBy: future }), InvalidArgumentError, /cannot itself be held/, 'blockedBy');
    await rejects(queue.enqueueCall('mylib.add', { allowFailure: true }), InvalidArgumentError, /futures/, 'allowFailure');
    await rejects(queue.enqueueCall('mylib.add', { deferred: 'yes' as never }), InvalidArgumentError, /boolean/, 'deferred');
    // enqueueMany: a bad blockedBy anywhere, or a future later in the list than its held job, writes nothing.
    const laterId = uniqueName('later');
    await rejects(queue.enqueueMany([
      Queue.prepareData('mylib.add', [1, 1], { blockedBy: future }),
      Queue.prepareData('mylib.add', [1, 1], { blockedBy: plain }),
    ]), InvalidArgumentError, /not a future/, 'blockedBy');
    await rejects(queue.enqueueMany([
      Queue.prepareData('mylib.add', [1, 1], { blockedBy: laterId }),
      Queue.prepareData('mylib.add', [1, 1], { jobId: laterId, deferred: true }),
    ]), InvalidArgumentError, /no such job/, 'blockedBy');
    // release() of a job that is not a future, or of no job.
    await rejects(plain.release(), InvalidOperationError, /not a future/);
    await rejects(release('no-such-job', { connection: env.connection }), NoSuchJobError, /No such job/);
    expect(await dump()).toBe(before);
  });
});

describe('a producer killed between two blockedBy enqueues', () => {
  it('leaves the held jobs held and consistent, and release still works', async () => {
    const rq = rqVersions()[0]!;
    const queueName = uniqueName('fcrash');
    const futureId = uniqueName('future');
    const firstId = uniqueName('first');
    // The child enqueues the future and one held job, says so, then waits to be killed before the second.
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', `
      import { Queue } from './src/index.ts';
      const queue = new Queue(${JSON.stringify(queueName)}, { connection: process.env.REDIS_URL });
      await queue.enqueueCall('mylib.add', { args: [20, 0], jobId: ${JSON.stringify(futureId)}, deferred: true });
      await queue.enqueueCall('mylib.add', { args: [20, 1], jobId: ${JSON.stringify(firstId)}, blockedBy: ${JSON.stringify(futureId)} });
      console.log('held');
      await new Promise(() => setInterval(() => {}, 1_000));
      await queue.enqueueCall('mylib.add', { args: [20, 2], blockedBy: ${JSON.stringify(futureId)} });
    `], { cwd: REPO_ROOT, env: { ...process.env, REDIS_URL: env.redis.url }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('held') && resolve());
      child.on('exit', () => reject(new Error(`producer exited early: ${stderr}`)));
    });
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    const queue = new Queue(queueName, { connection: env.connection });
    const [future, first] = await Job.fetchMany([futureId, firstId], { connection: env.connection });
    expect(await statuses([future!, first!])).toEqual(['deferred', 'deferred']);
    expect(future!.dependencyIds).toEqual([firstId]);
    expect(await first!.dependentIds()).toEqual([futureId]);
    expect(await env.connection.command(['LRANGE', `rq:job:${futureId}:blocked`, '0', '-1'])).toEqual([Buffer.from(`${queueName}/${firstId}`)]);
    expect(await queue.count).toBe(0);
    // Another producer carries on, and the release covers both held jobs.
    const second = await queue.enqueueCall('mylib.add', { args: [20, 2], blockedBy: futureId });
    expect(await release(futureId, { connection: env.connection })).toEqual({ released: true, heldJobs: 2, futureQueued: false });
    const run = await runWorker({ rq, url: env.redis.url, queues: [queueName] });
    expect(run.exitCode, run.log).toBe(0);
    expect(await Promise.all([first!, second, future!].map((j) => j.wait(WAIT)))).toEqual([21, 22, 20]);
  });
});

describe('rqts release', () => {
  it('releases futures, says when one was released already, and fails on a job that is not a future', async () => {
    const queue = new Queue(uniqueName('fcli'), { connection: env.connection });
    const future = await queue.enqueueCall('mylib.add', { args: [1, 0], deferred: true });
    const held = await queue.enqueueCall('mylib.add', { args: [1, 1], blockedBy: future });
    const lonely = await queue.enqueueCall('mylib.add', { args: [2, 0], deferred: true });
    const plain = await queue.enqueue('mylib.add', 3, 0);
    const cli = (...args: string[]) => run(process.execPath, ['--import', 'tsx', `${REPO_ROOT}/src/cli/index.ts`, '-u', env.redis.url, 'release', ...args], { cwd: REPO_ROOT, timeoutMs: 60_000 });

    const first = await cli(future.id, lonely.id);
    expect(first.exitCode, first.all).toBe(0);
    expect(first.stdout.trim().split('\n')).toEqual([
      `Released ${future.id}: 1 held job queued, the future runs after them`,
      `Released ${lonely.id}: 0 held jobs queued, the future is queued`,
    ]);
    expect(await queue.jobIds).toEqual([plain.id, held.id, lonely.id]);
    // Only the future waits on: its held job and the queued future left the deferred registry.
    expect(await queue.deferredJobRegistry.getJobIds()).toEqual([future.id]);
    const again = await cli(future.id, plain.id);
    expect(again.stdout.trim()).toBe(`${future.id} was released already; nothing done`);
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toMatch(/InvalidOperationError: .*not a future/);
  });
});
