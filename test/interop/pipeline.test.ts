/**
 * `{ pipeline }` (RQ's `pipeline=`): enqueues inside the caller's MULTI/EXEC transaction. Validated at once,
 * written only by the caller's `exec()`; a transaction discarded by a failed WATCH writes nothing. Jobs
 * written this way run on a real Python worker of every installed RQ version, with both serializers.
 */
import { createClient, WatchError } from 'redis';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, Job, Queue, job, type RedisClient } from '../../src/index.js';
import { privateRedis, rqVersions, runWorker, uniqueName } from '../helpers/index.js';

const env = privateRedis();

describe.each(rqVersions())('{ pipeline } with RQ $version', (rq) => {
  it.each(['pickle', 'json'] as const)('writes the caller key and the jobs on exec, nothing on a WATCH conflict (%s)', async (serializer) => {
    const queue = new Queue(uniqueName('tx'), { connection: env.connection, serializer });
    const add = job<[number, number], number>('mylib.add', { queue: queue.name, connection: env.connection, serializer });

    // Committed: the caller's own key and four jobs (one depending on another in the same pipeline).
    const order = uniqueName('order');
    const tx = await env.connection.openDuplicate(); // WATCH needs a client of its own
    try {
      await (tx as unknown as { watch(key: string): Promise<unknown> }).watch(order);
      const multi = (tx as unknown as { multi(): { set(k: string, v: string): unknown; exec(): Promise<unknown> } }).multi();
      multi.set(order, 'paid');
      const first = await queue.enqueueCall<number>('mylib.add', { args: [1, 2], pipeline: multi as never });
      const second = await queue.enqueueCall<number>('mylib.add', { args: [3, 4], dependsOn: first, pipeline: multi as never });
      const [third] = await queue.enqueueMany<number>([Queue.prepareData('mylib.add', [5, 6])], { pipeline: multi as never });
      const fourth = await add.delayWith({ pipeline: multi as never }, 7, 8);
      const later = await queue.enqueueCallIn('1h', 'mylib.add', { args: [0, 0], pipeline: multi as never });
      // Nothing is written before exec().
      expect(await env.connection.command(['EXISTS', order])).toBe(0);
      for (const j of [first, second, third!, fourth, later]) expect(await Job.exists(j.id, { connection: env.connection })).toBe(false);
      expect(await queue.count).toBe(0);
      await multi.exec();
      expect(String(await env.connection.command(['GET', order]))).toBe('paid');
      expect(await queue.scheduledJobRegistry.getJobIds()).toEqual([later.id]);
      expect(await second.status).toBe('deferred');
      const run = await runWorker({ rq, url: env.redis.url, queues: [queue.name], serializer });
      expect(run.exitCode, run.log).toBe(0);
      expect(await Promise.all([first, second, third!, fourth].map((j) => j.result))).toEqual([3, 7, 11, 15]);
    } finally {
      tx.destroy();
    }

    // Discarded: another client changes the watched key between WATCH and EXEC.
    const conflicted = uniqueName('order');
    const tx2 = await env.connection.openDuplicate();
    try {
      await env.connection.command(['SET', conflicted, 'draft']);
      await (tx2 as unknown as { watch(key: string): Promise<unknown> }).watch(conflicted);
      const multi = (tx2 as unknown as { multi(): { set(k: string, v: string): unknown; exec(): Promise<unknown> } }).multi();
      multi.set(`${conflicted}:copy`, 'paid');
      const a = await queue.enqueueCall('mylib.add', { args: [1, 1], pipeline: multi as never });
      const b = await queue.enqueueCall('mylib.add', { args: [2, 2], dependsOn: a, pipeline: multi as never });
      await env.connection.command(['SET', conflicted, 'changed']);
      const outcome = await multi.exec().then(() => 'committed', (e: unknown) => (e instanceof WatchError ? 'WatchError' : String(e)));
      expect(outcome).toBe('WatchError');
      expect(await env.connection.command(['EXISTS', `${conflicted}:copy`])).toBe(0);
      for (const j of [a, b]) expect(await Job.exists(j.id, { connection: env.connection })).toBe(false);
      expect(await queue.count).toBe(0);
    } finally {
      tx2.destroy();
    }
  }, 120_000);
});

describe('{ pipeline } — bad input, nothing written', () => {
  it('rejects a pipeline of another client, unique jobs, a missing dependency, and isAsync: false', async () => {
    const queue = new Queue(uniqueName('txbad'), { connection: env.connection });
    const other = createClient({ url: env.redis.url }) as unknown as RedisClient & { multi(): never };
    const before = await env.connection.command(['DBSIZE']);
    const mine = env.connection.multi();
    const cases: [() => Promise<unknown>, string][] = [
      [() => queue.enqueueCall('mylib.add', { args: [1, 2], pipeline: other.multi() }), 'pipeline'],
      [() => queue.enqueueCall('mylib.add', { args: [1, 2], pipeline: {} as never }), 'pipeline'],
      [() => queue.enqueueCall('mylib.add', { jobId: uniqueName('u'), unique: true, pipeline: mine }), 'unique'],
      [() => queue.enqueueCall('mylib.add', { dependsOn: 'no-such-job', pipeline: mine }), 'dependsOn'],
      [() => queue.enqueueMany([Queue.prepareData('mylib.add', [1, 2], { pipeline: mine })]), 'enqueueMany[0].pipeline'],
      [() => new Queue(queue.name, { connection: env.connection, isAsync: false }).enqueueCall('mylib.add', { pipeline: mine }), 'pipeline'],
    ];
    for (const [call, option] of cases) {
      const error = await call().catch((e: unknown) => e);
      expect(error, option).toBeInstanceOf(InvalidArgumentError);
      expect((error as InvalidArgumentError).option, String(error)).toBe(option);
    }
    // The rejected calls added nothing to the caller's pipeline either.
    expect(await (mine as unknown as { exec(): Promise<unknown[]> }).exec()).toEqual([]);
    expect(await env.connection.command(['DBSIZE'])).toBe(before);
  });
});
