/**
 * The Node worker as an RQ citizen: callbacks run (JS) or are reported (Python), `rq suspend` pauses it,
 * progress saved from a handler lands in meta, options are checked, stop() resolves once unregistered.
 */
import { describe, expect, it } from 'vitest';
import { Callback, InvalidArgumentError, JobFailedError, Queue, Worker, getCurrentJob, isSuspended, resume, suspend, type Job } from '../../src/index.js';
import { expectExpiry, privateRedis, rqVersions, runPython, runPythonJson, timeWindow, uniqueName, until } from '../helpers/index.js';
import { pyPrelude } from '../helpers/python.js';

const env = privateRedis();
const quiet = { info() {}, warn() {}, error() {} };

describe.each(rqVersions())('with RQ $version', (rq) => {
  it('rq suspend pauses a Node worker (burst exits, the job stays queued); rq resume lets it run', async () => {
    const queue = new Queue(uniqueName('susp'), { connection: env.connection });
    const handlers = { 'nodetasks.ok': () => 'ran' };
    const suspended = await runPython(rq, `${pyPrelude('pickle')}
from rq.suspension import suspend
suspend(conn)`, { url: env.redis.url });
    expect(suspended.exitCode, suspended.stderr).toBe(0);
    const j = await queue.enqueue('nodetasks.ok');
    const paused = new Worker({ connection: env.connection, queues: [queue.name], burst: true, handlers, logger: quiet });
    await paused.work();
    expect(paused.counts).toEqual({ successful: 0, failed: 0 });
    expect(await j.status).toBe('queued');
    const resumed = await runPython(rq, `${pyPrelude('pickle')}
from rq.suspension import resume
resume(conn)`, { url: env.redis.url });
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    const worker = new Worker({ connection: env.connection, queues: [queue.name], burst: true, handlers, logger: quiet });
    await worker.work();
    expect(await j.wait({ timeout: 5_000 })).toBe('ran');

    // A worker already waiting on the queue when RQ is suspended: the job that wakes it is left queued.
    const waiting = new Worker({ connection: env.connection, queues: [queue.name], handlers, logger: quiet, handleSignals: false, dequeueTimeout: 1 });
    const working = waiting.work();
    await until(async () => (await env.connection.command(['HGET', `rq:worker:${waiting.name}`, 'state'])) !== null, 'the worker to register');
    expect((await runPython(rq, `${pyPrelude('pickle')}\nfrom rq.suspension import suspend\nsuspend(conn)`, { url: env.redis.url })).exitCode).toBe(0);
    const held = await queue.enqueue('nodetasks.ok');
    await until(async () => String(await env.connection.command(['HGET', `rq:worker:${waiting.name}`, 'state'])) === 'suspended', 'the waiting worker to see the suspension');
    expect(await held.status).toBe('queued');
    expect((await runPython(rq, `${pyPrelude('pickle')}\nfrom rq.suspension import resume\nresume(conn)`, { url: env.redis.url })).exitCode).toBe(0);
    expect(await held.wait({ timeout: 10_000 })).toBe('ran');
    await waiting.stop();
    await working;
  });
});

