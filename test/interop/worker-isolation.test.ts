/**
 * Halting for real: with isolation 'thread' or 'process' a timeout, a stop-job command (sent by Python RQ)
 * and kill-horse end the function — even a synchronous busy loop — while the worker's event loop keeps
 * serving; failures read like RQ's, and Python reads them back. Progress saved from inside a task lands in
 * the job's meta.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError, Queue, Worker, resultOf } from '../../src/index.js';
import { privateRedis, rqVersions, runPythonJson, uniqueName, until } from '../helpers/index.js';
import { pyPrelude } from '../helpers/python.js';

const env = privateRedis();
const quiet = { info() {}, warn() {}, error() {} };
const TASKS = fileURLToPath(new URL('../tasks/node-tasks.ts', import.meta.url));

describe('a thread-isolated worker shared by every RQ version', () => {
  // One worker (and one warm pool) for all versions: threads by default, one task in a child process.
  const queueName = uniqueName('iso');
  let worker: Worker;
  let working: Promise<void>;
  beforeAll(() => {
    worker = new Worker({
      connection: env.redis.url, queues: [queueName], require: [TASKS], isolation: 'thread', concurrency: 2,
      taskIsolation: { 'nodetasks.explode': 'process' }, logger: quiet, dequeueTimeout: 1, handleSignals: false,
    });
    working = worker.work();
  });
  afterAll(async () => {
    await worker.stop();
    await working;
  });

  it.each(rqVersions())('RQ $version: a busy loop times out, Python stops another, the worker carries on', async (rq) => {
    const queue = new Queue(queueName, { connection: env.connection });
    const timedOut = await queue.enqueueCall('nodetasks.spin', { jobTimeout: 1 });
    const stopped = await queue.enqueueCall('nodetasks.spin', { jobTimeout: 600 });
    // The second spin occupies the other slot: Python's stop-job command must get through meanwhile.
    await until(async () => (await stopped.meta).spinning === true, 'the second spin to start', 120_000);
    await runPythonJson(rq, `${pyPrelude('pickle')}
from rq.command import send_stop_job_command
send_stop_job_command(conn, ${JSON.stringify(stopped.id)})
print(json.dumps(True))`, { url: env.redis.url });
    const failed = await queue.enqueue('nodetasks.explode');
    const after = await queue.enqueue('nodetasks.where_am_i', 'after');
    const result = (await after.wait({ timeout: 120_000 })) as { label: string; threadId: number };
    expect(result.label).toBe('after');
    expect(result.threadId).toBeGreaterThan(0);
    expect(await after.meta).toMatchObject({ progress: 100, label: 'after' });
    await until(async () => (await failed.status) === 'failed', 'the process job to fail', 120_000);
    await until(async () => (await timedOut.status) === 'failed', 'the busy loop to time out', 120_000);

    const python = await runPythonJson<Record<string, unknown>>(rq, `${pyPrelude('pickle')}
def last(i):
    j = fetch(i)
    r = j.latest_result() if hasattr(j, 'latest_result') else None
    text = (r.exc_string if r is not None else j.exc_info) or ''
    return [status_of(j), text.strip().splitlines()[-1]]
print(json.dumps({'timeout': last(${JSON.stringify(timedOut.id)}), 'stopped': last(${JSON.stringify(stopped.id)}), 'failed': last(${JSON.stringify(failed.id)})}))`, { url: env.redis.url });
    expect(python).toEqual({
      timeout: ['failed', 'rq.timeouts.JobTimeoutException: Task exceeded maximum timeout value (1 seconds)'],
      stopped: ['stopped', 'Job stopped by user, work-horse terminated.'],
      failed: ['failed', 'RangeError: exploded in isolation'],
    });
    expect(await queue.startedJobRegistry.count).toBe(0);
  }, 300_000);

  it('resultOf arguments and chunked maps resolve inside the executor thread', async () => {
    const queue = new Queue(queueName, { connection: env.connection });
    const squares = queue.map<number[]>('nodetasks.square', [1, 2, 3, 4, 5], { chunkSize: 2 });
    const sum = await squares.reduce<number>('nodetasks.total', { args: [1000] });
    const combined = await queue.enqueue<number>('nodetasks.total', [resultOf(sum), resultOf(sum)]);
    expect(await sum.wait({ timeout: 120_000 })).toBe(1055);
    expect(await combined.wait({ timeout: 120_000 })).toBe(2110);
  }, 300_000);
});

describe('isolation', () => {
  it('a process executor is killed on kill-horse; an executor that dies fails its job as a dead work-horse', async () => {
    const queue = new Queue(uniqueName('isoproc'), { connection: env.connection });
    const worker = new Worker({ connection: env.redis.url, queues: [queue.name], require: [TASKS], isolation: 'process', logger: quiet, dequeueTimeout: 1, handleSignals: false });
    const working = worker.work();
    try {
      const spinning = await queue.enqueueCall('nodetasks.spin', { jobTimeout: 600 });
      const meta = await until(async () => {
        const m = (await spinning.meta) as { pid?: number };
        return m.pid ? m : null;
      }, 'the spin to start', 120_000);
      expect(meta.pid).not.toBe(process.pid);
      await env.connection.command(['PUBLISH', `rq:pubsub:${worker.name}`, JSON.stringify({ command: 'kill-horse' })]);
      await until(async () => (await spinning.status) === 'failed', 'kill-horse to fail the job');
      expect(lastLine((await spinning.latestResult())?.excString ?? '')).toBe('Work-horse terminated unexpectedly; waitpid returned 9 (signal 9);');
      // The process is gone, not merely abandoned.
      await until(() => !alive(meta.pid!), `process ${meta.pid} to exit`);
      const exited = await queue.enqueue('nodetasks.exit_now');
      await until(async () => (await exited.status) === 'failed', 'the exiting job to fail', 120_000);
      expect(lastLine((await exited.latestResult())?.excString ?? '')).toBe('Work-horse terminated unexpectedly; waitpid returned 768;');
    } finally {
      await worker.stop();
      await working;
    }
  }, 300_000);

  it('rejects isolation it cannot honour, naming the option, before touching Redis', () => {
    const base = { connection: env.redis.url, queues: ['q'] };
    expect(() => new Worker({ ...base, isolation: 'thread' })).toThrow(/require/);
    expect(() => new Worker({ ...base, isolation: 'fork' as never, require: [TASKS] })).toThrow(InvalidArgumentError);
    expect(() => new Worker({ ...base, isolation: 'process', require: [TASKS], handlers: { f: () => 1 } })).toThrow(/handlers\.f/);
    expect(() => new Worker({ ...base, burts: true } as never)).toThrow(/Worker option "burts"/);
    expect(() => new Worker({ ...base, concurrency: 0 })).toThrow(/concurrency/);
  });
});

function lastLine(text: string): string {
  return text.trim().split('\n').pop()!.trim();
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
