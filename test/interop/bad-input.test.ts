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
/** What the error must carry: `option` for InvalidArgumentError, `jobId` for job errors. */
type Expected = { option: string } | { jobId: string };
type Case = [string, () => Promise<unknown> | unknown, new (...args: never[]) => Error, Expected];

/**
 * Jobs that exist, so that a row about a forbidden combination with `dependsOn` has no second reason to
 * fail (a missing dependency is refused too): `parent` is queued, `self` is a job enqueued again below.
 */
const real = { parent: '', self: '' };
beforeAll(async () => {
  real.parent = (await pickle().enqueue('mylib.add', 1, 2)).id;
  real.self = (await pickle().enqueueCall('mylib.add', { jobId: uniqueName('self') })).id;
});
const inTen = () => new Date(Date.now() + 10_000);

const cases: Case[] = [
  ['unknown option', () => pickle().enqueueCall('mylib.add', { job_timeout: 5 } as never), InvalidArgumentError, { option: 'enqueueCall option "job_timeout"' }],
  ['args not an array', () => pickle().enqueueCall('mylib.add', { args: 5 as never }), InvalidArgumentError, { option: 'args' }],
  ['kwargs not a plain object', () => pickle().enqueueCall('mylib.add', { kwargs: new Map() as never }), InvalidArgumentError, { option: 'kwargs' }],
  ['atFront not a boolean', () => pickle().enqueueCall('mylib.add', { atFront: 'yes' as never }), InvalidArgumentError, { option: 'atFront' }],
  ['unique not a boolean', () => pickle().enqueueCall('mylib.add', { jobId: 'u-0', unique: 1 as never }), InvalidArgumentError, { option: 'unique' }],
  ['description not a string', () => pickle().enqueueCall('mylib.add', { description: 5 as never }), InvalidArgumentError, { option: 'description' }],
  ['meta not a plain object', () => pickle().enqueueCall('mylib.add', { meta: [1] as never }), InvalidArgumentError, { option: 'meta' }],
  ['zero jobTimeout', () => pickle().enqueueCall('mylib.add', { jobTimeout: 0 }), InvalidArgumentError, { option: 'jobTimeout' }],
  ['jobTimeout 0.5 (0 once cut to whole seconds, as RQ cuts it)', () => pickle().enqueueCall('mylib.add', { jobTimeout: 0.5 }), InvalidArgumentError, { option: 'jobTimeout' }],
  ["'3x' duration", () => pickle().enqueueCall('mylib.add', { jobTimeout: '3x' as never }), InvalidArgumentError, { option: 'jobTimeout' }],
  ["'1.5m' duration", () => pickle().enqueueCall('mylib.add', { resultTtl: '1.5m' }), InvalidArgumentError, { option: 'resultTtl' }],
  ['resultTtl below -1 (RQ workers would delete the result at once)', () => pickle().enqueueCall('mylib.add', { resultTtl: -2 }), InvalidArgumentError, { option: 'resultTtl' }],
  ['failureTtl below -1', () => pickle().enqueueCall('mylib.add', { failureTtl: '-1h' }), InvalidArgumentError, { option: 'failureTtl' }],
  ['zero ttl', () => pickle().enqueueCall('mylib.add', { ttl: 0 }), InvalidArgumentError, { option: 'ttl' }],
  ['ttl -1 (RQ: "Job ttl must be greater than 0")', () => pickle().enqueueCall('mylib.add', { ttl: -1 }), InvalidArgumentError, { option: 'ttl' }],
  ['ttl shorter than the enqueueIn delay (the job would expire unrun)', () => pickle().enqueueCallIn('10m', 'mylib.add', { ttl: 60 }), InvalidArgumentError, { option: 'ttl' }],
  ['ttl ending before the enqueueAt time', () => pickle().enqueueCallAt(new Date(Date.now() + 3_600_000), 'mylib.add', { ttl: 3000 }), InvalidArgumentError, { option: 'ttl' }],
  ['negative ttl on enqueueIn', () => pickle().enqueueCallIn(10, 'mylib.add', { ttl: -5 }), InvalidArgumentError, { option: 'ttl' }],
  ['Retry fractional max (RQ 1.13–2.x workers fail to load it)', () => new Retry({ max: 1.5 }), InvalidArgumentError, { option: 'retry.max' }],
  ['Retry fractional interval', () => new Retry({ max: 2, interval: 1.5 }), InvalidArgumentError, { option: 'retry.interval[0]' }],
  ['job id with ":"', () => pickle().enqueueCall('mylib.add', { jobId: 'a:b' }), InvalidArgumentError, { option: 'jobId' }],
  ['job id with "."', () => pickle().enqueueCall('mylib.add', { jobId: 'a.b' }), InvalidArgumentError, { option: 'jobId' }],
  ['non-ASCII job id', () => pickle().enqueueCall('mylib.add', { jobId: 'héllo' }), InvalidArgumentError, { option: 'jobId' }],
  ['job id with a space', () => pickle().enqueueCall('mylib.add', { jobId: 'sp ace' }), InvalidArgumentError, { option: 'jobId' }],
  ['empty job id', () => pickle().enqueueCall('mylib.add', { jobId: '' }), InvalidArgumentError, { option: 'jobId' }],
  ['function path that is not dotted', () => pickle().enqueue('mylib..add'), InvalidArgumentError, { option: 'func' }],
  ['function path with a dash', () => pickle().enqueue('my-lib.add'), InvalidArgumentError, { option: 'func' }],
  ['dependsOn a missing job', () => pickle().enqueueCall('mylib.add', { dependsOn: 'no-such-job' }), InvalidArgumentError, { option: 'dependsOn' }],
  ['dependsOn with an invalid id', () => pickle().enqueueCall('mylib.add', { dependsOn: 'a:b' }), InvalidArgumentError, { option: 'dependsOn[0]' }],
  ['dependsOn a job without an id', () => pickle().enqueueCall('mylib.add', { dependsOn: [real.parent, {} as never] }), InvalidArgumentError, { option: 'dependsOn[1]' }],
  ['dependsOn on itself', () => pickle().enqueueCall('mylib.add', { jobId: real.self, dependsOn: real.self }), InvalidArgumentError, { option: 'dependsOn' }],
  ['empty Dependency', () => pickle().enqueueCall('mylib.add', { dependsOn: new Dependency({ jobs: [] }) }), InvalidArgumentError, { option: 'Dependency.jobs' }],
  ['Dependency allowFailure not a boolean', () => new Dependency({ jobs: real.parent, allowFailure: 'yes' as never }), InvalidArgumentError, { option: 'Dependency.allowFailure' }],
  ['unique without jobId', () => pickle().enqueueCall('mylib.add', { unique: true }), InvalidArgumentError, { option: 'unique' }],
  ['unique with dependsOn', () => pickle().enqueueCall('mylib.add', { jobId: uniqueName('u'), unique: true, dependsOn: real.parent }), InvalidArgumentError, { option: 'unique' }],
  ['dependsOn with enqueueIn', () => pickle().enqueueCallIn(10, 'mylib.add', { dependsOn: real.parent }), InvalidArgumentError, { option: 'dependsOn' }],
  ['dependsOn with enqueueAt', () => pickle().enqueueCallAt(inTen(), 'mylib.add', { dependsOn: real.parent }), InvalidArgumentError, { option: 'dependsOn' }],
  ['enqueueAt an invalid Date', () => pickle().enqueueAt(new Date('nope'), 'mylib.add'), InvalidArgumentError, { option: 'when' }],
  ['retry as a plain object', () => pickle().enqueueCall('mylib.add', { retry: { max: 3 } as never }), InvalidArgumentError, { option: 'retry' }],
  ['Retry max 0', () => new Retry({ max: 0 }), InvalidArgumentError, { option: 'retry.max' }],
  ['Retry negative interval', () => new Retry({ max: 2, interval: [10, -1] }), InvalidArgumentError, { option: 'retry.interval[1]' }],
  ["Retry '3x' interval", () => new Retry({ max: 2, interval: '3x' as never }), InvalidArgumentError, { option: 'retry.interval[0]' }],
  ['Retry empty interval list', () => new Retry({ max: 2, interval: [] }), InvalidArgumentError, { option: 'retry.interval' }],
  ['callback path that is not dotted', () => pickle().enqueueCall('mylib.add', { onSuccess: 'not a path' }), InvalidArgumentError, { option: 'onSuccess' }],
  ['callback as a function', () => pickle().enqueueCall('mylib.add', { onFailure: (() => 1) as never }), InvalidArgumentError, { option: 'onFailure' }],
  ['onStopped that is not dotted', () => pickle().enqueueCall('mylib.add', { onStopped: 'a..b' }), InvalidArgumentError, { option: 'onStopped' }],
  ['function argument', () => pickle().enqueue('mylib.echo', () => 1), InvalidArgumentError, { option: 'args[0]' }],
  ['symbol argument', () => pickle().enqueue('mylib.echo', Symbol('s')), InvalidArgumentError, { option: 'args[0]' }],
  ['undefined argument', () => pickle().enqueue('mylib.echo', 1, undefined), InvalidArgumentError, { option: 'args[1]' }],
  ['cyclic argument', () => { const a: unknown[] = []; a.push(a); return pickle().enqueue('mylib.echo', a); }, InvalidArgumentError, { option: 'args[0][0]' }],
  ['class instance argument', () => pickle().enqueue('mylib.echo', new (class Foo {})()), InvalidArgumentError, { option: 'args[0]' }],
  ['non-serializable meta value', () => pickle().enqueueCall('mylib.add', { meta: { f: () => 1 } }), InvalidArgumentError, { option: 'meta' }],
  ['NaN under JSON', () => json().enqueue('mylib.echo', Number.NaN), InvalidArgumentError, { option: 'args[0]' }],
  ['Infinity under JSON', () => json().enqueue('mylib.echo', Number.POSITIVE_INFINITY), InvalidArgumentError, { option: 'args[0]' }],
  ['bytes under JSON', () => json().enqueue('mylib.echo', Buffer.from('x')), InvalidArgumentError, { option: 'args[0]' }],
  ['Date under JSON', () => json().enqueue('mylib.echo', new Date(0)), InvalidArgumentError, { option: 'args[0]' }],
  ['Set under JSON', () => json().enqueueCall('mylib.echo', { kwargs: { s: new Set([1]) } }), InvalidArgumentError, { option: 'kwargs.s' }],
  ['enqueueMany with a duplicate id', () => pickle().enqueueMany([Queue.prepareData('mylib.add', [], { jobId: 'd1' }), Queue.prepareData('mylib.add', [], { jobId: 'd1' })]), InvalidArgumentError, { option: 'enqueueMany' }],
  ['enqueueMany with one bad item', () => pickle().enqueueMany([Queue.prepareData('mylib.add', [1]), Queue.prepareData('mylib.add', [() => 1])]), InvalidArgumentError, { option: 'enqueueMany[1].args[0]' }],
  ['enqueueMany with an item that is not prepared data', () => pickle().enqueueMany([Queue.prepareData('mylib.add', [1]), 'mylib.add' as never]), InvalidArgumentError, { option: 'enqueueMany[1]' }],
  ['enqueueMany where one job depends on a missing job', () => pickle().enqueueMany([Queue.prepareData('mylib.add', [1]), Queue.prepareData('mylib.add', [2], { dependsOn: 'missing-parent' })]), InvalidArgumentError, { option: 'dependsOn' }],
  ['unknown serializer', () => new Queue('q', { connection: env.connection, serializer: 'yaml' }), InvalidArgumentError, { option: 'serializer' }],
  ['http:// URL', () => new Queue('q', { connection: 'http://localhost:6379' }), InvalidArgumentError, { option: 'connection' }],
  ['malformed URL', () => new Queue('q', { connection: 'not a url' }), InvalidArgumentError, { option: 'connection' }],
  ['non-numeric database index', () => new Queue('q', { connection: 'redis://localhost:6379/abc' }), InvalidArgumentError, { option: 'connection' }],
  ['connection that is not a client', () => new Queue('q', { connection: {} as never }), InvalidArgumentError, { option: 'connection' }],
  ['queue name with a space', () => new Queue('a b', { connection: env.connection }), InvalidArgumentError, { option: 'queue name' }],
  ['unknown Queue option', () => new Queue('q', { connection: env.connection, timeout: 5 } as never), InvalidArgumentError, { option: 'Queue option "timeout"' }],
  ['zero Queue defaultTimeout', () => new Queue('q', { connection: env.connection, defaultTimeout: 0 }), InvalidArgumentError, { option: 'jobTimeout' }],
  ['fetching a missing job', () => Job.fetch('does-not-exist', { connection: env.connection }), NoSuchJobError, { jobId: 'does-not-exist' }],
  ['wait() with a negative timeout', async () => (await pickle().enqueue('mylib.add', 1, 2)).wait({ timeout: -1 }), InvalidArgumentError, { option: 'timeout' }],
];

describe('bad input', () => {
  it.each(cases)('%s', async (label, act, ErrorClass, expected) => {
    const before = await dbsize();
    const error = await Promise.resolve().then(act).then(
      (value) => ({ notThrown: value }),
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ErrorClass);
    expect(error).toMatchObject(expected);
    // wait() with a bad timeout enqueued its job before the wait was refused.
    if (!label.startsWith('wait()')) expect(await dbsize()).toBe(before);
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
