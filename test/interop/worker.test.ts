/**
 * The Node worker in mixed deployments: it runs JS tasks enqueued by rqts and by Python producers, and
 * Python RQ's own API, `rq info` and Python workers' maintenance see its work exactly as a Python worker's.
 */
import { describe, expect, it } from 'vitest';
import {
  Connection,
  Defaults,
  JobFailedError,
  JobStoppedError,
  Queue,
  Retry,
  Worker,
  getCurrentJob,
  job,
  type Job,
  type WorkerOptions,
} from '../../src/index.js';
import {
  expectExpiry,
  hasTraceback,
  privateRedis,
  redisNowMs,
  rqInfo,
  rqVersions,
  runPythonJson,
  runWorker,
  startRedis,
  uniqueName,
  waitFor,
} from '../helpers/index.js';
import { pyPrelude } from '../helpers/python.js';

const env = privateRedis();
const quiet = { info() {}, warn() {}, error() {} };

/** Run a burst Node worker to completion. */
async function burst(options: Omit<WorkerOptions, 'connection'>): Promise<Worker> {
  const worker = new Worker({ connection: env.connection, burst: true, logger: quiet, ...options });
  await worker.work();
  return worker;
}

/**
 * A finished job's hash and results stream expire exactly `ttl` s after the worker finished it (between its
 * `ended_at` and `doneBy`, Redis ms), and its finished-registry score is `ended_at` (whole seconds) + ttl.
 */
async function expectKeptFor(job: Job, ttl: number, doneBy: number): Promise<void> {
  const ended = (await job.endedAt)!.getTime();
  const window = { from: ended, to: doneBy };
  await expectExpiry(env.connection, `rq:job:${job.id}`, ttl, window);
  await expectExpiry(env.connection, `rq:results:${job.id}`, ttl, window);
  const score = await env.connection.command(['ZSCORE', `rq:finished:${job.origin}`, job.id]);
  expect(Number(score)).toBe(Math.floor(ended / 1000) + ttl);
}

