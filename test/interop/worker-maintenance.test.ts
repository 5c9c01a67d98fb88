/**
 * The Node worker's maintenance and scheduler: jobs abandoned by dead Python and Node workers and dead worker
 * registrations are cleaned by a Node worker alone; scheduled jobs and delayed retries run on queues only
 * Node workers serve; a Python scheduler beside a Node one never enqueues a job twice; SIGTERM twice leaves
 * no job `started`.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Queue, Retry, Worker } from '../../src/index.js';
import { REPO_ROOT, privateRedis, rqVersions, runPythonJson, startWorker, uniqueName, until } from '../helpers/index.js';
import { pyPrelude } from '../helpers/python.js';

const env = privateRedis();
const quiet = { info() {}, warn() {}, error() {} };
const TASKS = fileURLToPath(new URL('../tasks/node-tasks.ts', import.meta.url));

/**
 * Time passes for a dead worker's queue: its started-registry scores fall into the past, and the cleaning lock
 * it may hold lapses (RQ 1.13 never releases it; it expires after 899 s).
 */
async function expireHeartbeats(queue: string): Promise<void> {
  const members = (await env.connection.command(['ZRANGE', `rq:wip:${queue}`, '0', '-1'])) as Buffer[];
  for (const m of members) await env.connection.command(['ZADD', `rq:wip:${queue}`, 'XX', '1', m]);
  await env.connection.command(['DEL', `rq:clean_registries:${queue}`]);
}

/** `rqts worker` as its own process (so it can be killed or signalled). */
function cliWorker(args: string[]): { pid: number; exited: Promise<number | null>; output: () => string } {
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', `${REPO_ROOT}/src/cli/index.ts`, '-u', env.redis.url, 'worker', '--require', TASKS, ...args], {
    cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { pid: child.pid!, exited, output: () => output };
}

describe.each(rqVersions())('with RQ $version', (rq) => {
  it('a Node worker fails a job a killed Python worker abandoned, and drops the dead registration', async () => {
    const queue = uniqueName('abandon');
    const ids = await runPythonJson<{ id: string }>(rq, `${pyPrelude('pickle')}
q = Queue(${JSON.stringify(queue)}, connection=conn)
print(json.dumps({'id': q.enqueue('mylib.block', 'never-pushed-${queue}', 600, job_timeout=900).id}))`, { url: env.redis.url });
    const python = await startWorker({ rq, url: env.redis.url, queues: [queue], name: `py-${queue}` });
    await until(async () => String(await env.connection.command(['HGET', `rq:job:${ids.id}`, 'status'])) === 'started', 'the Python job to start', 60_000);
    process.kill(-python.pid, 'SIGKILL');
    await python.exited;
    // Time passes: the heartbeat score lapses and the dead worker's hash expires.
    await expireHeartbeats(queue);
    await env.connection.command(['DEL', `rq:worker:py-${queue}`]);
    const node = new Worker({ connection: env.connection, queues: [queue], burst: true, logger: quiet, handleSignals: false });
    await node.work();
    const read = await runPythonJson<Record<string, unknown>>(rq, `${pyPrelude('pickle')}
j = fetch(${JSON.stringify(ids.id)})
r = j.latest_result() if hasattr(j, 'latest_result') else None
print(json.dumps({'status': status_of(j), 'exc': (r.exc_string if r is not None else j.exc_info) or ''}))`, { url: env.redis.url });
    expect(read.status).toBe('failed');
    expect(read.exc).toContain('AbandonedJobError');
    expect(await env.connection.command(['ZCARD', `rq:wip:${queue}`])).toBe(0);
    expect(await env.connection.command(['SISMEMBER', 'rq:workers', `rq:worker:py-${queue}`])).toBe(0);
    expect(await env.connection.command(['SISMEMBER', `rq:workers:${queue}`, `rq:worker:py-${queue}`])).toBe(0);
  });

  it('a Node scheduler runs enqueue_at jobs and delayed retries on a Node-only queue; beside a Python scheduler nothing runs twice', async () => {
    // `nodeOnly` is served by the Node worker alone; `shared` by it and a Python worker with its own scheduler.
    const nodeOnly = new Queue(uniqueName('schednode'), { connection: env.connection });
    const shared = new Queue(uniqueName('schedboth'), { connection: env.connection });
    let attempts = 0;
    const handlers = {
      'mylib.add': (a: number, b: number) => a + b,
      'nodetasks.flaky_once': () => {
        attempts += 1;
        if (attempts === 1) throw new Error('first attempt fails');
        return 'second time lucky';
      },
    };
    const due = await runPythonJson<{ at: number; node: string; shared: string[] }>(rq, `${pyPrelude('pickle')}
from datetime import datetime, timedelta, timezone
nq = Queue(${JSON.stringify(nodeOnly.name)}, connection=conn)
sq = Queue(${JSON.stringify(shared.name)}, connection=conn)
at = datetime.now(timezone.utc) + timedelta(seconds=2)
print(json.dumps({'at': at.timestamp(), 'node': nq.enqueue_at(at, 'mylib.add', 20, 1).id, 'shared': [sq.enqueue_at(at, 'mylib.add', i, 1).id for i in range(30)]}))`, { url: env.redis.url });
    const retried = await nodeOnly.enqueueCall('nodetasks.flaky_once', { retry: new Retry({ max: 1, interval: 1 }) });
    const python = await startWorker({ rq, url: env.redis.url, queues: [shared.name], withScheduler: true });
    const node = new Worker({
      connection: env.connection, queues: [nodeOnly.name, shared.name], handlers, withScheduler: true, concurrency: 4, logger: quiet,
      dequeueTimeout: 1, handleSignals: false,
    });
    const working = node.work();
    try {
      expect(await retried.wait({ timeout: 60_000 })).toBe('second time lucky');
      const scheduled = (await nodeOnly.fetchJob(due.node))!;
      expect(await scheduled.wait({ timeout: 60_000 })).toBe(21);
      // Not before its time (an order of events): RQ scores it at enqueue_at's whole second; the scheduler
      // queued it (enqueued_at, which a scheduled job lacks) in that second or later, then it ran.
      const dueMs = Math.floor(due.at) * 1000;
      const enqueuedAt = await scheduled.enqueuedAt;
      expect(enqueuedAt, 'enqueued_at written by the scheduler').not.toBeNull();
      expect(enqueuedAt!.getTime()).toBeGreaterThanOrEqual(dueMs);
      expect((await scheduled.startedAt)!.getTime()).toBeGreaterThanOrEqual(enqueuedAt!.getTime());
      await until(async () => (await shared.finishedJobRegistry.count) >= 30, 'every shared scheduled job to finish', 60_000);
    } finally {
      await node.stop();
      await working;
      await python.stop();
    }
    // Each job ran once: one result entry each, none failed, none left scheduled.
    const lengths = await env.connection.pipeline(due.shared.map((id) => ['XLEN', `rq:results:${id}`]));
    expect(lengths).toEqual(due.shared.map(() => 1));
    expect(await shared.failedJobRegistry.count).toBe(0);
    expect(await shared.scheduledJobRegistry.count).toBe(0);
    expect(attempts).toBe(2);
  }, 180_000);
});

