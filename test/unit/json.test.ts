/** RQ's JSONSerializer: byte-identical `json.dumps` output and a `json.loads`-compatible reader. */
import { describe, expect, it } from 'vitest';
import { DeserializationError, InvalidArgumentError } from '../../src/errors.js';
import { py, PyFloat } from '../../src/py/values.js';
import { jsonDumps, jsonLoads, jsonSerializer } from '../../src/serializers/json.js';

const dump = (v: unknown): string => jsonDumps(v).toString('latin1');
const load = (s: string, opts = {}): unknown => jsonLoads(Buffer.from(s, 'utf8'), opts);

describe('jsonDumps matches CPython json.dumps', () => {
  it('escapes like ensure_ascii (lowercase hex, surrogate pairs, \\u007f, short escapes)', () => {
    // json.dumps(['\x00\x1f\x7f\x80é\u2028\U0001F600\ud800"\\/\b\f\n\r\t'])
    expect(dump(['\x00\x1f\x7f\x80é\u2028\u{1F600}\ud800"\\/\b\f\n\r\t'])).toBe(
      '["\\u0000\\u001f\\u007f\\u0080\\u00e9\\u2028\\ud83d\\ude00\\ud800\\"\\\\/\\b\\f\\n\\r\\t"]',
    );
  });
  it('writes numbers as Python does', () => {
    expect(dump([py.float(1), 1e16, 1e-5, -0, 2n ** 70n, 1, 1.5])).toBe('[1.0, 1e+16, 1e-05, -0.0, 1180591620717411303424, 1, 1.5]');
  });
  it('uses Python separators, tuples as lists, and converts Map keys', () => {
    const m = new Map<unknown, unknown>([[1, 'a'], [py.float(1.5), 'b'], [true, 'c'], [null, 'd'], [2n ** 70n, 'e'], [NaN, 'f'], ['s', {}]]);
    expect(dump(py.tuple<unknown>(m, [], {}))).toBe('[{"1": "a", "1.5": "b", "true": "c", "null": "d", "1180591620717411303424": "e", "NaN": "f", "s": {}}, [], {}]');
    expect(dump({ k: py.tuple(1, 2) })).toBe('{"k": [1, 2]}');
  });
  it('refuses what JSON cannot carry, naming the path', () => {
    const bad = (v: unknown, option: string): void => {
      try {
        jsonDumps(v);
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidArgumentError);
        expect((error as InvalidArgumentError).option).toBe(option);
      }
    };
    bad([NaN], 'value[0]');
    bad({ a: [1, Infinity] }, 'value.a[1]');
    bad({ b: Buffer.from('x') }, 'value.b');
    bad([new Date()], 'value[0]');
    bad([new Set()], 'value[0]');
    bad([undefined], 'value[0]');
    bad([() => 1], 'value[0]');
    bad([Symbol('x')], 'value[0]');
    bad(new Map([[py.tuple(1), 1]]), 'value.keys()[0]');
    const cyc: unknown[] = [];
    cyc.push(cyc);
    bad(cyc, 'value[0]');
  });
});

describe('jsonLoads accepts what json.loads accepts', () => {
  it('reads NaN, Infinity, big integers and floats', () => {
    const v = load('[NaN, Infinity, -Infinity, 9007199254740993, -0, -0.0, 1e400, 1.0]') as unknown[];
    expect(Number.isNaN(v[0])).toBe(true);
    expect(v.slice(1)).toEqual([Infinity, -Infinity, 9007199254740993n, 0, -0, Infinity, 1]);
    expect(Object.is(v[5], -0)).toBe(true);
    expect(load('[1.0, 2]', { integralFloats: 'pyfloat' })).toEqual([new PyFloat(1), 2]);
    // 0.0 is an integral float too; -0.0 needs no wrapper (a JS -0 already re-encodes as a float).
    const zeros = load('[0.0, -0.0]', { integralFloats: 'pyfloat' }) as unknown[];
    expect(zeros[0]).toEqual(new PyFloat(0));
    expect(Object.is(zeros[1], -0)).toBe(true);
  });
  it('keeps key order: a Map when JS would reorder, a plain object otherwise', () => {
    expect(load('{"a": 1, "2": "b"}')).toEqual(new Map<unknown, unknown>([['a', 1], ['2', 'b']]));
    expect(load('{"1": 1, "2": 2, "a": 3}')).toEqual({ 1: 1, 2: 2, a: 3 });
    expect(load('{"a": 1, "a": 2}')).toEqual({ a: 2 });
  });
  it('keeps __proto__ as data', () => {
    const v = load('{"__proto__": {"polluted": true}}') as Record<string, unknown>;
    expect(Object.keys(v)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
  it('decodes escapes, including lone surrogates', () => {
    expect(load('"\\ud83d\\ude00 \\ud800 \\u00e9 \\/ \\n"')).toBe('\u{1F600} \ud800 é / \n');
  });
  it('rejects malformed input with DeserializationError', () => {
    for (const bad of ['', '[1,]', '{"a" 1}', '{a: 1}', '01', '[1] x', '"\x01"', '"abc', '\ufeff[]', 'nul', '"\\x41"', '"\\u12"', '[', '{"a":1,}', '+1', '.5', '1.', 'inf']) {
      expect(() => load(bad), bad).toThrow(DeserializationError);
    }
    expect(() => jsonLoads(Buffer.from([0x22, 0xff, 0x22]))).toThrow(DeserializationError);
    expect(() => load(`[${'1'.repeat(4301)}]`)).toThrow(DeserializationError);
  });
  it('enforces depth and size limits', () => {
    expect(() => load('['.repeat(2000) + ']'.repeat(2000))).toThrow(DeserializationError);
    expect(() => load('[[[]]]', { maxDepth: 2 })).toThrow(DeserializationError);
    expect(() => load('[1, 2]', { maxBytes: 3 })).toThrow(DeserializationError);
  });
  it('accepts JSON whitespace around values', () => {
    expect(load(' \t\n\r[ 1 ,\n2 ] \n')).toEqual([1, 2]);
  });
});

describe('jsonSerializer', () => {
  it('is named json and round-trips a job payload', () => {
    expect(jsonSerializer.name).toBe('json');
    const bytes = jsonSerializer.dumps(py.tuple<unknown>('mylib.add', null, py.tuple(1, 2), {}));
    expect(bytes.toString()).toBe('["mylib.add", null, [1, 2], {}]');
    expect(jsonSerializer.loads(bytes)).toEqual(['mylib.add', null, [1, 2], {}]);
  });
});
