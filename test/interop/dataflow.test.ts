/**
 * Results as arguments (`resultOf`) and follow-on waits, on stock `rq worker`s of every installed RQ version
 * × {pickle, json} with the `rqts_dataflow` helper on their path (as a deployment pip-installs it), and on
 * the Node worker. One burst worker run per version and serializer covers every case.
 */
import { describe, expect, it } from 'vitest';
import {
  Dependency,
  InvalidArgumentError,
  InvalidOperationError,
  Job,
  JobFailedError,
  Queue,
  ResultRef,
  resultOf,
  Worker,
  py,
} from '../../src/index.js';
import { Connection } from '../../src/connection.js';
import { privateRedis, rqVersions, runPythonJson, runWorker, startRedis, uniqueName } from '../helpers/index.js';
import { pyPrelude } from '../helpers/python.js';

const env = privateRedis();
/** RQ's non-forking worker class (every version has it): the same job code path, without a fork per job. */
const SIMPLE = ['--worker-class', 'rq.worker.SimpleWorker'];
const combos = rqVersions().flatMap((rq) => (['pickle', 'json'] as const).map((serializer) => ({ rq, serializer, label: `${rq.version}/${serializer}` })));

/** Tracebacks a run may print: only the jobs meant to fail. */
function expectOnlyIntendedTracebacks(log: string): void {
  const chunks = log.split('Traceback (most recent call last)').slice(1);
  for (const chunk of chunks) expect(chunk.slice(0, 4000), log).toMatch(/intentional failure from mylib\.fail|ParentJobError/);
}

