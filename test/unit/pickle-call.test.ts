/**
 * The direct writer of the job payload's pickle (`pickle/call.ts`) against the general pickler, which the
 * golden vectors and the CPython round-trip tests hold byte-identical to CPython: for every value it takes,
 * the bytes must be the same; for every value it hands back, the general pickler decides.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pickleCall } from '../../src/serializers/pickle/call.js';
import { pickleDumps } from '../../src/serializers/pickle/encode.js';
import { py } from '../../src/py/values.js';
import { InvalidArgumentError } from '../../src/errors.js';

/** The mutation run (vitest.stryker.config.ts) scales the fuzzing down: it reruns these tests per mutant. */
const fuzzRuns = (n: number): number => Math.max(50, Math.round(n * Number(process.env.RQTS_FUZZ_SCALE ?? 1)));

const general = (func: string, args: readonly unknown[], kwargs: Record<string, unknown>): Buffer =>
  pickleDumps(py.tuple<unknown>(func, null, py.tuple(...args), kwargs));

/** Values the direct writer takes, nested; strings drawn from a small pool so that equal ones repeat. */
const pool = ['', 'a', 'mylib.add', 'é', '日本', '😀', 'x'.repeat(300), 'key'];
const atom = fc.oneof(
  fc.constant(null), fc.boolean(),
  fc.integer({ min: -0x80000000, max: 0x7fffffff }), fc.integer({ min: 0, max: 70_000 }),
  fc.double(), fc.constantFrom(...pool), fc.string({ maxLength: 20 }), fc.string({ unit: 'binary', maxLength: 8 }),
);
const { value } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, atom, fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(fc.oneof(fc.constantFrom(...pool), fc.string({ maxLength: 6 })), tie('value'), { maxKeys: 4 })),
}));

describe('pickleCall (the payload fast path)', () => {
  it('writes exactly what the general pickler writes, or hands the value back', () => {
    let taken = 0;
    const runs = fuzzRuns(1500);
    fc.assert(fc.property(
      fc.constantFrom(...pool, 'billing.tasks.charge'), fc.array(value, { maxLength: 6 }),
      fc.dictionary(fc.string({ maxLength: 6 }), value, { maxKeys: 4 }),
      (func, args, kwargs) => {
        const fast = pickleCall(func, args, kwargs);
        if (fast === undefined) return;
        taken++;
        expect(fast.toString('hex')).toBe(general(func, args, kwargs).toString('hex'));
      },
    ), { numRuns: runs });
    expect(taken).toBeGreaterThan(runs * 0.8);
  });

  it('covers the common shapes byte for byte, memo GETs included', () => {
    const shared = 'same text';
    const cases: [string, unknown[], Record<string, unknown>][] = [
      ['mylib.add', [1, 2], {}],
      ['mylib.add', [], {}],
      ['mylib.f', [0, 255, 256, 65535, 65536, -1, -0x80000000, 0x7fffffff], { a: 1.5, b: -0, c: Number.NaN }],
      ['mylib.f', [shared, shared, 'mylib.f'], { [shared]: shared }],
      ['mylib.f', [[1, [2, { x: [] }]], { '1': 'int-like key', b: true, a: false }], { k: null }],
      ['mylib.f', ['x'.repeat(255), 'y'.repeat(256), 'é'.repeat(200)], {}],
    ];
    for (const [func, args, kwargs] of cases) {
      expect(pickleCall(func, args, kwargs)?.toString('hex')).toBe(general(func, args, kwargs).toString('hex'));
    }
  });

  it('hands back what it does not write: big ints, tuples, bytes, dates, shared objects, lone surrogates, undefined', () => {
    const list = [1];
    const kwargs = { a: 1 };
    const back: [unknown[], Record<string, unknown>][] = [
      [[2 ** 40], {}], [[py.tuple(1, 2)], {}], [[Buffer.from('x')], {}], [[new Date(0)], {}], [[10n], {}],
      [[list, list], {}], [[kwargs], kwargs], [['\ud800'], {}], [[undefined], {}], [[new Map()], {}],
      [[Array.from({ length: 1000 }, () => 0)], {}], [['z'.repeat(70_000)], {}],
    ];
    for (const [args, kw] of back) expect(pickleCall('mylib.f', args, kw)).toBeUndefined();
    // The general pickler still writes the ones Python can receive.
    expect(general('mylib.f', [list, list], {}).length).toBeGreaterThan(0);
  });

  it('hands Python-less values to the general pickler, which refuses them by name', () => {
    class Point {}
    const sym = Symbol('k');
    const refused: [unknown[], Record<string, unknown>][] = [
      [[], { [sym]: 1 }], [[{ [sym]: 1 }], {}], [[new Point()], {}], [[() => 1], {}], [[sym], {}], [[1], { a: undefined }],
      [[[1, undefined]], {}], [[], new Point() as unknown as Record<string, unknown>],
    ];
    for (const [args, kwargs] of refused) {
      expect(pickleCall('mylib.f', args, kwargs)).toBeUndefined();
      expect(() => general('mylib.f', args, kwargs)).toThrow(InvalidArgumentError);
    }
    // A Map of kwargs is a dict to the general pickler; the direct writer must not read it as an empty object.
    const map = new Map([['a', 1]]) as unknown as Record<string, unknown>;
    expect((pickleCall('mylib.f', [], map) ?? general('mylib.f', [], map)).toString('hex')).toBe(general('mylib.f', [], { a: 1 }).toString('hex'));
  });

  it('starts every pickle afresh: after one it handed back, and for the same arguments twice', () => {
    expect(pickleCall('mylib.f', ['a', 'b', [1], { c: 'a' }, 2 ** 40], { k: 'b' })).toBeUndefined();
    const args = [['b', 'a'], { x: 'b' }];
    const kwargs = { a: 'a' };
    const first = pickleCall('mylib.g', args, kwargs);
    expect(first?.toString('hex')).toBe(general('mylib.g', args, kwargs).toString('hex'));
    expect(pickleCall('mylib.g', args, kwargs)?.toString('hex')).toBe(first!.toString('hex'));
    // After a payload that grew the buffer past its first size, a small one is still exact.
    const big = ['w'.repeat(10_000), 'v'.repeat(10_000)];
    expect(pickleCall('mylib.g', big, {})?.toString('hex')).toBe(general('mylib.g', big, {}).toString('hex'));
    expect(pickleCall('mylib.g', ['w'], {})?.toString('hex')).toBe(general('mylib.g', ['w'], {}).toString('hex'));
  });
});