describe.each(rqVersions())('with RQ $version', (rq) => {
  it.each(['pickle', 'json'] as const)('runs JS tasks that Python reads back (%s)', async (serializer) => {
    const queue = new Queue(uniqueName('nodew'), { connection: env.connection, serializer });
    // Registered names are process-wide: one per RQ version and serializer.
    const suffix = `${rq.version.replace(/\./g, '_')}_${serializer}`;
    const double = job({ queue: queue.name, connection: env.connection, serializer, name: `nodetasks.double_${suffix}` })(async (n: number) => n * 2);
    const boom = job({ queue: queue.name, connection: env.connection, serializer, name: `nodetasks.boom_${suffix}` })(() => {
      throw new TypeError('boom from node');
    });
    const ok = await double.delay(21);
    const bad = await boom.delay();
    const withTtl = await double.delayWith({ resultTtl: 600, failureTtl: 100 }, 5);
    const worker = await burst({ queues: [queue.name], serializer });
    const doneBy = Math.ceil(await redisNowMs(env.connection));
    expect(worker.counts).toEqual({ successful: 2, failed: 1 });

    expect(await ok.wait({ timeout: 5_000 })).toBe(42);
    const failure = await bad.wait({ timeout: 5_000 }).catch((e) => e);
    expect(failure).toBeInstanceOf(JobFailedError);
    expect((failure as JobFailedError).excType).toBe('TypeError');
    expect(await queue.finishedJobRegistry.getJobIds()).toEqual(expect.arrayContaining([ok.id, withTtl.id]));
    expect(await queue.failedJobRegistry.getJobIds()).toEqual([bad.id]);
    expect(await queue.startedJobRegistry.count).toBe(0);
    await expectKeptFor(withTtl, 600, doneBy);

    const python = await runPythonJson<Record<string, unknown>>(rq, `${pyPrelude(serializer)}
ok = Job.fetch(${JSON.stringify(ok.id)}, connection=conn, serializer=S)
bad = Job.fetch(${JSON.stringify(bad.id)}, connection=conn, serializer=S)
print(json.dumps({'ok': status_of(ok), 'value': ok.return_value(), 'bad': status_of(bad), 'exc': (bad.latest_result().exc_string or '').strip().splitlines()[-1],
  'worker': ok.worker_name, 'started': ok.started_at is not None, 'ended': ok.ended_at is not None}))`, { url: env.redis.url });
    expect(python).toEqual({ ok: 'finished', value: 42, bad: 'failed', exc: 'TypeError: boom from node', worker: worker.name, started: true, ended: true });
    const info = await rqInfo(rq, env.redis.url, { serializer });
    expect(info.exitCode, info.output).toBe(0);
    expect(hasTraceback(info.output), info.output).toBe(false);
  });

  it('runs a Python producer\'s job and releases dependents to a Python worker', async () => {
    const nodeQueue = uniqueName('nodeq');
    const pyQueue = uniqueName('pyq');
    const worker = new Worker({
      connection: env.connection, queues: [nodeQueue], burst: true, logger: quiet,
      handlers: {
        'nodetasks.concat': (a: string, b: string, kwargs?: { sep?: string }) => [a, b].join(kwargs?.sep ?? ''),
        'nodetasks.boom': () => { throw new Error('boom'); },
      },
    });
    // A failed parent releases only the dependent that allows failures; the strict one stays deferred.
    const ids = await runPythonJson<{ parent: string; child: string; strict: string; tolerant: string }>(rq, `${pyPrelude('pickle')}
from rq.job import Dependency
nq = Queue(${JSON.stringify(nodeQueue)}, connection=conn)
pq = Queue(${JSON.stringify(pyQueue)}, connection=conn)
parent = nq.enqueue_call('nodetasks.concat', args=('a', 'b'), kwargs={'sep': '-'})
child = pq.enqueue('mylib.add', 1, 2, depends_on=parent)
bad = nq.enqueue_call('nodetasks.boom')
strict = pq.enqueue('mylib.add', 2, 2, depends_on=bad)
tolerant = pq.enqueue('mylib.add', 3, 3, depends_on=Dependency(jobs=[bad], allow_failure=True))
print(json.dumps({'parent': parent.id, 'child': child.id, 'strict': strict.id, 'tolerant': tolerant.id}))`, { url: env.redis.url });
    await worker.work();
    const run = await runWorker({ rq, url: env.redis.url, queues: [pyQueue], serializer: 'pickle' });
    expect(run.exitCode, run.log).toBe(0);
    const python = await runPythonJson<Record<string, unknown>>(rq, `${pyPrelude('pickle')}
p = Job.fetch(${JSON.stringify(ids.parent)}, connection=conn)
c = Job.fetch(${JSON.stringify(ids.child)}, connection=conn)
s = Job.fetch(${JSON.stringify(ids.strict)}, connection=conn)
t = Job.fetch(${JSON.stringify(ids.tolerant)}, connection=conn)
print(json.dumps({'parent': p.return_value(), 'child': c.return_value(), 'status': status_of(c),
  'strict': status_of(s), 'tolerant': t.return_value()}))`, { url: env.redis.url });
    expect(python).toEqual({ parent: 'a-b', child: 3, status: 'finished', strict: 'deferred', tolerant: 6 });
  });
});