describe.each(combos)('$label', ({ rq, serializer }) => {
  it('resultOf in args and nested kwargs, failed / deleted / expired parents, a follow-on chain of 3', async () => {
    const q = new Queue(uniqueName('dataflow'), { connection: env.connection, serializer });
    const a = await q.enqueue<number>('mylib.add', 1, 2);
    const b = await q.enqueue<number>('mylib.add', 3, 4);
    const total = await q.enqueue<number>('mylib.add', resultOf(a), resultOf(b));
    expect(total.description).toBe(`mylib.add(<result of ${a.id}>, <result of ${b.id}>)`);
    expect(total.funcName).toBe('mylib.add');
    expect(total.dependencyIds).toEqual([a.id, b.id]);
    const nestedArg = serializer === 'pickle' ? py.tuple(resultOf(b), 'x') : [resultOf(b), 'x'];
    const nested = await q.enqueueCall('mylib.echo', {
      args: [nestedArg],
      kwargs: { deep: { list: [resultOf(a), { again: resultOf(b) }] }, plain: 5 },
    });

    // A failed parent: the plain child stays deferred (as RQ keeps it); with allowFailure it fails, naming it.
    const failing = await q.enqueue('mylib.fail');
    const blocked = await q.enqueue('mylib.add', resultOf(failing), 1);
    const tolerant = await q.enqueueCall('mylib.add', { args: [resultOf(failing), 1], dependsOn: new Dependency({ jobs: failing, allowFailure: true }) });

    // A parent deleted, and one whose result expired, after they finished and before their child ran: the
    // job in between runs after the parent (FIFO) and before the child (released behind it).
    const deleted = await q.enqueue('mylib.add', 5, 5);
    await q.enqueue('mylib.delete_job', deleted.id);
    const orphan = await q.enqueue('mylib.add', resultOf(deleted), 1);
    const expiring = await q.enqueueCall('mylib.add', { args: [6, 6], resultTtl: 1 });
    await q.enqueue('mylib.wait_gone', expiring.id);
    const late = await q.enqueue('mylib.add', resultOf(expiring), 1);

    // With a future: released at once, a future whose arguments are references still waits for its parents.
    const future = await q.enqueueCall<number>('mylib.add', { args: [resultOf(a), resultOf(total)], deferred: true });
    expect((await future.release()).released).toBe(true);
    // In the caller's transaction, referring to a job written earlier in the same one: all written at exec().
    const multi = env.connection.multi();
    const inTx = await q.enqueueCall<number>('mylib.add', { args: [100, 1], pipeline: multi });
    const afterTx = await q.enqueueCall<number>('mylib.add', { args: [resultOf(inTx), resultOf(a)], pipeline: multi });
    expect(await Job.exists(afterTx.id, { connection: env.connection })).toBe(false);
    await multi.exec();

    // A Python task that returns a reference to a job it enqueued, twice over: a chain of 3 jobs.
    const chained = await q.enqueue<string>('mylib.chain', 2, 'end of chain');

    const run = await runWorker({ rq, url: env.redis.url, queues: [q.name], serializer, extraArgs: SIMPLE });
    expect(run.exitCode, run.log).toBe(0);
    expectOnlyIntendedTracebacks(run.log);

    expect(await total.wait({ timeout: 10_000 })).toBe(10);
    expect(await nested.wait({ timeout: 10_000 })).toEqual([[[7, 'x']], { deep: { list: [3, { again: 7 }] }, plain: 5 }]);
    expect(await blocked.status).toBe('deferred');
    expect(await future.wait({ timeout: 10_000 })).toBe(13);
    expect(await afterTx.wait({ timeout: 10_000 })).toBe(104);
    for (const [child, parent, why] of [
      [tolerant, failing, 'that job is failed, not finished'],
      [orphan, deleted, 'that job no longer exists'],
      [late, expiring, 'that job no longer exists'],
    ] as const) {
      const error = await child.wait({ timeout: 10_000 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(JobFailedError);
      expect((error as JobFailedError).message).toContain(`ParentJobError: the result of job ${parent.id} is not available: ${why}`);
    }
    expect(await chained.wait({ timeout: 10_000 })).toBe('end of chain');
    const first = await chained.wait({ follow: false });
    expect(first).toBeInstanceOf(ResultRef);

    // Python reads the same values and sees the real call in the description.
    const seen = await runPythonJson<{ total: number; description: string; func: string }>(
      rq,
      `${pyPrelude(serializer)}
job = fetch(${JSON.stringify(total.id)})
print(json.dumps({'total': value_of(job), 'description': job.description, 'func': job.func_name}))`,
      { url: env.redis.url },
    );
    expect(seen).toEqual({ total: 10, description: total.description, func: 'rqts_dataflow.call' });

    // Read back through rqts, the job shows the call as written.
    const fetched = await Job.fetch(total.id, { connection: env.connection, serializer });
    expect(fetched.funcName).toBe('mylib.add');
    expect(fetched.args.map((x) => (x as ResultRef).jobId)).toEqual([a.id, b.id]);
  });
});

describe.each(['pickle', 'json'] as const)('Node worker, %s', (serializer) => {
  it('resolves references natively, chains returned references, fails a child of a deleted parent', async () => {
    const rq = rqVersions()[0]!;
    const node = new Queue(uniqueName('node-df'), { connection: env.connection, serializer });
    const python = new Queue(uniqueName('py-df'), { connection: env.connection, serializer });
    const fromPython = await python.enqueue<number>('mylib.add', 20, 1);
    await runWorker({ rq, url: env.redis.url, queues: [python.name], serializer, extraArgs: SIMPLE });

    const handlers = {
      'js.add': (x: number, y: number) => x + y,
      'js.describe': (list: unknown[], opts: Record<string, unknown>) => ({ list, opts }),
      // Returns a reference to a job it enqueues: `n` hops to the end of the chain.
      'js.hop': async (n: number, value: string) => (n === 0 ? value : resultOf(await node.enqueue('js.hop', n - 1, value))),
      'js.delete': async (id: string) => (await Job.fetch(id, { connection: env.connection, serializer })).delete(),
    };
    const fromNode = await node.enqueue<number>('js.add', 1, 1);
    const sum = await node.enqueue<number>('js.add', resultOf(fromPython), resultOf(fromNode));
    const described = await node.enqueueCall('js.describe', { args: [[resultOf(fromNode), 'x']], kwargs: { k: { v: resultOf(fromPython) } } });
    const hops = await node.enqueue<string>('js.hop', 2, 'end');
    // Runs after its parent (FIFO), and before the child, which is released behind it.
    const gone = await node.enqueue('js.add', 1, 1);
    await node.enqueue('js.delete', gone.id);
    const orphan = await node.enqueue('js.add', resultOf(gone), 1);

    const worker = new Worker({ connection: env.connection, queues: [node.name], serializer, handlers, logger: quiet });
    const working = worker.work();
    expect(await sum.wait({ timeout: 10_000 })).toBe(23);
    expect(await described.wait({ timeout: 10_000 })).toEqual({ list: [2, 'x'], opts: { k: { v: 21 } } });
    expect(await hops.wait({ timeout: 10_000 })).toBe('end');
    const error = await orphan.wait({ timeout: 10_000 }).catch((e: unknown) => e);
    expect(String((error as Error).message)).toContain(`ParentJobError: the result of job ${gone.id} is not available: that job no longer exists`);
    await worker.stop();
    await working;
  });
});

const quiet = { info: () => {}, warn: () => {}, error: console.error };

describe('follow-on waits and bad input', () => {
  it('one deadline for the chain, cycles are errors, follow: false returns the reference', async () => {
    const q = new Queue(uniqueName('follow'), { connection: env.connection });
    const handlers = { 'js.ref': (id: string) => resultOf(id) };
    // Two jobs returning references to each other: a cycle.
    const idA = uniqueName('cycle-a');
    const idB = uniqueName('cycle-b');
    const a = await q.enqueueCall('js.ref', { args: [idB], jobId: idA });
    await q.enqueueCall('js.ref', { args: [idA], jobId: idB });
    // A job on a queue no worker serves: a wait that follows a reference to it can only time out.
    const stuck = await new Queue(uniqueName('unserved'), { connection: env.connection }).enqueue('mylib.add', 1, 1);
    const pointsToStuck = await q.enqueue('js.ref', stuck.id);
    const worker = new Worker({ connection: env.connection, queues: [q.name], handlers, logger: quiet });
    const working = worker.work();
    const cycle = await a.wait({ timeout: 10_000 }).catch((e: unknown) => e);
    expect(cycle).toBeInstanceOf(InvalidOperationError);
    expect(String(cycle)).toContain(`loops back to job ${idA}`);
    expect(((await a.wait({ follow: false })) as ResultRef).jobId).toBe(idB);
    expect(((await pointsToStuck.wait({ follow: false, timeout: 10_000 })) as ResultRef).jobId).toBe(stuck.id);
    const timedOut = await pointsToStuck.wait({ timeout: 300 }).catch((e: unknown) => e);
    expect((timedOut as Error).name).toBe('WaitTimeoutError');
    expect(String(timedOut)).toContain(`Timed out after 300 ms waiting for job ${pointsToStuck.id}`);
    await worker.stop();
    await working;
  });

  it('rejects references it cannot write, before writing anything', async () => {
    const q = new Queue(uniqueName('bad-df'), { connection: env.connection });
    const json = new Queue(q.name, { connection: env.connection, serializer: 'json' });
    const before = await env.connection.command(['DBSIZE']);
    await expect(q.enqueue('mylib.add', resultOf('no-such-job'), 1)).rejects.toThrow(/Invalid resultOf \("no-such-job"\): no such job/);
    expect(() => resultOf('a:b')).toThrow(InvalidArgumentError);
    expect(() => resultOf({} as never)).toThrow(InvalidArgumentError);
    const parent = await q.enqueue('mylib.add', 1, 1);
    const afterParent = await env.connection.command(['DBSIZE']);
    await expect(q.enqueue('mylib.echo', new Set([resultOf(parent)]))).rejects.toThrow(/args\[0\]\.values\(\)\[0\].*set member/);
    await expect(q.enqueue('mylib.echo', new Map([[resultOf(parent), 1]]))).rejects.toThrow(/dict key/);
    await expect(json.enqueue('mylib.echo', new Set([resultOf(parent)]))).rejects.toThrow(InvalidArgumentError);
    await expect(q.enqueueIn(10, 'mylib.add', resultOf(parent), 1)).rejects.toThrow(/scheduled jobs/);
    await expect(q.enqueueCall('mylib.add', { args: [resultOf(parent), 1], jobId: uniqueName('u'), unique: true })).rejects.toThrow(/resultOf/);
    // A Job of another Redis, even when its id exists here too.
    const other = await startRedis();
    const otherConnection = await Connection.from(other.url).open();
    try {
      const foreign = await new Queue(q.name, { connection: otherConnection }).enqueueCall('mylib.add', { args: [1, 1], jobId: parent.id });
      await expect(q.enqueue('mylib.add', resultOf(foreign), 1)).rejects.toThrow(/another Redis/);
    } finally {
      await otherConnection.close();
      await other.stop();
    }
    // Combinations with futures and transactions that cannot work are refused as well.
    const future = await q.enqueueCall('mylib.add', { args: [0, 0], deferred: true });
    const afterFuture = await env.connection.command(['DBSIZE']);
    await expect(q.enqueueCall('mylib.add', { args: [resultOf(parent), 1], blockedBy: future })).rejects.toThrow(/Invalid blockedBy .*resultOf\(\) arguments/);
    const multi = env.connection.multi();
    await expect(q.enqueueCall('mylib.add', { args: [resultOf('no-such-job'), 1], pipeline: multi })).rejects.toThrow(/Invalid resultOf \("no-such-job"\): no such job/);
    await expect(q.enqueueGroup([Queue.prepareData('mylib.add', [1, 1], { pipeline: multi })])).rejects.toThrow(/enqueueGroup\[0\]\.pipeline.*own atomic step/);
    await expect(q.map('mylib.square', [1, 2], { pipeline: multi })).rejects.toThrow(/Invalid pipeline.*not an option of map/);
    await expect(q.map('mylib.square', [1, 2], { deferred: true })).rejects.toThrow(/Invalid deferred.*blockedBy/);
    await multi.exec();
    expect(await env.connection.command(['DBSIZE'])).toBe(afterFuture);
    expect(afterParent).toBeGreaterThan(before as number);
  });
});
