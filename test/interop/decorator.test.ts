/**
 * job() in its three forms, against real Python workers: typed stubs run on every installed RQ version;
 * JS-function jobs on a Python-only queue fail cleanly (an import error), never a hang or a crash.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  InvalidArgumentError,
  JobFailedError,
  Retry,
  getRegisteredTask,
  job,
  setDefaultConnection,
  withConnection,
} from '../../src/index.js';
import { hasTraceback, rqVersions, runWorker, uniqueName, privateRedis } from '../helpers/index.js';

const env = privateRedis();

afterAll(() => {
  setDefaultConnection(null);
});

const dbsize = async () => Number(await env.connection.command(['DBSIZE']));

describe.each(rqVersions())('typed stub on RQ $version', (rq) => {
  it('delay, delayWith and enqueueIn run on a real worker', async () => {
    const queue = uniqueName('stub');
    const add = job<[x: number, y: number], number>('mylib.add', { queue, connection: env.connection, jobTimeout: '5m', resultTtl: 600, retry: new Retry({ max: 1 }) });
    const echo = job<[string], unknown>('mylib.echo', { queue, connection: env.connection });
    const a = await add.delay(1, 2);
    const b = await echo.delayWith({ kwargs: { n: 1 }, jobId: uniqueName('echo'), atFront: true }, 'x');
    const c = await add.enqueueIn(0, 5, 5);
    expect(a.funcName).toBe('mylib.add');
    expect(a.timeout).toBe(300);
    expect(a.resultTtl).toBe(600);
    expect(a.record.retriesLeft).toBe(1);
    expect(await c.status).toBe('scheduled');
    const run = await runWorker({ rq, url: env.redis.url, queues: [queue], serializer: 'pickle', withScheduler: true });
    expect(run.exitCode, run.log).toBe(0);
    expect(hasTraceback(run.log), run.log).toBe(false);
    expect(await a.wait({ timeout: 10_000 })).toBe(3);
    expect(await b.wait({ timeout: 10_000 })).toEqual([['x'], { n: 1 }]);
    expect(await c.wait({ timeout: 10_000 })).toBe(10);
  });
});

describe('connections', () => {
  it('uses withConnection, then the default connection, and says when there is none', async () => {
    const add = job<[number, number], number>('mylib.add', { queue: uniqueName('conn') });
    await expect(add.delay(1, 2)).rejects.toThrow(/no Redis connection/);
    const scoped = await withConnection(env.connection, () => add.delay(1, 2));
    expect(await scoped.status).toBe('queued');
    setDefaultConnection(env.connection);
    const viaDefault = await add.delay(3, 4);
    expect(await viaDefault.status).toBe('queued');
    setDefaultConnection(null);
  });
});

describe('JS functions', () => {
  it('stay callable, register by name and enqueue with that func_name', async () => {
    const queue = uniqueName('js');
    const resize = job({ queue, connection: env.connection, name: 'images.resize' })(async function resize(url: string, width: number) {
      return `${url}@${width}`;
    });
    expect(await resize('a.png', 10)).toBe('a.png@10');
    expect(resize.funcName).toBe('images.resize');
    expect(getRegisteredTask('images.resize')).toBeTypeOf('function');
    const j = await resize.delay('a.png', 10);
    expect(j.funcName).toBe('images.resize');
    expect(j.args).toEqual(['a.png', 10]);
  });

  it('decorate static methods as Class.method', async () => {
    const queue = uniqueName('deco');
    class Thumbs {
      static suffix = '-thumb';
      @job({ queue, connection: env.connection })
      static async make(url: string): Promise<string> {
        return url + this.suffix;
      }
    }
    expect(await Thumbs.make('a')).toBe('a-thumb');
    const task = Thumbs.make as typeof Thumbs.make & { funcName: string; delay(url: string): Promise<{ funcName: string }> };
    expect(task.funcName).toBe('Thumbs.make');
    expect(await getRegisteredTask('Thumbs.make')!('b')).toBe('b-thumb');
    expect((await task.delay('c')).funcName).toBe('Thumbs.make');
  });

  it('sent to a Python-only queue, fail cleanly on the worker', async () => {
    const rq = rqVersions()[0]!;
    const queue = uniqueName('wrongq');
    const nodeOnly = job({ queue, connection: env.connection, name: 'nodetasks.resize' })((url: string) => url);
    const j = await nodeOnly.delay('x');
    const run = await runWorker({ rq, url: env.redis.url, queues: [queue], serializer: 'pickle' });
    expect(run.exitCode, run.log).toBe(0);
    expect(run.log).not.toMatch(/unhandled exception/i);
    const error = await j.wait({ timeout: 10_000 }).catch((e) => e);
    expect(error).toBeInstanceOf(JobFailedError);
    expect((error as JobFailedError).excInfo).toMatch(/nodetasks/);
  });
});

describe('bad input: typed errors, nothing written', () => {
  it.each([
    ['an invalid dotted path', () => job('mylib..add', { connection: env.connection })],
    ['an unknown option', () => job('mylib.add', { connection: env.connection, timeout: 5 } as never)],
    ['a wrong option type', () => job('mylib.add', { connection: env.connection, jobTimeout: '3x' as never })],
    ['a bad retry', () => job('mylib.add', { connection: env.connection, retry: { max: 3 } as never })],
    ['a bad callback path', () => job('mylib.add', { connection: env.connection, onSuccess: 'not a path' })],
    ['a bad queue name', () => job('mylib.add', { connection: env.connection, queue: 'a b' })],
    ['a bad serializer', () => job('mylib.add', { connection: env.connection, serializer: 'yaml' })],
    ['a JS function without a usable name', () => job({ connection: env.connection })(() => 1)],
  ])('%s', async (_label, define) => {
    const before = await dbsize();
    expect(define).toThrow(InvalidArgumentError);
    expect(await dbsize()).toBe(before);
  });

  it('rejects non-serializable delay() arguments before writing', async () => {
    const before = await dbsize();
    const echo = job<unknown[], unknown>('mylib.echo', { queue: uniqueName('bad'), connection: env.connection });
    await expect(echo.delay(() => 1)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(echo.delay(Symbol('s'))).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(await dbsize()).toBe(before);
  });
});