describe('Node worker behaviour', () => {
  it('retries, then fails for good; unknown functions fail without stopping the worker', async () => {
    const queue = new Queue(uniqueName('retry'), { connection: env.connection });
    let calls = 0;
    const flaky = job({ queue: queue.name, connection: env.connection, name: 'nodetasks.flaky' })(() => {
      calls += 1;
      if (calls < 2) throw new Error('first attempt fails');
      return 'ok';
    });
    const a = await flaky.delayWith({ retry: new Retry({ max: 2 }) });
    const unknown = await queue.enqueue('nodetasks.does_not_exist', 1);
    const always = await queue.enqueueCall('nodetasks.flaky_never', { retry: new Retry({ max: 1 }) });
    await burst({ queues: [queue.name], handlers: { 'nodetasks.flaky_never': () => { throw new RangeError('never'); } } });
    expect(await a.wait({ timeout: 5_000 })).toBe('ok');
    expect(a.record.retriesLeft).toBe(2);
    expect((await a.refresh()).record.retriesLeft).toBe(1);
    await expect(unknown.wait({ timeout: 5_000 })).rejects.toThrow(/nodetasks\.does_not_exist/);
    const err = await always.wait({ timeout: 5_000 }).catch((e) => e);
    expect((err as JobFailedError).excType).toBe('RangeError');
    expect((await always.refresh()).record.retriesLeft).toBe(0);
  });

  it('honours job timeouts and stop-job commands, and exposes the current job', async () => {
    const queue = new Queue(uniqueName('stop'), { connection: env.connection });
    const seen: string[] = [];
    const worker = new Worker({
      connection: env.connection, queues: [queue.name], logger: quiet, dequeueTimeout: 1,
      handlers: {
        'nodetasks.wait_for_abort': () => new Promise((resolve) => {
          const current = getCurrentJob()!;
          seen.push(current.job.id);
          current.signal.addEventListener('abort', () => resolve('aborted'));
        }),
      },
    });
    const working = worker.work();
    const timedOut = await queue.enqueueCall('nodetasks.wait_for_abort', { jobTimeout: 1 });
    const err = await timedOut.wait({ timeout: 10_000 }).catch((e) => e);
    expect((err as JobFailedError).excType).toBe('rq.timeouts.JobTimeoutException');
    const stopped = await queue.enqueueCall('nodetasks.wait_for_abort', { jobTimeout: 60 });
    await waitFor(async () => (await stopped.status) === 'started', { what: 'the job to start' });
    await stopped.stop();
    await expect(stopped.wait({ timeout: 10_000 })).rejects.toBeInstanceOf(JobStoppedError);
    expect(await stopped.status).toBe('stopped');
    expect(seen).toEqual([timedOut.id, stopped.id]);
    await worker.stop();
    await working;
    expect(await env.connection.command(['SISMEMBER', 'rq:workers', `rq:worker:${worker.name}`])).toBe(0);
  });

  it('keeps its started-registry entry alive so Python maintenance leaves the job alone', async () => {
    const rq = rqVersions()[0]!;
    const queue = new Queue(uniqueName('alive'), { connection: env.connection });
    // The job runs until the test releases it, however long `rq info` takes on a loaded machine.
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const worker = new Worker({
      connection: env.connection, queues: [queue.name], logger: quiet, dequeueTimeout: 1,
      handlers: { 'nodetasks.hold': async (n: number) => (await released, n) },
    });
    const working = worker.work();
    const j = await queue.enqueue('nodetasks.hold', 1500);
    await waitFor(async () => (await j.status) === 'started', { what: 'the job to start' });
    // `rq info` runs the started registry's abandoned-job cleanup while the Node job runs.
    const info = await rqInfo(rq, env.redis.url, {});
    expect(info.exitCode, info.output).toBe(0);
    expect(info.output).toContain(worker.name);
    expect(await j.status).toBe('started');
    release();
    expect(await j.wait({ timeout: 10_000 })).toBe(1500);
    await worker.stop();
    await working;
  });

  it('survives a Redis restart: reconnects, registers again and keeps working', async () => {
    const server = await startRedis();
    const errors: string[] = [];
    const worker = new Worker({ connection: server.url, queues: ['after-restart'], logger: { ...quiet, error: (m: string) => errors.push(m) }, dequeueTimeout: 1 });
    const working = worker.work();
    const producer = new Queue('after-restart', { connection: server.url });
    try {
      expect(await (await producer.enqueue('nodetasks.unknown_before')).wait({ timeout: 10_000 }).catch((e) => e)).toBeInstanceOf(JobFailedError);
      await server.stop();
      await waitFor(() => errors.length > 0, { what: 'the worker to notice the outage' });
      const again = await startRedis({ port: server.port });
      try {
        const job = await producer.enqueue('nodetasks.unknown_after');
        expect(await job.wait({ timeout: 15_000 }).catch((e) => e)).toBeInstanceOf(JobFailedError);
        expect(await producer.connection.command(['SISMEMBER', 'rq:workers', `rq:worker:${worker.name}`])).toBe(1);
        await worker.stop();
        await working;
      } finally {
        await again.stop();
      }
    } finally {
      await producer.close();
    }
  });

  it('idles in a blocking pop longer than node-redis\'s 5 s command timeout without errors', async () => {
    const queue = new Queue(uniqueName('idle'), { connection: env.connection });
    const errors: string[] = [];
    const worker = new Worker({
      connection: env.connection, queues: [queue.name], dequeueTimeout: 30,
      logger: { info() {}, warn: (m: string) => errors.push(m), error: (m: string) => errors.push(m) },
      handlers: { 'nodetasks.late': () => 'late' },
    });
    const working = worker.work();
    // Redis itself says the pop has been blocked for more than 5 s (CLIENT LIST's idle is in seconds).
    await waitFor(async () => /\bidle=([6-9]|\d\d+) .*\bcmd=(blmove|brpoplpush|blpop)\b/.test(String(await env.connection.command(['CLIENT', 'LIST']))), {
      timeout: 20_000, what: 'a pop blocked for 6 s',
    });
    const j = await queue.enqueue('nodetasks.late');
    expect(await j.wait({ timeout: 10_000 })).toBe('late');
    // With node-redis's default timeout on the pop, a BLMOVE it had given up on stayed blocked in Redis and
    // stop() waited for it to expire; it must end well before the 30 s dequeue timeout.
    let stopped = false;
    void worker.stop().then(() => working).then(() => (stopped = true));
    await waitFor(() => stopped, { timeout: 20_000, what: 'stop() to end the pop before it expires' });
    expect(errors).toEqual([]);
  });

  it('layout 1 writes plain ids to the started registry, as RQ 1.x workers do', async () => {
    const rq = rqVersions().find((r) => r.major === 1) ?? rqVersions()[0]!;
    const queue = new Queue(uniqueName('layout1'), { connection: env.connection });
    const worker = new Worker({
      connection: env.connection, queues: [queue.name], logger: quiet, dequeueTimeout: 1, layout: 1,
      handlers: { 'nodetasks.nap': (ms: number) => new Promise((r) => setTimeout(() => r(ms), ms)) },
    });
    const working = worker.work();
    const j = await queue.enqueue('nodetasks.nap', 1200);
    await waitFor(async () => (await j.status) === 'started', { what: 'the job to start' });
    const members = await env.connection.command(['ZRANGE', `rq:wip:${queue.name}`, '0', '-1']);
    expect(members).toEqual([Buffer.from(j.id)]);
    expect(await env.connection.command(['EXISTS', `rq:executions:${j.id}`])).toBe(0);
    const info = await rqInfo(rq, env.redis.url, {});
    expect(info.exitCode, info.output).toBe(0);
    expect(await j.wait({ timeout: 10_000 })).toBe(1200);
    expect(await queue.startedJobRegistry.count).toBe(0);
    await worker.stop();
    await working;
  });

  it('layout 1: a job retried at once and popped again by the finish of its failed run is in the started registry while it runs again', async () => {
    // The finish removes the failed run's entry and adds the new run's under the same member (the id): the
    // removal must come first, or the job would run unregistered (and maintenance could not find it).
    const queue = new Queue(uniqueName('layout1retry'), { connection: env.connection });
    let runs = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const worker = new Worker({
      connection: env.connection, queues: [queue.name], logger: quiet, dequeueTimeout: 1, layout: 1,
      handlers: {
        'nodetasks.twice': async () => {
          runs += 1;
          if (runs === 1) throw new Error('first run fails');
          await gate;
          return runs;
        },
      },
    });
    const j = await queue.enqueueCall('nodetasks.twice', { retry: new Retry({ max: 1 }) });
    const working = worker.work();
    try {
      await waitFor(() => runs === 2, { what: 'the second run' });
      expect(await j.status).toBe('started');
      expect(await env.connection.command(['ZRANGE', `rq:wip:${queue.name}`, '0', '-1'])).toEqual([Buffer.from(j.id)]);
      release();
      expect(await j.wait({ timeout: 10_000 })).toBe(2);
      expect(await queue.startedJobRegistry.count).toBe(0);
    } finally {
      release();
      await worker.stop();
      await working;
    }
  });

  it('at concurrency 3, finishes take the next jobs from every queue, each once, dropping ids whose job is gone', async () => {
    const [high, low] = [new Queue(uniqueName('high'), { connection: env.connection }), new Queue(uniqueName('low'), { connection: env.connection })];
    const started: string[] = [];
    const a = [await high.enqueue('nodetasks.note', 'a1')];
    // An id with no job hash (deleted after it was queued): RQ's dequeue drops it and takes the next.
    await env.connection.command(['RPUSH', `rq:queue:${high.name}`, 'ghost-1']);
    a.push(await high.enqueue('nodetasks.note', 'a2'), await high.enqueue('nodetasks.note', 'a3'));
    await env.connection.command(['RPUSH', `rq:queue:${high.name}`, 'ghost-2', 'ghost-3']);
    a.push(await high.enqueue('nodetasks.note', 'a4'));
    const b = [];
    for (let i = 1; i <= 5; i++) b.push(await low.enqueue('nodetasks.note', `b${i}`));
    await burst({
      queues: [high.name, low.name], concurrency: 3,
      handlers: { 'nodetasks.note': async (name: string) => { started.push(name); await new Promise((r) => setImmediate(r)); return name; } },
    });
    expect([...started].sort()).toEqual(['a1', 'a2', 'a3', 'a4', 'b1', 'b2', 'b3', 'b4', 'b5']);
    for (const j of [...a, ...b]) expect(await j.status).toBe('finished');
    expect(await env.connection.command(['LLEN', `rq:queue:${high.name}`])).toBe(0);
    expect(await env.connection.command(['LLEN', `rq:queue:${low.name}`])).toBe(0);
    expect(await high.startedJobRegistry.count).toBe(0);
    expect(await low.startedJobRegistry.count).toBe(0);
    expect(await high.finishedJobRegistry.count).toBe(4);
    expect(await low.finishedJobRegistry.count).toBe(5);
  });

  it('at concurrency 50, a finish call carries at most half the slots\' finishes, and they still share calls', async () => {
    const queue = new Queue(uniqueName('halves'), { connection: env.connection });
    const jobs = await queue.enqueueMany(Array.from({ length: 1000 }, (_, i) => Queue.prepareData('nodetasks.noop', [i])));
    // The worker's own connection, its script calls counted: a finish of a no-op job carries one 'success'.
    const connection = await Connection.from(env.redis.url).open();
    const perCall: number[] = [];
    const script = connection.script.bind(connection);
    connection.script = (lua, keys, args, options) => {
      if (lua.name === 'finishJobs') perCall.push(args.filter((a) => a === 'success').length);
      return script(lua, keys, args, options);
    };
    try {
      await new Worker({ connection, queues: [queue.name], burst: true, concurrency: 50, logger: quiet, handlers: { 'nodetasks.noop': () => null } }).work();
    } finally {
      await connection.close();
    }
    for (const j of jobs) expect(await j.status).toBe('finished');
    expect(perCall.reduce((n, c) => n + c, 0)).toBe(1000);
    // Half of 50: two groups of 25 slots take turns, Redis finishing one while this process runs the other's
    // jobs (cut at the cap of 32 alone, they settled as 32 and 18 and waited on each other).
    expect(Math.max(...perCall)).toBe(25);
    expect(perCall.length).toBeLessThan(1000 / 10);
  });

  it('applies its resultTtl to jobs that set none, the job\'s own result_ttl otherwise, and RQ\'s default without either', async () => {
    const queue = new Queue(uniqueName('rttl'), { connection: env.connection });
    const plain = await queue.enqueue('nodetasks.one');
    const own = await queue.enqueueCall('nodetasks.one', { resultTtl: 900 });
    const forever = await queue.enqueueCall('nodetasks.one', { resultTtl: -1 });
    const gone = await queue.enqueueCall('nodetasks.one', { resultTtl: 0 });
    const failedOwn = await queue.enqueueCall('nodetasks.boom', { failureTtl: 700 });
    const failedDefault = await queue.enqueue('nodetasks.boom');
    const boom = () => { throw new Error('boom'); };
    await burst({ queues: [queue.name], resultTtl: 42, handlers: { 'nodetasks.one': () => 1, 'nodetasks.boom': boom } });
    const doneBy = Math.ceil(await redisNowMs(env.connection));
    await expectKeptFor(plain, 42, doneBy);
    await expectKeptFor(own, 900, doneBy);
    // Failures: the job's failure_ttl (its results stream too), else RQ's default of a year for the hash.
    for (const [failed, ttl] of [[failedOwn, 700], [failedDefault, Defaults.FAILURE_TTL]] as const) {
      expect(await failed.status).toBe('failed');
      const ended = (await failed.endedAt)!.getTime();
      await expectExpiry(env.connection, `rq:job:${failed.id}`, ttl, { from: ended, to: doneBy });
      const score = await env.connection.command(['ZSCORE', `rq:failed:${queue.name}`, failed.id]);
      expect(Number(score)).toBe(Math.floor(ended / 1000) + ttl);
    }
    await expectExpiry(env.connection, `rq:results:${failedOwn.id}`, 700, { from: (await failedOwn.endedAt)!.getTime(), to: doneBy });
    expect(await env.connection.command(['PEXPIRETIME', `rq:job:${forever.id}`])).toBe(-1);
    expect(await env.connection.command(['PEXPIRETIME', `rq:results:${forever.id}`])).toBe(-1);
    expect(String(await env.connection.command(['ZSCORE', `rq:finished:${queue.name}`, forever.id]))).toBe('inf');
    // result_ttl 0: deleted at once, and never in the finished registry (RQ's handle_job_success skips it).
    expect(await env.connection.command(['EXISTS', `rq:job:${gone.id}`, `rq:results:${gone.id}`])).toBe(0);
    expect(await env.connection.command(['ZSCORE', `rq:finished:${queue.name}`, gone.id])).toBeNull();
    expect(await forever.result).toBe(1);

    // RQ's job.cleanup(ttl) expires the dependents and dependencies sets with the job. A parent whose
    // dependent still waits on another job keeps its dependents set (for the result TTL); the child that ran
    // has a dependencies set; a parent whose dependents all left has none.
    const elsewhere = await new Queue(uniqueName('rttl-other'), { connection: env.connection }).enqueue('nodetasks.one');
    const parent = await queue.enqueue('nodetasks.one');
    const child = await queue.enqueueCall('nodetasks.one', { dependsOn: parent });
    const waiting = await queue.enqueueCall('nodetasks.one', { dependsOn: [child, elsewhere] });
    // A job deleted while it runs stays deleted: the finish does not write a stub of it back.
    const deletedWhileRunning = await queue.enqueue('nodetasks.selfdelete');
    await burst({
      queues: [queue.name], resultTtl: 42,
      handlers: {
        'nodetasks.one': () => 1,
        'nodetasks.selfdelete': async () => {
          await env.connection.command(['DEL', `rq:job:${getCurrentJob()!.job.id}`]);
          return 1;
        },
      },
    });
    const depsDoneBy = Math.ceil(await redisNowMs(env.connection));
    expect(await child.status).toBe('finished');
    expect(await waiting.status).toBe('deferred');
    const childWindow = { from: (await child.endedAt)!.getTime(), to: depsDoneBy };
    await expectExpiry(env.connection, `rq:job:${child.id}:dependents`, 42, childWindow);
    await expectExpiry(env.connection, `rq:job::${child.id}:dependencies`, 42, childWindow);
    expect(await env.connection.command(['EXISTS', `rq:job:${parent.id}:dependents`])).toBe(0);
    expect(await env.connection.command(['EXISTS', `rq:job:${deletedWhileRunning.id}`])).toBe(0);
    expect(await env.connection.command(['ZSCORE', `rq:finished:${queue.name}`, deletedWhileRunning.id])).toBeNull();

    // No resultTtl on the worker or the job: RQ's DEFAULT_RESULT_TTL, read from the installed RQ itself.
    const [rqDefault, rqFailureTtl] = await runPythonJson<[number, number]>(rqVersions()[0]!,
      'import json\nfrom rq.defaults import DEFAULT_RESULT_TTL, DEFAULT_FAILURE_TTL\nprint(json.dumps([DEFAULT_RESULT_TTL, DEFAULT_FAILURE_TTL]))');
    expect(Defaults.RESULT_TTL).toBe(rqDefault);
    expect(Defaults.FAILURE_TTL).toBe(rqFailureTtl);
    const byDefault = await queue.enqueue('nodetasks.one');
    await burst({ queues: [queue.name], handlers: { 'nodetasks.one': () => 1 } });
    await expectKeptFor(byDefault, rqDefault, Math.ceil(await redisNowMs(env.connection)));
  });
});
