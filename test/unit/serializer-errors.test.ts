/**
 * What the JSON codec and resolveSerializer say when they refuse something: the reading errors carry the
 * name Python's json module gives the same fault, the writing errors name the path and the reason, and the
 * limits hold at their exact boundary.
 */
import { describe, expect, it } from 'vitest';
import { DeserializationError, InvalidArgumentError } from '../../src/errors.js';
import { py } from '../../src/py/values.js';
import { jsonDumps, jsonLoads, resolveSerializer, superjsonSerializer } from '../../src/serializers/index.js';

const loads = (text: string, options?: Parameters<typeof jsonLoads>[1]): unknown => jsonLoads(Buffer.from(text), options);

describe('jsonLoads refusals', () => {
  // The faults as CPython's json.loads names them (json.JSONDecodeError.msg).
  it.each([
    ['[1,]', 'Expecting value'],
    ['', 'Expecting value'],
    ['[1 2]', "Expecting ',' delimiter"],
    ['{"a": 1 "b": 2}', "Expecting ',' delimiter"],
    ['{"a" 1}', "Expecting ':' delimiter"],
    ['{1: 2}', 'Expecting property name enclosed in double quotes'],
    ['{"a":1,}', 'Expecting property name enclosed in double quotes'],
    ['"abc', 'Unterminated string'],
    ['"a\u0001"', 'Invalid control character'],
    ['"\\u12G4"', 'Invalid \\uXXXX escape'],
    ['"\\u12345"', null],
    ['"\\q"', 'Invalid \\escape'],
    ['[1] x', 'Extra data'],
  ])('%j: %s', (text, fault) => {
    if (fault === null) {
      expect(loads(text)).toBe('\u12345');
      return;
    }
    expect(() => loads(text)).toThrow(DeserializationError);
    expect(() => loads(text)).toThrow(new RegExp(`^Invalid JSON: ${fault.replace(/[\\()]/g, '\\$&')}`));
  });

  it('reads escapes of every case and rejects short ones', () => {
    expect(loads('"\\u00e9\\u00E9"')).toBe('éé');
    expect(() => loads('"\\u00e"')).toThrow(/Invalid \\uXXXX escape/);
    expect(() => loads('"x\\u00e9x\\u0g00"')).toThrow(/Invalid \\uXXXX escape/);
  });

  it('holds its limits at the boundary: bytes, nesting, integer digits (CPython: 4300)', () => {
    expect(loads('[1]', { maxBytes: 3 })).toEqual([1]);
    expect(() => loads('[1] ', { maxBytes: 3 })).toThrow(new DeserializationError('JSON is 4 bytes, over the 3-byte limit'));
    expect(loads('[[1]]', { maxDepth: 2 })).toEqual([[1]]);
    expect(() => loads('[[[1]]]', { maxDepth: 2 })).toThrow(/^Invalid JSON: nesting deeper than 2/);
    expect(() => loads('{"a": {"b": {}}}', { maxDepth: 2 })).toThrow(/nesting deeper than 2/);
    const digits = '9'.repeat(4300);
    expect(loads(digits)).toBe(BigInt(digits));
    expect(loads(`-${digits}`)).toBe(-BigInt(digits));
    expect(() => loads(`${digits}9`)).toThrow(/^Invalid JSON: integer longer than 4300 digits/);
  });

  it('refuses bytes that are not UTF-8, keeping the decoder error as the cause', () => {
    try {
      jsonLoads(Buffer.from([0x22, 0xff, 0x22]));
      expect.unreachable();
    } catch (error) {
      expect(error).toEqual(new DeserializationError('JSON payload is not valid UTF-8'));
      expect((error as Error).cause).toBeInstanceOf(TypeError);
    }
  });
});

