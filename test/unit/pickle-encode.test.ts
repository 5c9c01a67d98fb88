/** The pickler: CPython's opcode choices, memo rules, framing, and what it refuses. */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import { py, PyObject } from '../../src/py/values.js';
import { dumps, pickleSerializer } from '../../src/serializers/pickle/index.js';

const hex = (v: unknown, protocol = 5): string => dumps(v, { protocol }).toString('hex');
/** Protocol 5 body without the PROTO header and FRAME (for small values). */
const body = (v: unknown): string => {
  const h = hex(v);
  return h.startsWith('800595') ? h.slice(22) : h.slice(4);
};

describe('numbers', () => {
  it('picks the int opcode by size like save_long', () => {
    expect(body(0)).toBe('4b002e');
    expect(body(255)).toBe('4bff2e');
    expect(body(256)).toBe('4d00012e');
    expect(body(65536)).toBe('4a000001002e');
    expect(body(-1)).toBe('4affffffff2e');
    expect(body(2 ** 31)).toBe('8a0500000080002e');
    expect(body(-(2n ** 63n) - 1n)).toBe('8a09ffffffffffffff7fff2e');
    expect(body(-(2n ** 63n))).toBe('8a080000000000000080' + '2e');
  });
  it('sends non-integral, huge, negative-zero and non-finite numbers as floats', () => {
    expect(body(1.5)).toBe('473ff80000000000002e');
    expect(body(-0)).toBe('4780000000000000002e');
    expect(body(1e300)).toBe('477e37e43c8800759c2e');
    expect(body(Infinity)).toBe('477ff00000000000002e');
    expect(body(py.float(1))).toBe('473ff00000000000002e');
  });
});

describe('memo', () => {
  it('writes BINGET for the same object twice', () => {
    const shared = [1];
    expect(body([shared, shared])).toBe('5d94285d944b01616801652e');
  });
  it('treats equal strings as one object (the second is a BINGET)', () => {
    expect(body(['a', 'a'])).toBe('5d94288c016194680165' + '2e');
  });
  it('does not memoize ints, floats, None or bools', () => {
    expect(body([1, 1, null, null])).toBe('5d94284b014b014e4e652e');
  });
});

describe('framing', () => {
  it('omits FRAME for tiny pickles and adds it from 4 bytes', () => {
    expect(hex(null)).toBe('80054e2e');
    expect(hex('abc')).toBe('80059507000000000000008c03616263942e');
  });
  it('writes 64 KiB+ payloads outside frames', () => {
    const out = dumps(['a', 'x'.repeat(70_000), 'b']);
    expect(out.subarray(0, 11).toString('hex')).toBe('8005950700000000000000');
    expect(out.subarray(18, 23).toString('hex')).toBe('5870110100');
  });
});

describe('protocols', () => {
  it('supports 0–5 and rejects others', () => {
    for (const p of [0, 1, 2, 3, 4, 5]) expect(dumps(py.tuple<unknown>(1, 'a'), { protocol: p }).length).toBeGreaterThan(0);
    expect(() => dumps(1, { protocol: 6 })).toThrow(InvalidArgumentError);
  });
  it('uses protocol 5 in the serializer', () => {
    expect(pickleSerializer.name).toBe('pickle');
    expect(pickleSerializer.dumps(1).toString('hex')).toBe('80054b012e');
  });
  it('writes a UTC-aware datetime exactly as CPython', () => {
    // pickle.dumps(datetime.datetime(2024, 1, 2, 3, 4, 5, 678000, tzinfo=datetime.timezone.utc), 5)
    expect(hex(new Date('2024-01-02T03:04:05.678Z'))).toBe(
      '80059557000000000000008c086461746574696d65948c086461746574696d65949394430a07e801020304050a5870946800'
      + '8c0874696d657a6f6e6594939468008c0974696d6564656c74619493944b004b004b008794529485945294869452942e',
    );
  });
});

describe('refusals name the path', () => {
  const bad = (v: unknown, option: string): void => {
    try {
      dumps(v);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect((error as InvalidArgumentError).option).toBe(option);
    }
  };
  it('rejects functions, symbols, undefined and class instances', () => {
    bad([1, { x: () => 1 }], 'value[1].x');
    bad([Symbol('s')], 'value[0]');
    bad({ a: undefined }, 'value.a');
    bad([undefined], 'value[0]');
    bad(py.tuple(1, new (class Foo {})()), 'value[1]');
    bad({ 'a b': new URL('http://x') }, 'value["a b"]');
  });
  it('rejects cycles even though pickle could carry them', () => {
    const a: unknown[] = [];
    a.push(a);
    bad(a, 'value[0]');
    const o: Record<string, unknown> = {};
    o.self = { o };
    bad(o, 'value.self.o');
  });
  it('rejects unhashable set members and dict keys', () => {
    bad(new Set([[1]]), 'value.values()[0]');
    bad(new Map([[{}, 1]]), 'value.keys()[0]');
  });
  it('rejects dates Python cannot hold', () => {
    bad(new Date(NaN), 'value');
    bad(new Date('+010000-01-01T00:00:00Z'), 'value');
  });
  it('accepts shared (non-cyclic) references and Uint8Array', () => {
    const s = { a: 1 };
    expect(() => dumps([s, s, new Uint8Array([1])])).not.toThrow();
  });
  it('round-trips inert objects it decoded', () => {
    const o = new PyObject('rq.job', 'Retry', [], 'newobj');
    o.state = { max: 3 };
    expect(dumps(o).length).toBeGreaterThan(0);
  });
});
