/**
 * Every invalid input gets a typed error before anything is written: each case checks the error class and
 * that Redis holds no new key (the README's "Bad input" table lists the same cases).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Callback,
  Dependency,
  DuplicateJobError,
  InvalidArgumentError,
  Job,
  NoSuchJobError,
  Queue,
  Retry,
} from '../../src/index.js';
import { uniqueName, privateRedis } from '../helpers/index.js';

const env = privateRedis();

const dbsize = async () => Number(await env.connection.command(['DBSIZE']));
const pickle = () => new Queue(uniqueName('bad'), { connection: env.connection, serializer: 'pickle' });
const json = () => new Queue(uniqueName('bad'), { connection: env.connection, serializer: 'json' });
type Case = [string, () => Promise<unknown> | unknown, new (...args: never[]) => Error];

const cases: Case[] = [
  ['unknown option', () => pickle().enqueueCall('mylib.add', { job_timeout: 5 } as never), InvalidArgumentError],
  ['args not an array', () => pickle().enqueueCall('mylib.add', { args: 5 as never }), InvalidArgumentError],
  ['kwargs not a plain object', () => pickle().enqueueCall('mylib.add', { kwargs: new Map() as never }), InvalidArgumentError],
  ['atFront not a boolean', () => pickle().enqueueCall('mylib.add', { atFront: 'yes' as never }), InvalidArgumentError],
  ['description not a string', () => pickle().enqueueCall('mylib.add', { description: 5 as never }), InvalidArgumentError],
  ['meta not a plain object', () => pickle().enqueueCall('mylib.add', { meta: [1] as never }), InvalidArgumentError],
  ['zero jobTimeout', () => pickle().enqueueCall('mylib.add', { jobTimeout: 0 }), InvalidArgumentError],
  ['jobTimeout 0.5 (0 once cut to whole seconds, as RQ cuts it)', () => pickle().enqueueCall('mylib.add', { jobTimeout: 0.5 }), InvalidArgumentError],
  ["'3x' duration", () => pickle().enqueueCall('mylib.add', { jobTimeout: '3x' }), InvalidArgumentError],
  ["'1.5m' duration", () => pickle().enqueueCall('mylib.add', { resultTtl: '1.5m' }), InvalidArgumentError],
  ['resultTtl below -1 (RQ workers would delete the result at once)', () => pickle().enqueueCall('mylib.add', { resultTtl: -2 }), InvalidArgumentError],
  ['failureTtl below -1', () => pickle().enqueueCall('mylib.add', { failureTtl: '-1h' }), InvalidArgumentError],
  ['zero ttl', () => pickle().enqueueCall('mylib.add', { ttl: 0 }), InvalidArgumentError],
  ['ttl -1 (RQ: "Job ttl must be greater than 0")', () => pickle().enqueueCall('mylib.add', { ttl: -1 }), InvalidArgumentError],
  ['ttl shorter than the enqueueIn delay (the job would expire unrun)', () => pickle().enqueueCallIn('10m', 'mylib.add', { ttl: 60 }), InvalidArgumentError],
  ['ttl ending before the enqueueAt time', () => pickle().enqueueCallAt(new Date(Date.now() + 3_600_000), 'mylib.add', { ttl: 3000 }), InvalidArgumentError],
  ['negative ttl on enqueueIn', () => pickle().enqueueCallIn(10, 'mylib.add', { ttl: -5 }), InvalidArgumentError],
  ['Retry fractional max (RQ 1.13–2.x workers fail to load it)', () => new Retry({ max: 1.5 }), InvalidArgumentError],
  ['Retry fractional interval', () => new Retry({ max: 2, interval: 1.5 }), InvalidArgumentError],
  ['job id with ":"', () => pickle().enqueueCall('mylib.add', { jobId: 'a:b' }), InvalidArgumentError],
  ['job id with "."', () => pickle().enqueueCall('mylib.add', { jobId: 'a.b' }), InvalidArgumentError],
  ['non-ASCII job id', () => pickle().enqueueCall('mylib.add', { jobId: 'héllo' }), InvalidArgumentError],
  ['job id with a space', () => pickle().enqueueCall('mylib.add', { jobId: 'sp ace' }), InvalidArgumentError],
  ['empty job id', () => pickle().enqueueCall('mylib.add', { jobId: '' }), InvalidArgumentError],
  ['function path that is not dotted', () => pickle().enqueue('mylib..add'), InvalidArgumentError],
  ['function path with a dash', () => pickle().enqueue('my-lib.add'), InvalidArgumentError],
  ['dependsOn a missing job', () => pickle().enqueueCall('mylib.add', { dependsOn: 'no-such-job' }), InvalidArgumentError],
  ['dependsOn with an invalid id', () => pickle().enqueueCall('mylib.add', { dependsOn: 'a:b' }), InvalidArgumentError],
  ['dependsOn on itself', () => pickle().enqueueCall('mylib.add', { jobId: 'self-1', dependsOn: 'self-1' }), InvalidArgumentError],
  ['empty Dependency', () => pickle().enqueueCall('mylib.add', { dependsOn: new Dependency({ jobs: [] }) }), InvalidArgumentError],
  ['unique without jobId', () => pickle().enqueueCall('mylib.add', { unique: true }), InvalidArgumentError],
  ['unique with dependsOn', () => pickle().enqueueCall('mylib.add', { jobId: 'u-1', unique: true, dependsOn: 'x' }), InvalidArgumentError],
  ['dependsOn with enqueueIn', () => pickle().enqueueCallIn(10, 'mylib.add', { dependsOn: 'x' }), InvalidArgumentError],
  ['enqueueAt an invalid Date', () => pickle().enqueueAt(new Date('nope'), 'mylib.add'), InvalidArgumentError],
  ['retry as a plain object', () => pickle().enqueueCall('mylib.add', { retry: { max: 3 } as never }), InvalidArgumentError],
  ['Retry max 0', () => new Retry({ max: 0 }), InvalidArgumentError],
  ['Retry negative interval', () => new Retry({ max: 2, interval: [10, -1] }), InvalidArgumentError],
  ["Retry '3x' interval", () => new Retry({ max: 2, interval: '3x' }), InvalidArgumentError],
  ['Retry empty interval list', () => new Retry({ max: 2, interval: [] }), InvalidArgumentError],
  ['callback path that is not dotted', () => pickle().enqueueCall('mylib.add', { onSuccess: 'not a path' }), InvalidArgumentError],
  ['callback as a function', () => pickle().enqueueCall('mylib.add', { onFailure: (() => 1) as never }), InvalidArgumentError],
  ['function argument', () => pickle().enqueue('mylib.echo', () => 1), InvalidArgumentError],
  ['symbol argument', () => pickle().enqueue('mylib.echo', Symbol('s')), InvalidArgumentError],
  ['undefined argument', () => pickle().enqueue('mylib.echo', undefined), InvalidArgumentError],
  ['cyclic argument', () => { const a: unknown[] = []; a.push(a); return pickle().enqueue('mylib.echo', a); }, InvalidArgumentError],
  ['class instance argument', () => pickle().enqueue('mylib.echo', new (class Foo {})()), InvalidArgumentError],
  ['non-serializable meta value', () => pickle().enqueueCall('mylib.add', { meta: { f: () => 1 } }), InvalidArgumentError],
  ['NaN under JSON', () => json().enqueue('mylib.echo', Number.NaN), InvalidArgumentError],
  ['Infinity under JSON', () => json().enqueue('mylib.echo', Number.POSITIVE_INFINITY), InvalidArgumentError],
  ['bytes under JSON', () => json().enqueue('mylib.echo', Buffer.from('x')), InvalidArgumentError],
  ['Date under JSON', () => json().enqueue('mylib.echo', new Date(0)), InvalidArgumentError],
  ['Set under JSON', () => json().enqueue('mylib.echo', new Set([1])), InvalidArgumentError],
  ['enqueueMany with a duplicate id', () => pickle().enqueueMany([Queue.prepareData('mylib.add', [], { jobId: 'd1' }), Queue.prepareData('mylib.add', [], { jobId: 'd1' })]), InvalidArgumentError],
  ['enqueueMany with one bad item', () => pickle().enqueueMany([Queue.prepareData('mylib.add', [1]), Queue.prepareData('mylib.add', [() => 1])]), InvalidArgumentError],
  ['enqueueMany where one job depends on a missing job', () => pickle().enqueueMany([Queue.prepareData('mylib.add', [1]), Queue.prepareData('mylib.add', [2], { dependsOn: 'missing-parent' })]), InvalidArgumentError],
  ['unknown serializer', () => new Queue('q', { connection: env.connection, serializer: 'yaml' }), InvalidArgumentError],
  ['http:// URL', () => new Queue('q', { connection: 'http://localhost:6379' }), InvalidArgumentError],
  ['malformed URL', () => new Queue('q', { connection: 'not a url' }), InvalidArgumentError],
  ['non-numeric database index', () => new Queue('q', { connection: 'redis://localhost:6379/abc' }), InvalidArgumentError],
  ['env.connection that is not a client', () => new Queue('q', { connection: {} as never }), InvalidArgumentError],
  ['queue name with a space', () => new Queue('a b', { connection: env.connection }), InvalidArgumentError],
  ['fetching a missing job', () => Job.fetch('does-not-exist', { connection: env.connection }), NoSuchJobError],
  ['wait() with a negative timeout', async () => (await pickle().enqueue('mylib.add', 1, 2)).wait({ timeout: -1 }), InvalidArgumentError],
];

describe('bad input', () => {
  it.each(cases)('%s', async (_label, act, ErrorClass) => {
    const before = await dbsize();
    await expect(Promise.resolve().then(act)).rejects.toBeInstanceOf(ErrorClass);
    // wait() with a bad timeout enqueued its job before the wait was refused.
    if (!_label.startsWith('wait()')) expect(await dbsize()).toBe(before);
  });

  it('names the argument at fault', async () => {
    await expect(pickle().enqueue('mylib.echo', 1, { nested: [() => 1] })).rejects.toThrow(/args\[1\]/);
    await expect(pickle().enqueueCall('mylib.echo', { kwargs: { k: [Symbol('s')] } })).rejects.toThrow(/kwargs\.k\[0\]/);
  });

  it('refuses a unique job whose id exists and leaves the first untouched', async () => {
    const q = pickle();
    const first = await q.enqueueCall('mylib.add', { args: [1, 2], jobId: 'uniq-exists', unique: true });
    const before = await dbsize();
    const fieldsBefore = await env.connection.command(['HGETALL', 'rq:job:uniq-exists']);
    await expect(q.enqueueCall('mylib.add', { args: [3, 4], jobId: 'uniq-exists', unique: true })).rejects.toBeInstanceOf(DuplicateJobError);
    expect(await dbsize()).toBe(before);
    expect(await env.connection.command(['HGETALL', 'rq:job:uniq-exists'])).toEqual(fieldsBefore);
    expect(await q.jobIds).toEqual([first.id]);
  });
});
