import { describe, expect, it } from 'vitest';
import { enqueueJobsArgs, packArray, type EnqueueSpec } from '../../src/scripts.js';

/**
 * An independent MessagePack reader for what cmsgpack sees (str 8/16/32, fixstr, array 16/32, fixarray), so
 * the expected layout comes from the script's documented ARGV, not from the encoder under test.
 */
function unpack(buf: Buffer): unknown {
  let at = 0;
  const read = (): unknown => {
    const b = buf[at++]!;
    const str = (n: number): string => buf.toString('utf8', at, (at += n));
    const arr = (n: number): unknown[] => Array.from({ length: n }, read);
    if ((b & 0xe0) === 0xa0) return str(b & 0x1f);
    if ((b & 0xf0) === 0x90) return arr(b & 0x0f);
    if (b === 0xd9) return str(buf[at++]!);
    if (b === 0xda) return str(buf.readUInt16BE((at += 2) - 2));
    if (b === 0xdb) return str(buf.readUInt32BE((at += 4) - 4));
    if (b === 0xdc) return arr(buf.readUInt16BE((at += 2) - 2));
    if (b === 0xdd) return arr(buf.readUInt32BE((at += 4) - 4));
    throw new Error(`unexpected MessagePack byte 0x${b.toString(16)} at ${at - 1}`);
  };
  const value = read();
  expect(at).toBe(buf.length);
  return value;
}

const spec = (over: Partial<EnqueueSpec> = {}): EnqueueSpec => ({
  mode: 'queue', queue: 'high', jobId: 'j1', atFront: false, ttl: null, unique: false, createdAt: 'C', enqueuedAt: 'E',
  dependencyIds: [], allowDependencyFailures: false, deferredScore: '+inf', fields: ['origin', 'high'], ...over,
});

describe('enqueueJobs script arguments', () => {
  it('passes every key from keys.ts, per job, with the dependency keys last', () => {
    const { keys, args, script } = enqueueJobsArgs([spec({ dependencyIds: ['p1'], atFront: true, ttl: 60 })]);
    expect(keys).toEqual([
      'rq:queues', 'rq:job:j1', 'rq:queue:high', 'rq:job:j1:dependents', 'rq:job::j1:dependencies',
      'rq:deferred:high', 'rq:scheduled:high', 'rq:job:p1', 'rq:job:p1:dependents',
    ]);
    // ARGV as the script documents it: mode · push · ttl · unique · created_at · id · scheduled score ·
    // allow failures · deferred score · enqueued_at · [dependency ids] · [field, value, …] · group · group is new.
    expect(args.map((a) => unpack(a as Buffer))).toEqual([['Q', 'L', '60', '0', 'C', 'j1', '', '0', '+inf', 'E', ['p1'], ['origin', 'high'], '', '0']]);
    expect(script.sha).toMatch(/^[0-9a-f]{40}$/);
    expect(script.source).not.toMatch(/rq:/);
  });

  it('lays out several jobs one argument each', () => {
    const { keys, args } = enqueueJobsArgs([spec(), spec({ jobId: 'j2', mode: 'schedule', scheduledScore: 1700000000, unique: true })]);
    expect(keys).toHaveLength(14);
    expect(args).toHaveLength(2);
    expect(unpack(args[1] as Buffer)).toEqual(['S', 'R', '', '1', 'C', 'j2', '1700000000', '0', '+inf', 'E', [], ['origin', 'high'], '', '0']);
    expect(unpack(args[0] as Buffer)).toEqual(['Q', 'R', '', '0', 'C', 'j1', '', '0', '+inf', 'E', [], ['origin', 'high'], '', '0']);
  });

  it('appends the group set and rq:groups after the jobs, naming the group in every job', () => {
    const group = { name: 'g1', isNew: true };
    const { keys, args } = enqueueJobsArgs([spec({ group }), spec({ jobId: 'j2', group })]);
    expect(keys.slice(-2)).toEqual(['rq:group:g1', 'rq:groups']);
    expect(keys).toHaveLength(16);
    expect(unpack(args[1] as Buffer)).toEqual(['Q', 'R', '', '0', 'C', 'j2', '', '0', '+inf', 'E', [], ['origin', 'high'], 'g1', '1']);
  });
});

describe('packArray (MessagePack as cmsgpack reads it)', () => {
  it('writes fix, 8, 16 and 32-bit string headers and nested arrays', () => {
    expect(packArray(['a', ['b', Buffer.from([0xff])]]).toString('hex')).toBe('92a16192a162a1ff');
    expect(packArray(['x'.repeat(40)]).subarray(0, 3).toString('hex')).toBe('91d928');
    expect(packArray(['x'.repeat(300)]).subarray(0, 4).toString('hex')).toBe('91da012c');
    expect(packArray(['x'.repeat(70_000)]).subarray(0, 6).toString('hex')).toBe('91db00011170');
    expect(packArray([Array.from({ length: 20 }, () => '')]).subarray(0, 4).toString('hex')).toBe('91dc0014');
    expect(packArray(['é']).toString('hex')).toBe('91a2c3a9');
    const long = ['x'.repeat(40), 'y'.repeat(300), 'z'.repeat(70_000), Array.from({ length: 20 }, (_, i) => String(i))];
    expect(unpack(packArray(long))).toEqual(long);
  });
});
