/**
 * Sets of ints come out in CPython's order: random int lists go to one `python3` run, which prints
 * `repr(set(items))`, `repr(frozenset(items))` and `pickle.dumps(set(items))`; rqts must print and pickle
 * the same `Set` identically. (Sets of strings cannot match: Python's order depends on its hash seed.)
 */
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pyRepr } from '../../src/py/repr.js';
import { pythonSetOrder } from '../../src/py/set-order.js';
import { py } from '../../src/py/values.js';
import { pickleDumps } from '../../src/serializers/pickle/index.js';

const PY = String.raw`
import sys, json, pickle, base64
for items in json.load(sys.stdin):
    items = [int(x) for x in items]
    s = set(items)
    print(json.dumps([repr(s), repr(frozenset(items)), base64.b64encode(pickle.dumps(s, protocol=5)).decode()]))
`;

/** Ints as JS holds them: small and large numbers, -1 (hash -2), multiples of 2**61 - 1, bigints. */
const pyInt = fc.oneof(
  fc.integer({ min: -40, max: 300 }),
  fc.integer(),
  fc.constantFrom(-1, -2, 0, 2 ** 53 - 1, -(2 ** 53 - 1)),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).filter((n) => n > BigInt(Number.MAX_SAFE_INTEGER) || n < BigInt(Number.MIN_SAFE_INTEGER)),
  fc.constantFrom((1n << 61n) - 1n, (1n << 61n) - 2n, -((1n << 61n) - 1n), 2n ** 64n + 7n),
);

const samples = fc.sample(fc.uniqueArray(pyInt, { maxLength: 120, selector: String }), { numRuns: 400, seed: 1616 });
samples.push(Array.from({ length: 1000 }, (_, i) => (i * 7919) % 5003), [3, 1, 2], [100, 9, 33, -1, 8], [8, 16, 24, 32, 40, 48]);

describe('CPython set order for ints', () => {
  it('repr and pickle of set(items) / frozenset(items) match python3 byte for byte', () => {
    const out = execFileSync('python3', ['-c', PY], { input: JSON.stringify(samples.map((s) => s.map(String))), encoding: 'utf8', maxBuffer: 64 << 20 });
    const lines = out.trimEnd().split('\n').map((l) => JSON.parse(l) as [string, string, string]);
    expect(lines).toHaveLength(samples.length);
    let reordered = 0;
    samples.forEach((items, i) => {
      const [setRepr, frozenRepr, pickled] = lines[i]!;
      const set = new Set<unknown>(items);
      expect(pyRepr(set), JSON.stringify(items.map(String))).toBe(setRepr);
      expect(pyRepr(py.frozenset(items))).toBe(frozenRepr);
      expect(pickleDumps(set, { protocol: 5 }).toString('base64')).toBe(pickled);
      if (pythonSetOrder(items).some((x, j) => x !== items[j])) reordered++;
    });
    // The samples exercise the reordering (not just sets that happen to be in insertion order).
    expect(reordered).toBeGreaterThan(samples.length / 2);
  });

  it('leaves sets with any non-int member in insertion order', () => {
    expect(pythonSetOrder(['b', 'a'])).toEqual(['b', 'a']);
    expect(pythonSetOrder([3, 1.5, 1])).toEqual([3, 1.5, 1]);
    expect(pythonSetOrder([3, true])).toEqual([3, true]);
    expect(pythonSetOrder([1, 1n])).toEqual([1, 1n]);
  });
});