describe('abandoned Node jobs and shutdown', () => {
  it('a killed Node worker\'s job is failed by another Node worker; SIGTERM twice leaves no job started', async () => {
    const queue = new Queue(uniqueName('nodedeath'), { connection: env.connection });
    const abandoned = await queue.enqueueCall('nodetasks.hang', { jobTimeout: 600 });
    const killed = cliWorker([queue.name]);
    await until(async () => (await abandoned.status) === 'started', `the Node job to start: ${killed.output()}`, 180_000);
    process.kill(killed.pid, 'SIGKILL');
    await killed.exited;
    await expireHeartbeats(queue.name);
    await new Worker({ connection: env.connection, queues: [queue.name], burst: true, logger: quiet, handleSignals: false }).work();
    expect(await abandoned.status).toBe('failed');
    expect((await abandoned.latestResult())?.excString).toContain('AbandonedJobError');

    const plain = await queue.enqueueCall('nodetasks.hang', { jobTimeout: 600 });
    const retried = await queue.enqueueCall('nodetasks.hang', { jobTimeout: 600, retry: new Retry({ max: 1 }) });
    const name = uniqueName('signalled');
    const signalled = cliWorker(['--concurrency', '2', '--name', name, queue.name]);
    await until(async () => (await plain.status) === 'started' && (await retried.status) === 'started', `both jobs to start: ${signalled.output()}`, 180_000);
    process.kill(signalled.pid, 'SIGTERM');
    await until(() => signalled.output().includes('warm shut down'), 'the warm shutdown to begin', 60_000);
    process.kill(signalled.pid, 'SIGTERM');
    expect(await signalled.exited).toBe(0);
    expect(await plain.status).toBe('failed');
    expect(await retried.status).toBe('queued');
    expect(await queue.startedJobRegistry.count).toBe(0);
    expect(await env.connection.command(['SISMEMBER', `rq:workers:${queue.name}`, `rq:worker:${name}`])).toBe(0);
  }, 400_000);
});

describe('10,000 jobs', () => {
  it('two Node workers (concurrency 20) and a Python worker run each job exactly once', async () => {
    const rq = rqVersions()[0]!;
    const queue = new Queue(uniqueName('tenk'), { connection: env.connection });
    const total = 10_000;
    const jobs = [];
    for (let i = 0; i < total; i += 1000) {
      jobs.push(...(await queue.enqueueMany(Array.from({ length: 1000 }, () => Queue.prepareData('mylib.noop', [])))));
    }
    const handlers = { 'mylib.noop': () => null };
    const nodes = [1, 2].map(() => new Worker({ connection: env.connection, queues: [queue.name], handlers, concurrency: 20, burst: true, logger: quiet, handleSignals: false }));
    const python = startWorker({ rq, url: env.redis.url, queues: [queue.name], burst: true });
    await Promise.all(nodes.map((n) => n.work()));
    const run = await (await python).exited;
    expect(run.exitCode, run.log).toBe(0);
    const ids = jobs.map((j) => j.id);
    const lengths = await env.connection.pipeline(ids.map((id) => ['XLEN', `rq:results:${id}`]));
    expect(lengths.filter((n) => n !== 1)).toEqual([]);
    expect(await queue.finishedJobRegistry.count).toBe(total);
    const byNode = nodes.reduce((n, w) => n + w.counts.successful, 0);
    expect(byNode).toBeGreaterThan(0);
    expect(byNode).toBeLessThanOrEqual(total);
  }, 600_000);
});
