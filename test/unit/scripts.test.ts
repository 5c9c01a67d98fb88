import { describe, expect, it } from 'vitest';
import { pack } from '../../src/msgpack.js';
import { enqueueJobsArgs, expectedStatus, readEnqueueReply, type EnqueueSpec } from '../../src/scripts.js';
import { unpackMsgpack } from '../helpers/msgpack-reader.js';

const spec = (over: Partial<EnqueueSpec> = {}): EnqueueSpec => ({
  mode: 'queue', queue: 'high', jobId: 'j1', atFront: false, ttl: null, unique: false, createdAt: 'C',
  dependencyIds: [], allowDependencyFailures: false, deferredScore: '+inf', fields: ['status', 'queued', 'origin', 'high'], ...over,
});

/** ARGV[1] read back with an independent reader: calls → [group name, is new, group key, rq:groups, jobs]. */
const rawCalls = (args: unknown[]): unknown[][] => {
  expect(args).toHaveLength(1);
  return unpackMsgpack(args[0] as Buffer) as unknown[][];
};
/** The jobs of each call, checking that the call names no group. */
const calls = (args: unknown[]): unknown[][][] =>
  rawCalls(args).map((call) => {
    expect(call.slice(0, 4)).toEqual(['', '0', 0, 0]);
    return call[4] as unknown[][];
  });

describe('enqueueJobs script arguments', () => {
  it('declares each key once and points at it from every job, with the dependency keys last', () => {
    const { keys, args, script } = enqueueJobsArgs([[spec({ dependencyIds: ['p1'], atFront: true, ttl: 60 })]]);
    expect(keys).toEqual([
      'rq:queues', 'rq:job:j1', 'rq:queue:high', 'rq:job:j1:dependents', 'rq:job::j1:dependencies',
      'rq:deferred:high', 'rq:job:p1', 'rq:job:p1:dependents',
    ]);
    expect(calls(args)).toEqual([[['Q', 'L', '60', '0', 'C', 'j1', '', '0', '+inf', ['p1'], ['status', 'queued', 'origin', 'high'], [1, 2, 3, 4, 5, 6, 0, 7, 8]]]]);
    expect(script.sha).toMatch(/^[0-9a-f]{40}$/);
    expect(script.source).not.toMatch(/rq:/);
  });

  it('declares only the keys a plain job can touch, and shares the queue keys within a batch', () => {
    const { keys, args } = enqueueJobsArgs([[spec()], [spec({ jobId: 'j2', mode: 'schedule', scheduledScore: 1700000000, unique: true })]]);
    expect(keys).toEqual(['rq:queues', 'rq:job:j1', 'rq:queue:high', 'rq:job:j2', 'rq:scheduled:high']);
    const [first, second] = calls(args);
    expect(first![0]![11]).toEqual([1, 2, 3, 0, 0, 0, 0]);
    expect(second).toEqual([['S', 'R', '', '1', 'C', 'j2', '1700000000', '0', '+inf', [], ['status', 'queued', 'origin', 'high'], [1, 4, 3, 0, 0, 0, 5]]]);
  });

  it('declares the dependencies set and deferred registry of a future, and a sync job pushes nowhere', () => {
    const { keys, args } = enqueueJobsArgs([[spec({ mode: 'future' })], [spec({ jobId: 's', mode: 'sync' })]]);
    expect(keys).toEqual(['rq:queues', 'rq:job:j1', 'rq:queue:high', 'rq:job::j1:dependencies', 'rq:deferred:high', 'rq:job:s']);
    const [future, sync] = calls(args);
    expect(future![0]!.slice(0, 2)).toEqual(['F', 'R']);
    expect(future![0]![11]).toEqual([1, 2, 3, 0, 4, 5, 0]);
    expect(sync![0]!.slice(0, 2)).toEqual(['Q', 'N']);
  });

  it('names the call\'s group once, with its set and rq:groups declared once', () => {
    const group = { name: 'g1', isNew: true };
    const { keys, args } = enqueueJobsArgs([[spec({ group }), spec({ jobId: 'j2', group })], [spec({ jobId: 'j3' })]]);
    expect(keys).toEqual(['rq:queues', 'rq:group:g1', 'rq:groups', 'rq:job:j1', 'rq:queue:high', 'rq:job:j2', 'rq:job:j3']);
    const [grouped, plain] = rawCalls(args);
    expect(grouped!.slice(0, 4)).toEqual(['g1', '1', 2, 3]);
    expect((grouped![4] as unknown[][]).map((job) => job[5])).toEqual(['j1', 'j2']);
    expect(plain!.slice(0, 4)).toEqual(['', '0', 0, 0]);
  });

  it('expects the status each mode writes unless dependencies defer it', () => {
    expect(['queue', 'sync', 'schedule', 'future', 'blocked'].map((m) => expectedStatus(m as EnqueueSpec['mode'])))
      .toEqual(['queued', 'queued', 'scheduled', 'deferred', 'deferred']);
  });
});

describe('the enqueue script reply', () => {
  it('reads outcomes per call, and a refused call with its reason', () => {
    const reply = [[0, [1, 3]], [5, Buffer.from('missing')], [9, Buffer.from('f'), Buffer.from('canceled')], [10, Buffer.from('g')]];
    expect(readEnqueueReply(reply, 4)).toEqual([
      { written: true, outcomes: [1, 3] },
      { written: false, code: 5, id: 'missing', status: '' },
      { written: false, code: 9, id: 'f', status: 'canceled' },
      { written: false, code: 10, id: 'g', status: '' },
    ]);
  });

  it('refuses a reply of the wrong shape', () => {
    expect(() => readEnqueueReply([[0, [1]]], 2)).toThrow(/Unexpected reply/);
    expect(() => readEnqueueReply('OK', 1)).toThrow(/Unexpected reply/);
  });
});

describe('pack (MessagePack as cmsgpack reads it)', () => {
  it('writes fix, 8, 16 and 32-bit string headers, integers and nested arrays', () => {
    expect(pack(['a', ['b', Buffer.from([0xff])]]).toString('hex')).toBe('92a16192a162a1ff');
    expect(pack(['x'.repeat(40)]).subarray(0, 3).toString('hex')).toBe('91d928');
    expect(pack(['x'.repeat(300)]).subarray(0, 4).toString('hex')).toBe('91da012c');
    expect(pack(['x'.repeat(70_000)]).subarray(0, 6).toString('hex')).toBe('91db00011170');
    expect(pack([Array.from({ length: 20 }, () => '')]).subarray(0, 4).toString('hex')).toBe('91dc0014');
    expect(pack(['é']).toString('hex')).toBe('91a2c3a9');
    expect(pack([0, 127, 128, 255, 256, 65535, 65536]).toString('hex')).toBe('97007fcc80ccffcd0100cdffffce00010000');
  });

  it('round-trips strings of every shape through an independent reader', () => {
    const values = ['', 'ascii', 'é', '日本語', '😀', 'x'.repeat(47), 'y'.repeat(48), 'z'.repeat(49), `${'a'.repeat(60)}é`, '\u0000\u007f'];
    expect(unpackMsgpack(pack(values))).toEqual(values);
  });

  it('refuses numbers it cannot write', () => {
    for (const bad of [-1, 1.5, 2 ** 32, Number.NaN]) expect(() => pack([bad])).toThrow(RangeError);
  });
});