describe('jsonDumps refusals and key coercion', () => {
  const refusal = (value: unknown): InvalidArgumentError => {
    try {
      jsonDumps(value, { path: 'args[0]' });
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidArgumentError);
      return error as InvalidArgumentError;
    }
    throw new Error('accepted');
  };

  it('names the path and says why', () => {
    expect(refusal(undefined).message).toMatch(/undefined has no JSON value \(use null\)/);
    expect(refusal(() => 1).message).toMatch(/a function is not JSON serializable/);
    expect(refusal(Symbol('s')).message).toMatch(/a symbol is not JSON serializable/);
    const cyclic: unknown[] = [];
    cyclic.push(cyclic);
    expect(refusal(cyclic)).toMatchObject({ option: 'args[0][0]', message: expect.stringMatching(/cyclic structures cannot be serialized/) });
    expect(refusal({ [Symbol('k')]: 1 }).message).toMatch(/symbol keys are not JSON serializable/);
    expect(refusal(new Uint8Array(1)).message).toMatch(/bytes is not JSON serializable \(use the pickle serializer\)/);
    expect(refusal(new Date(0)).message).toMatch(/a Date is not JSON serializable/);
    expect(refusal(new Set([1])).message).toMatch(/a Set is not JSON serializable/);
    expect(refusal(new (class Point {})()).message).toMatch(/a Point instance is not JSON serializable/);
    expect(refusal(Object.create(Object.create(null) as object) as object).message).toMatch(/a class instance is not JSON serializable/);
    expect(refusal(Number.NaN).message).toMatch(/NaN and Infinity are not valid JSON/);
    expect(refusal(new Map([[[1], 'x']])).message).toMatch(/keys must be str, int, float, bool or None/);
    expect(refusal(new Map([[[1], 'x']])).option).toBe('args[0].keys()[0]');
    expect(refusal(new Map([[1, undefined]])).option).toBe('args[0].values()[0]');
    // A str key names its value the way a plain object's key does.
    expect(refusal(new Map([['when', undefined]])).option).toBe('args[0].when');
    expect(() => jsonDumps(undefined)).toThrow(expect.objectContaining({ option: 'value' }));
  });

  it('nests 1000 levels deep at most', () => {
    let ok: unknown = 1;
    for (let i = 0; i < 1000; i++) ok = [ok];
    expect(jsonDumps(ok).length).toBe(2001);
    expect(refusal([ok]).message).toMatch(/nested deeper than 1000 levels/);
    // The depth counts ancestors, not values seen: siblings do not add up.
    const wide = Array.from({ length: 1500 }, () => [1]);
    expect(jsonDumps(wide).length).toBeGreaterThan(1500);
  });

  it("coerces Map keys as Python's json.dumps does", () => {
    const keys = new Map<unknown, number>([[false, 1], [true, 2], [null, 3], [7, 4], [py.float(2), 5], [1.5, 6], [Number.NaN, 7], [Infinity, 8], [-Infinity, 9], [10n ** 20n, 10]]);
    expect(jsonDumps(keys).toString()).toBe(
      '{"false": 1, "true": 2, "null": 3, "7": 4, "2.0": 5, "1.5": 6, "NaN": 7, "Infinity": 8, "-Infinity": 9, "100000000000000000000": 10}',
    );
  });

  it('writes printable ASCII as is, up to "~", and escapes from DEL on (ensure_ascii)', () => {
    expect(jsonDumps(' ~\u007f\u001f').toString()).toBe('" ~\\u007f\\u001f"');
  });
});

describe('resolveSerializer and superjson refusals', () => {
  it('lists the known names for an unknown one', () => {
    try {
      resolveSerializer('yaml' as never);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect((error as InvalidArgumentError).option).toBe('serializer');
      expect((error as Error).message).toMatch(/unknown serializer; use one of pickle, .*json.*, or an object with dumps\/loads/);
    }
  });

  it('wants dumps() and loads() on an object, and names a nameless one custom', () => {
    for (const bad of [null, 5, { dumps: () => Buffer.alloc(0) }, { loads: () => 1 }, { dumps: 1, loads: () => 1 }]) {
      expect(() => resolveSerializer(bad as never)).toThrow(/must be a serializer name or an object with dumps\(\) and loads\(\) methods/);
      expect(() => resolveSerializer(bad as never)).toThrow(expect.objectContaining({ option: 'serializer' }));
    }
    const custom = resolveSerializer({ dumps: (v: unknown) => Buffer.from(String(v)), loads: (b: Buffer) => b.toString() } as never);
    expect(custom.name).toBe('custom');
    expect(custom.loads(custom.dumps('x'))).toBe('x');
  });

  it('takes a class with static dumps() and loads(), as RQ serializers are written, under its own name', () => {
    class UpperSerializer {
      static dumps(value: unknown): Buffer {
        return Buffer.from(String(value).toUpperCase());
      }
      static loads(bytes: Buffer): unknown {
        return `${this.name}:${bytes.toString()}`;
      }
    }
    const resolved = resolveSerializer(UpperSerializer);
    expect(resolved.name).toBe('UpperSerializer');
    expect(resolved.loads(resolved.dumps('abc'))).toBe('UpperSerializer:ABC');
    // A nameless class is named custom, its methods still bound to it; a bare function is still refused.
    const [nameless] = [class { static dumps(): Buffer { return Buffer.from('x'); } static loads(): unknown { return this === nameless; } }];
    expect(nameless!.name).toBe('');
    const anonymous = resolveSerializer(nameless as never);
    expect(anonymous.name).toBe('custom');
    expect(anonymous.loads(anonymous.dumps(null))).toBe(true);
    expect(() => resolveSerializer((() => Buffer.alloc(0)) as never)).toThrow(expect.objectContaining({ option: 'serializer' }));
  });

  it('refuses a value superjson cannot write, naming it and keeping the error as the cause', () => {
    // superjson hands the walked value to JSON.stringify, which calls toJSON(): a throwing one ends the write.
    const reason = new Error('no JSON form');
    const value = { at: { toJSON: (): never => { throw reason; } } };
    try {
      superjsonSerializer.dumps(value);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect((error as InvalidArgumentError).option).toBe('value');
      expect((error as Error).message).toMatch(/: cannot be serialized with superjson: no JSON form$/);
      expect((error as Error).cause).toBe(reason);
    }
  });

  it('says a payload is not superjson, keeping the parser error as the cause', () => {
    try {
      superjsonSerializer.loads(Buffer.from('{nope'));
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(DeserializationError);
      expect((error as Error).message).toMatch(/^Invalid superjson payload: /);
      expect((error as Error).cause).toBeInstanceOf(SyntaxError);
    }
  });
});