describe('callbacks', () => {
  it('JS callbacks run with RQ\'s arguments; a Python callback fails the job before it runs, saying why', async () => {
    const queue = new Queue(uniqueName('cb'), { connection: env.connection });
    const seen: unknown[] = [];
    let ran = 0;
    const handlers = {
      'nodetasks.cb_ok': (n: number) => {
        ran += 1;
        return n + 1;
      },
      'nodetasks.cb_fail': () => {
        ran += 1;
        throw new TypeError('bad input');
      },
      'nodetasks.cb_wait': () => new Promise((resolve) => getCurrentJob()!.signal.addEventListener('abort', resolve)),
      'nodetasks.on_success': (job: Job, _c: unknown, result: unknown) => void seen.push(['success', job.id, result]),
      'nodetasks.on_failure': (job: Job, _c: unknown, type: string, value: string) => void seen.push(['failure', job.id, type, value]),
      'nodetasks.on_stopped': (job: Job) => void seen.push(['stopped', job.id]),
      'nodetasks.on_success_raises': () => {
        throw new Error('callback broke');
      },
    };
    const ok = await queue.enqueueCall('nodetasks.cb_ok', { args: [41], onSuccess: 'nodetasks.on_success', onFailure: 'nodetasks.on_failure' });
    const bad = await queue.enqueueCall('nodetasks.cb_fail', { onFailure: new Callback('nodetasks.on_failure', { timeout: 5 }) });
    const brokenCallback = await queue.enqueueCall('nodetasks.cb_ok', { args: [1], onSuccess: 'nodetasks.on_success_raises' });
    const python = await queue.enqueueCall('nodetasks.cb_ok', { args: [1], onSuccess: 'mylib.notify' });
    const worker = new Worker({ connection: env.connection, queues: [queue.name], handlers, logger: quiet, dequeueTimeout: 1, handleSignals: false });
    const working = worker.work();
    try {
      const stopped = await queue.enqueueCall('nodetasks.cb_wait', { onStopped: 'nodetasks.on_stopped' });
      await until(async () => (await stopped.status) === 'started', 'the job to start');
      await stopped.stop();
      await until(async () => (await stopped.status) === 'stopped', 'the job to stop');
      expect(await ok.wait({ timeout: 10_000 })).toBe(42);
      await expect(bad.wait({ timeout: 10_000 })).rejects.toBeInstanceOf(JobFailedError);
      const broken = await brokenCallback.wait({ timeout: 10_000 }).catch((e) => e);
      expect((broken as JobFailedError).excType).toBe('Error');
      expect((broken as JobFailedError).message).toContain('callback broke');
      const refused = (await python.wait({ timeout: 10_000 }).catch((e) => e)) as JobFailedError;
      expect(refused.excType).toBe('rqts.UnsupportedCallbackError');
      expect(refused.message).toContain('on_success callback mylib.notify');
      // Four jobs of cb_ok/cb_fail were popped; the one with a Python callback never ran.
      expect(ran).toBe(3);
      expect(seen).toEqual(expect.arrayContaining([
        ['success', ok.id, 42],
        ['failure', bad.id, 'TypeError', 'bad input'],
        ['stopped', stopped.id],
      ]));
      expect(seen).toHaveLength(3);
    } finally {
      await worker.stop();
      await working;
    }
    // Python reads the refusal like any failure.
    const rq = rqVersions()[0]!;
    const read = await runPythonJson<string>(rq, `${pyPrelude('pickle')}
j = fetch(${JSON.stringify(python.id)})
print(json.dumps(status_of(j)))`, { url: env.redis.url });
    expect(read).toBe('failed');
  });
});

describe('suspension API', () => {
  it('suspend()/resume() write what rq suspend writes, and reject a bad duration', async () => {
    const [, window] = await timeWindow(env.connection, () => suspend(env.connection, { duration: 30 }));
    expect(await isSuspended(env.connection)).toBe(true);
    await expectExpiry(env.connection, 'rq:suspended', 30, window); // as `rq suspend --duration 30`: SET … EX 30
    await resume(env.connection);
    expect(await isSuspended(env.connection)).toBe(false);
    await expect(suspend(env.connection, { duration: 1.5 })).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});

describe('worker lifecycle', () => {
  it('stop() resolves once unregistered; maxJobs and maxIdleTime end work(); progress lands in meta', async () => {
    const queue = new Queue(uniqueName('life'), { connection: env.connection });
    const handlers = {
      'nodetasks.progress': async () => {
        const { job } = getCurrentJob()!;
        await job.saveMeta({ ...(await job.meta), progress: 50 });
        return 'done';
      },
    };
    const jobs = await Promise.all([1, 2, 3].map(() => queue.enqueue('nodetasks.progress')));
    const limited = new Worker({ connection: env.connection, queues: [queue.name], handlers, logger: quiet, maxJobs: 2, handleSignals: false });
    await limited.work();
    expect(limited.counts).toEqual({ successful: 2, failed: 0 });
    expect(await queue.count).toBe(1);
    expect(await jobs[0]!.meta).toEqual({ progress: 50 });
    const idle = new Worker({ connection: env.connection, queues: [queue.name], handlers, logger: quiet, maxIdleTime: 1, handleSignals: false });
    await idle.work();
    expect(idle.counts.successful).toBe(1);
    const waiting = new Worker({ connection: env.connection, queues: [queue.name], handlers, logger: quiet, handleSignals: false });
    const working = waiting.work();
    await until(async () => (await env.connection.command(['SISMEMBER', 'rq:workers', `rq:worker:${waiting.name}`])) === 1, 'registration');
    await waiting.stop();
    expect(await env.connection.command(['SISMEMBER', 'rq:workers', `rq:worker:${waiting.name}`])).toBe(0);
    await working;
  });
});
