/**
 * The steel thread, on every installed RQ version × {pickle, json}: rqts enqueues, a real `rq worker --burst`
 * runs the job, and both rqts and Python RQ's own API see the result. And the other way round: a Python
 * producer's job reads back faithfully through rqts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Job, Queue, py } from '../../src/index.js';
import { hasTraceback, rqInfo, rqVersions, runPythonJson, runWorker, uniqueName, privateRedis } from '../helpers/index.js';
import { pyPrelude } from '../helpers/python.js';

const env = privateRedis();

const serializers = ['pickle', 'json'] as const;
const matrix = rqVersions().flatMap((rq) => serializers.map((serializer) => ({ rq, serializer, label: `${rq.label} ${serializer}` })));

describe.each(matrix)('$label', ({ rq, serializer }) => {
  it('runs a job rqts enqueued and reports its result both ways', async () => {
    const queue = new Queue(uniqueName('steel'), { connection: env.connection, serializer });
    const job = await queue.enqueue<number>('mylib.add', 1, 2);

    expect(await queue.count).toBe(1);
    expect(await job.status).toBe('queued');
    expect(job.description).toBe('mylib.add(1, 2)');

    const run = await runWorker({ rq, url: env.redis.url, queues: [queue.name], serializer });
    expect(run.exitCode, run.log).toBe(0);
    expect(hasTraceback(run.log), run.log).toBe(false);

    expect(await job.status).toBe('finished');
    expect(await job.isFinished).toBe(true);
    expect(await job.result).toBe(3);
    expect(await queue.count).toBe(0);
    expect(await job.endedAt).toBeInstanceOf(Date);

    const fetched = await Job.fetch<number>(job.id, { connection: env.connection, serializer });
    expect(fetched.funcName).toBe('mylib.add');
    expect(fetched.args).toEqual([1, 2]);
    expect(await fetched.returnValue()).toBe(3);

    const python = await runPythonJson<{ status: string; value: unknown; func: string; args: unknown[] }>(
      rq,
      `${pyPrelude(serializer)}
job = Job.fetch(${JSON.stringify(job.id)}, connection=conn, serializer=S)
print(json.dumps({'status': str(job.get_status(refresh=True)).split('.')[-1].lower(), 'value': value_of(job), 'func': job.func_name, 'args': list(job.args)}))`,
      { url: env.redis.url },
    );
    expect(python).toEqual({ status: 'finished', value: 3, func: 'mylib.add', args: [1, 2] });

    const info = await rqInfo(rq, env.redis.url, { serializer });
    expect(info.exitCode, info.output).toBe(0);
    expect(hasTraceback(info.output), info.output).toBe(false);
  });

  it('reads back what a Python producer wrote, then its result', async () => {
    const queueName = uniqueName('pyprod');
    const jobId = uniqueName('job');
    await runPythonJson(
      rq,
      `${pyPrelude(serializer)}
q = Queue(${JSON.stringify(queueName)}, connection=conn, serializer=S)
job = q.enqueue('mylib.echo', 1, 'two', [3.5, None], job_id=${JSON.stringify(jobId)}, meta={'owner': 'alice'}, result_ttl=600, x={'k': True})
print(json.dumps({'id': job.id}))`,
      { url: env.redis.url },
    );
    const queue = new Queue(queueName, { connection: env.connection, serializer });
    expect(await queue.jobIds).toEqual([jobId]);
    const job = await queue.fetchJob(jobId);
    expect(job).not.toBeNull();
    expect(job!.funcName).toBe('mylib.echo');
    // pickle keeps Python's args tuple; JSON has only lists.
    expect([...job!.args]).toEqual([1, 'two', [3.5, null]]);
    expect(job!.kwargs).toEqual({ x: { k: true } });
    expect(job!.origin).toBe(queueName);
    expect(job!.resultTtl).toBe(600);
    expect(await job!.meta).toEqual({ owner: 'alice' });
    expect(await job!.status).toBe('queued');
    expect(await job!.enqueuedAt).toBeInstanceOf(Date);

    const run = await runWorker({ rq, url: env.redis.url, queues: [queueName], serializer });
    expect(run.exitCode, run.log).toBe(0);
    expect(await job!.result).toEqual([[1, 'two', [3.5, null]], { x: { k: true } }]);
  });
});

describe('round trips of rich values through a real worker', () => {
  it('pickle keeps tuples, bigints, bytes, floats and dates', async () => {
    const rq = rqVersions().find((r) => r.major >= 2) ?? rqVersions()[0]!;
    const queue = new Queue(uniqueName('rich'), { connection: env.connection, serializer: 'pickle' });
    const when = new Date(Date.UTC(2024, 4, 6, 7, 8, 9, 123));
    const job = await queue.enqueue('mylib.echo', py.tuple<unknown>(1, 'a'), 2n ** 70n, Buffer.from([0, 255]), py.float(2), -0, when, new Set([1]), new Map([[1, 'x']]));
    const run = await runWorker({ rq, url: env.redis.url, queues: [queue.name], serializer: 'pickle' });
    expect(run.exitCode, run.log).toBe(0);
    const [args] = (await job.result) as [unknown[]];
    expect(args[0]).toEqual(py.tuple<unknown>(1, 'a'));
    expect(args[1]).toBe(2n ** 70n);
    expect(Buffer.isBuffer(args[2]) && (args[2] as Buffer).equals(Buffer.from([0, 255]))).toBe(true);
    expect(args[3]).toBe(2);
    expect(Object.is(args[4], -0)).toBe(true);
    expect((args[5] as Date).toISOString()).toBe(when.toISOString());
    expect(args[6]).toEqual(new Set([1]));
    expect(args[7]).toEqual(new Map([[1, 'x']]));
  });
});
