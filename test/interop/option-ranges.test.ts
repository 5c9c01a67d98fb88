/**
 * The edges of each option's accepted range (RQ's own checks, issue #16) work end to end: a negative or
 * fractional `jobTimeout`, `resultTtl` and `failureTtl` of 0 and -1, a `Callback` timeout of 0, run by one
 * burst worker per installed RQ version × serializer.
 */
import { describe, expect, it } from 'vitest';
import { Callback, Queue } from '../../src/index.js';
import { privateRedis, rqVersions, runWorker, uniqueName } from '../helpers/index.js';

const env = privateRedis();
const combos = rqVersions().flatMap((rq) => (['pickle', 'json'] as const).map((serializer) => ({ rq, serializer, label: `${rq.version}/${serializer}` })));

describe.each(combos)('$label', ({ rq, serializer }) => {
  it('runs jobs at the edges of every range as RQ does', async () => {
    const q = new Queue(uniqueName('ranges'), { connection: env.connection, serializer });
    const noLimit = await q.enqueueCall('mylib.add', { args: [1, 2], jobTimeout: -5 });
    const cut = await q.enqueueCall('mylib.add', { args: [2, 2], jobTimeout: 30.9 });
    const keepResult = await q.enqueueCall('mylib.add', { args: [3, 2], resultTtl: -1 });
    const dropResult = await q.enqueueCall('mylib.add', { args: [3, 3], resultTtl: 0 });
    const dropFailure = await q.enqueueCall('mylib.fail', { failureTtl: 0 });
    const keepFailure = await q.enqueueCall('mylib.fail', { failureTtl: -1 });
    const callback = await q.enqueueCall('mylib.add', { args: [4, 2], onSuccess: new Callback('mylib.on_success', { timeout: 0 }) });
    expect([noLimit.timeout, cut.timeout, callback.timeout]).toEqual([-5, 30, 180]);

    const run = await runWorker({ rq, url: env.redis.url, queues: [q.name], serializer });
    expect(run.exitCode, run.log).toBe(0);

    expect(await noLimit.result).toBe(3);
    expect(await cut.result).toBe(4);
    expect(await keepResult.result).toBe(5);
    expect(Number(await env.connection.command(['TTL', `rq:job:${keepResult.id}`]))).toBe(-1);
    expect(Number(await env.connection.command(['EXISTS', `rq:job:${dropResult.id}`]))).toBe(0);
    // failureTtl 0: RQ's failed registry calls cleanup(0), which deletes the job at once.
    expect(Number(await env.connection.command(['EXISTS', `rq:job:${dropFailure.id}`]))).toBe(0);
    expect(await keepFailure.status).toBe('failed');
    expect(await keepFailure.excInfo).toContain('intentional failure');
    expect(Number(await env.connection.command(['TTL', `rq:job:${keepFailure.id}`]))).toBe(-1);
    expect(await callback.result).toBe(6);
    expect(await env.connection.command(['GET', `mylib:on_success:${callback.id}`])).toEqual(Buffer.from('6'));
  });
});
