/**
 * RQ 2.x options and calls: `repeat` (RQ 2.2+) and `webhooks` (RQ 2.10+) written by rqts and honoured by real
 * 2.x workers (ignored by 1.x), records Python 2.12 wrote with repeat / webhooks / group / callback timeouts
 * read back field by field, `getPosition` / `getJobPosition`, `compact()`, `delete({ removeFromQueue })`.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, Job, Queue, Repeat, Webhook } from '../../src/index.js';
import { privateRedis, rqVersions, runPythonJson, runWorker, uniqueName } from '../helpers/index.js';
import { pyPrelude } from '../helpers/python.js';

const env = privateRedis();

describe.each(rqVersions())('repeat and webhooks with RQ $version', (rq) => {
  it.each(['pickle', 'json'] as const)('a 2.x worker repeats the job and calls the webhooks; 1.x runs it once (%s)', async (serializer) => {
    const calls: { method: string; body: string }[] = [];
    const server = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        calls.push({ method: req.method ?? '', body });
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    try {
      const queue = new Queue(uniqueName('rep'), { connection: env.connection, serializer });
      const counter = uniqueName('count');
      const repeated = await queue.enqueueCall('mylib.count', { args: [counter], repeat: new Repeat({ times: 2 }) });
      const hooked = await queue.enqueueCall('mylib.add', {
        args: [1, 2],
        webhooks: [new Webhook({ url, jobStatus: 'finished', method: 'POST', headers: { 'X-Token': 'é' } }), { url, jobStatus: 'failed' }],
      });
      expect([repeated.repeatsLeft, repeated.repeatIntervals]).toEqual([2, [0]]);
      const run = await runWorker({ rq, url: env.redis.url, queues: [queue.name], serializer });
      expect(run.exitCode, run.log).toBe(0);
      const runs = Number(String(await env.connection.command(['GET', `mylib:count:${counter}`])));
      expect(await hooked.result).toBe(3);
      const supportsRepeat = rq.major >= 2;
      const supportsWebhooks = rq.major >= 2 && Number(rq.version.split('.')[1]) >= 10;
      expect(runs, run.log).toBe(supportsRepeat ? 3 : 1);
      if (supportsWebhooks) {
        expect(calls).toHaveLength(1); // the finished one; the failed one never fires
        expect(JSON.parse(calls[0]!.body)).toMatchObject({ job_id: hooked.id, func_name: 'mylib.add', status: 'finished' });
      } else {
        expect(calls).toEqual([]);
      }
    } finally {
      server.close();
    }
  }, 120_000);
});

describe('records Python RQ 2.12 writes with 2.x features', () => {
  const rq = rqVersions().find((r) => r.major >= 2 && Number(r.version.split('.')[1]) >= 10)!;

  it.each(['pickle', 'json'] as const)('read back through rqts with every field exposed, and rqts writes the same fields (%s)', async (serializer) => {
    const queue = new Queue(uniqueName('py2'), { connection: env.connection, serializer });
    const ids = await runPythonJson<{ job: string; group: string }>(rq, `${pyPrelude(serializer)}
from rq import Repeat, Callback
from rq.group import Group
from rq.webhook import Webhook
q = Queue(${JSON.stringify(queue.name)}, connection=conn, serializer=S)
job = q.enqueue('mylib.add', 1, 2, repeat=Repeat(times=3, interval=[5, 10]),
  webhooks=[Webhook('https://example.test/hook', 'finished', method='POST', headers={'X-Token': 'é'}, timeout=3)],
  on_success=Callback('mylib.on_success', timeout=7), on_failure=Callback('mylib.on_failure', timeout=9))
group = Group.create(connection=conn)
grouped = group.enqueue_many(q, [Queue.prepare_data('mylib.add', (2, 3))])
print(json.dumps({'job': job.id, 'group': grouped[0].id}))`, { url: env.redis.url });
    const job = await Job.fetch(ids.job, { connection: env.connection, serializer });
    expect(job.repeatsLeft).toBe(3);
    expect(job.repeatIntervals).toEqual([5, 10]);
    expect(job.webhooks).toEqual([{ url: 'https://example.test/hook', job_status: 'finished', method: 'POST', headers: { 'X-Token': 'é' }, timeout: 3 }]);
    expect([job.record.successCallbackName, job.record.successCallbackTimeout, job.record.failureCallbackName, job.record.failureCallbackTimeout]).toEqual([
      'mylib.on_success', 7, 'mylib.on_failure', 9,
    ]);
    const grouped = await Job.fetch(ids.group, { connection: env.connection, serializer });
    expect(grouped.groupId).toMatch(/\S+/);

    // rqts writes repeat and webhooks byte for byte as Python does.
    const ours = await queue.enqueueCall('mylib.add', {
      args: [1, 2],
      repeat: new Repeat({ times: 3, interval: [5, 10] }),
      webhooks: [{ url: 'https://example.test/hook', jobStatus: 'finished', method: 'POST', headers: { 'X-Token': 'é' }, timeout: 3 }],
    });
    const fields = ['repeats_left', 'repeat_intervals', 'webhooks'];
    const read = (id: string) => env.connection.pipeline(fields.map((f) => ['HGET', `rq:job:${id}`, f]));
    expect((await read(ours.id)).map(String)).toEqual((await read(ids.job)).map(String));
  }, 60_000);
});

describe('positions, compact, delete({ removeFromQueue })', () => {
  it('match RQ', async () => {
    const queue = new Queue(uniqueName('pos'), { connection: env.connection });
    const [a, b, c] = await queue.enqueueMany([1, 2, 3].map((n) => Queue.prepareData('mylib.add', [n, n])));
    expect(await Promise.all([a!, b!, c!].map((j) => j.getPosition()))).toEqual([0, 1, 2]);
    expect(await queue.getJobPosition(c!.id)).toBe(2);
    expect(await queue.getJobPosition('not-here')).toBeNull();
    await b!.delete({ removeFromQueue: false });
    expect(await queue.jobIds).toEqual([a!.id, b!.id, c!.id]); // the id stays, as in RQ
    expect(await queue.compact()).toBe(1);
    expect(await queue.jobIds).toEqual([a!.id, c!.id]);
    expect(await c!.getPosition()).toBe(1);
    await a!.delete();
    expect(await queue.jobIds).toEqual([c!.id]);
    expect(await queue.compact()).toBe(0);
  });

  it('cancel({ enqueueDependents, removeFromDependencies }), then a Python worker runs what was released', async () => {
    const queue = new Queue(uniqueName('cancel'), { connection: env.connection });
    const parent = await queue.enqueue('mylib.noop');
    const other = await queue.enqueue('mylib.add', 1, 1);
    const child = await queue.enqueueCall<number>('mylib.add', { args: [2, 2], dependsOn: parent });
    const both = await queue.enqueueCall('mylib.noop', { dependsOn: [parent, other] });
    await parent.cancel({ enqueueDependents: true });
    expect(await parent.status).toBe('canceled');
    expect([await child.status, await both.status]).toEqual(['queued', 'deferred']); // `both` still waits on `other`
    expect(await queue.jobIds).toEqual([other.id, child.id]);
    expect(await queue.deferredJobRegistry.getJobIds()).toEqual([both.id]);
    // Only the released dependent leaves the parent's set, as in RQ's enqueue_dependents.
    expect(((await env.connection.command(['SMEMBERS', `rq:job:${parent.id}:dependents`])) as Buffer[]).map(String)).toEqual([both.id]);
    await both.cancel({ removeFromDependencies: true });
    expect(((await env.connection.command(['SMEMBERS', `rq:job:${other.id}:dependents`])) as Buffer[]).map(String)).toEqual([]);
    const run = await runWorker({ rq: rqVersions()[0]!, url: env.redis.url, queues: [queue.name] });
    expect(run.exitCode, run.log).toBe(0);
    expect([await other.result, await child.result, await both.status]).toEqual([2, 4, 'canceled']);
    await expect(parent.cancel({ enqueueDependents: 'yes' as unknown as boolean })).rejects.toMatchObject({ option: 'enqueueDependents' });
  }, 60_000);

  it('Job.create then queue.enqueueJob, run by a Python worker', async () => {
    const queue = new Queue(uniqueName('create'), { connection: env.connection, serializer: 'json', defaultTimeout: 77 });
    const created = Job.create<number>('mylib.add', { connection: env.connection, serializer: 'json', args: [2, 3], jobId: uniqueName('made') });
    expect(await Job.exists(created.id, { connection: env.connection })).toBe(false);
    const enqueued = await queue.enqueueJob(created, { atFront: true });
    expect([enqueued.id, enqueued.origin, enqueued.timeout, await enqueued.status]).toEqual([created.id, queue.name, 77, 'queued']);
    const again = await queue.enqueueJob(created).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(InvalidArgumentError);
    const pickled = Job.create('mylib.add', { connection: env.connection, args: [1, 1] });
    expect(await queue.enqueueJob(pickled).catch((e: unknown) => e)).toMatchObject({ name: 'InvalidArgumentError', option: 'job' });
    const run = await runWorker({ rq: rqVersions()[0]!, url: env.redis.url, queues: [queue.name], serializer: 'json' });
    expect(run.exitCode, run.log).toBe(0);
    expect(await enqueued.result).toBe(5);
  }, 60_000);

  it('bad Repeat and webhooks are typed errors and nothing is written', async () => {
    const queue = new Queue(uniqueName('bad2'), { connection: env.connection });
    const before = await env.connection.command(['DBSIZE']);
    const cases: [() => unknown, string][] = [
      [() => new Repeat({ times: 0 }), 'repeat.times'],
      [() => new Repeat({ times: 2, interval: -1 }), 'repeat.interval'],
      [() => new Repeat({ times: 2, interval: [1, -5] }), 'repeat.interval[1]'],
      [() => new Webhook({ url: 'ftp://example.test/x', jobStatus: 'finished' }), 'webhook.url'],
      [() => queue.enqueueCall('mylib.add', { webhooks: [{ url: 'not a url', jobStatus: 'finished' }] }), 'webhooks[0].url'],
      [() => queue.enqueueCall('mylib.add', { webhooks: [{ url: 'https://x.test', jobStatus: 'done' as 'failed' }] }), 'webhooks[0].jobStatus'],
      [() => queue.enqueueCall('mylib.add', { repeat: { times: 2 } as Repeat }), 'repeat'],
    ];
    for (const [call, option] of cases) {
      let error: unknown;
      try {
        await call();
      } catch (e) {
        error = e;
      }
      expect(error, option).toBeInstanceOf(InvalidArgumentError);
      expect((error as InvalidArgumentError).option, String(error)).toBe(option);
    }
    expect(await env.connection.command(['DBSIZE'])).toBe(before);
  });
});
