/**
 * Worker inspection and control from a producer: `Worker.all` / `Worker.find` read Python workers of every
 * installed RQ version (each serializer) and the Node worker alike; `sendKillHorseCommand` and
 * `sendShutdownCommand` reach them; a worker that is not registered gets a typed error.
 */
import { describe, expect, it } from 'vitest';
import {
  JobFailedError,
  NoSuchWorkerError,
  Queue,
  Worker,
  WorkerInfo,
  getCurrentJob,
  sendKillHorseCommand,
  sendShutdownCommand,
  type Job,
} from '../../src/index.js';
import { privateRedis, rqVersions, uniqueName, type PySerializer, type RqInstall } from '../helpers/index.js';
import { startWorker, type WorkerProcess } from '../helpers/rq.js';

const env = privateRedis();
const quiet = { info() {}, warn() {}, error() {} };

/** Poll `check` until it returns a value that is not undefined, or fail after `ms`. */
async function until<T>(what: string, check: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface PythonCase {
  rq: RqInstall;
  serializer: PySerializer;
  name: string;
  queue: Queue;
  process?: WorkerProcess;
  blocking?: Job;
}

describe('Worker.all / Worker.find and worker commands', () => {
  it('lists Python (every RQ version, both serializers) and Node workers; kill-horse and shutdown reach them', async () => {
    const cases: PythonCase[] = rqVersions().flatMap((rq) =>
      (['pickle', 'json'] as const).map((serializer) => {
        const name = uniqueName(`py${rq.version.replace(/\./g, '')}${serializer}`);
        return { rq, serializer, name, queue: new Queue(uniqueName('ctl'), { connection: env.connection, serializer }) };
      }),
    );
    // A job that runs until told (or killed), so every worker is caught busy.
    for (const c of cases) c.blocking = await c.queue.enqueue('mylib.block', `release:${c.name}`, 120);

    const nodeQueue = new Queue(uniqueName('ctlnode'), { connection: env.connection, serializer: 'json' });
    const node = new Worker({
      connection: env.connection,
      queues: [nodeQueue.name],
      serializer: 'json',
      name: uniqueName('nodectl'),
      logger: quiet,
      dequeueTimeout: 1,
      handlers: {
        'nodetasks.block': () =>
          new Promise((resolve) => getCurrentJob()!.signal.addEventListener('abort', () => resolve(null), { once: true })),
        'nodetasks.add': (a: number, b: number) => a + b,
      },
    });
    const nodeJob = await nodeQueue.enqueue('nodetasks.block');
    const nodeDone = node.work();

    try {
      for (const c of cases) {
        c.process = await startWorker({ rq: c.rq, url: env.redis.url, queues: [c.queue.name], serializer: c.serializer, name: c.name });
      }

      // Every worker registered and busy with its blocking job.
      const names = [...cases.map((c) => c.name), node.name];
      const all = await until('every worker busy', async () => {
        const workers = await Worker.all({ connection: env.connection });
        const mine = workers.filter((w) => names.includes(w.name));
        return mine.length === names.length && mine.every((w) => w.state === 'busy' && w.currentJobId !== null) ? mine : undefined;
      });
      expect(all.map((w) => w.name)).toEqual([...names].sort());

      for (const c of cases) {
        const w = all.find((x) => x.name === c.name)!;
        expect(w).toBeInstanceOf(WorkerInfo);
        expect(w.queues).toEqual([c.queue.name]);
        expect(w.currentJobId).toBe(c.blocking!.id);
        expect(w.version).toBe(c.rq.version);
        expect(w.pid).toBe(c.process!.pid);
        expect(w.pythonVersion).toMatch(/^3\.\d+/);
        expect(w.hostname).toBeTruthy();
        expect(w.birth).toBeInstanceOf(Date);
        expect(w.lastHeartbeat!.getTime()).toBeGreaterThanOrEqual(w.birth!.getTime());
        expect(Math.abs(w.lastHeartbeat!.getTime() - Date.now())).toBeLessThan(600_000);
        expect(w.death).toBeNull();
        expect([w.successfulJobCount, w.failedJobCount]).toEqual([0, 0]);
        // The current job loads with the serializer the view was asked for.
        const current = (await Worker.find(c.name, { connection: env.connection, serializer: c.serializer }))!;
        const job = (await current.currentJob)!;
        expect([job.id, job.funcName, job.args]).toEqual([c.blocking!.id, 'mylib.block', [`release:${c.name}`, 120]]);
      }
      const nodeView = all.find((w) => w.name === node.name)!;
      expect([nodeView.queues, nodeView.currentJobId, nodeView.version?.startsWith('rqts-'), nodeView.pid]).toEqual([
        [nodeQueue.name], nodeJob.id, true, process.pid,
      ]);
      expect(nodeView.pythonVersion).toBe(`node ${process.version}`);

      // Workers listening on one queue.
      const onQueue = await Worker.all({ connection: env.connection, queue: cases[0]!.queue.name });
      expect(onQueue.map((w) => w.name)).toEqual([cases[0]!.name]);

      // kill-horse: Python's horse dies and the job fails; so does the Node worker's job (RQ's dead work-horse text).
      await Promise.all(cases.map((c) => sendKillHorseCommand(env.connection, c.name)));
      await (await Worker.find(node.name, { connection: env.connection }))!.sendKillHorseCommand();
      for (const c of cases) {
        const error = await c.blocking!.wait({ timeout: 30_000 }).catch((e: unknown) => e);
        expect(error, c.name).toBeInstanceOf(JobFailedError);
      }
      const nodeError = await nodeJob.wait({ timeout: 30_000 }).catch((e: unknown) => e);
      expect(nodeError).toBeInstanceOf(JobFailedError);
      expect((nodeError as JobFailedError).excInfo).toContain('Work-horse terminated unexpectedly');

      // The workers carry on: one more job each, then the counters and state reflect both.
      const quick = await Promise.all(cases.map((c) => c.queue.enqueue('mylib.add', 1, 2)));
      const nodeQuick = await nodeQueue.enqueue('nodetasks.add', 2, 3);
      expect(await Promise.all(quick.map((j) => j.wait({ timeout: 30_000 })))).toEqual(cases.map(() => 3));
      expect(await nodeQuick.wait({ timeout: 30_000 })).toBe(5);
      const after = await until('counters updated', async () => {
        const workers = (await Worker.all({ connection: env.connection })).filter((w) => names.includes(w.name));
        return workers.every((w) => w.successfulJobCount === 1 && w.failedJobCount === 1 && w.state !== 'busy') ? workers : undefined;
      });
      for (const w of after) {
        expect(w.currentJobId, w.name).toBeNull();
        expect(w.totalWorkingTime, w.name).toBeGreaterThan(0);
      }

      // shutdown: every worker unregisters and exits by itself.
      await Promise.all(cases.map((c) => sendShutdownCommand(env.connection, c.name)));
      await sendShutdownCommand(env.connection, node.name);
      const exits = await Promise.all(cases.map((c) => c.process!.exited));
      exits.forEach((run, i) => expect(run.exitCode, `${cases[i]!.name}\n${run.log}`).toBe(0));
      await nodeDone;
      expect((await Worker.all({ connection: env.connection })).filter((w) => names.includes(w.name))).toEqual([]);
      // A worker that unregistered is no longer a target.
      const late = await sendShutdownCommand(env.connection, cases[0]!.name).catch((e: unknown) => e);
      expect(late).toBeInstanceOf(NoSuchWorkerError);
      expect((late as NoSuchWorkerError).workerName).toBe(cases[0]!.name);
    } finally {
      await node.stop();
      await Promise.all(cases.map((c) => c.process?.stop()));
    }
  }, 120_000);

  it('rejects commands to a worker that is not registered, and drops stale registrations', async () => {
    const ghost = uniqueName('ghost');
    for (const send of [sendShutdownCommand, sendKillHorseCommand]) {
      const error = await send(env.connection, ghost).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NoSuchWorkerError);
      expect((error as Error).message).toContain(ghost);
    }
    expect(await Worker.find(ghost, { connection: env.connection })).toBeNull();
    // A key in rq:workers whose hash expired (a worker killed with SIGKILL) is dropped, as RQ does.
    await env.connection.command(['SADD', 'rq:workers', `rq:worker:${ghost}`]);
    expect((await Worker.all({ connection: env.connection })).map((w) => w.name)).not.toContain(ghost);
    expect(Number(await env.connection.command(['SISMEMBER', 'rq:workers', `rq:worker:${ghost}`]))).toBe(0);
    await expect(Worker.find('has space', { connection: env.connection })).rejects.toMatchObject({ name: 'InvalidArgumentError', option: 'workerName' });
  });
});
