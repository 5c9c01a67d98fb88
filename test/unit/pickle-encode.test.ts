/** The pickler: CPython's opcode choices, memo rules, framing, and what it refuses. */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import { pyRepr } from '../../src/py/repr.js';
import { py, PyGlobal, PyObject } from '../../src/py/values.js';
import { dumps, pickleLoads, pickleSerializer } from '../../src/serializers/pickle/index.js';

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

/** The whole message of a refusal: `Invalid <path> (<value>): <reason>`, with the path in `error.option`. */
const refusal = (write: () => unknown): { option: string; message: string } => {
  try {
    write();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidArgumentError);
    return { option: (error as InvalidArgumentError).option, message: (error as Error).message };
  }
  throw new Error('not refused');
};

describe('refusals, message by message', () => {
  it('takes protocols 0 to 5 and nothing else', () => {
    expect(dumps(null, { protocol: 0 }).toString('hex')).toBe('4e2e');
    for (const protocol of [-1, 6, 1.5, Number.NaN]) {
      expect(refusal(() => dumps(null, { protocol }))).toEqual({ option: 'protocol', message: `Invalid protocol (${protocol}): must be an integer from 0 to 5` });
    }
  });

  it('names values Python has no counterpart for, under the path option given', () => {
    expect(refusal(() => dumps([1, undefined]))).toEqual({ option: 'value[1]', message: 'Invalid value[1] (undefined): undefined has no Python value (use null)' });
    expect(refusal(() => dumps({ f() {} }, { path: 'kwargs' }))).toEqual({ option: 'kwargs.f', message: 'Invalid kwargs.f (function f): a function cannot be pickled' });
    expect(refusal(() => dumps(Symbol('s'), { path: 'args[2]' }))).toEqual({ option: 'args[2]', message: 'Invalid args[2] (Symbol(s)): a symbol cannot be pickled' });
    class Point {}
    expect(refusal(() => dumps(new Point()))).toEqual({ option: 'value', message: 'Invalid value (Point object): Point instances have no Python equivalent' });
    expect(refusal(() => dumps(Object.create(Object.create(null) as object)))).toEqual({ option: 'value', message: 'Invalid value (object): this instances have no Python equivalent' });
    expect(refusal(() => dumps({ [Symbol('k')]: 1 }))).toEqual({ option: 'value', message: 'Invalid value (object): symbol keys cannot be pickled' });
    // An empty path falls back to 'value'.
    expect(refusal(() => dumps(undefined, { path: '' })).option).toBe('value');
  });

  it('names each container by where the bad value sits: list index, dict key, Map entry, set member', () => {
    expect(refusal(() => dumps(new Map<unknown, unknown>([[1, 2], ['a b', undefined]]))).option).toBe('value["a b"]');
    expect(refusal(() => dumps(new Map<unknown, unknown>([['ok', 1], [2, undefined]]))).option).toBe('value.values()[1]');
    expect(refusal(() => dumps(new Map<unknown, unknown>([[1, 1], [Symbol('k'), 1]])))).toEqual({
      option: 'value.keys()[1]', message: 'Invalid value.keys()[1] (Symbol(k)): unhashable type cannot be a dict key',
    });
    expect(refusal(() => dumps(new Map([[[1], 1]])))).toEqual({
      option: 'value.keys()[0]', message: 'Invalid value.keys()[0] (array(1)): unhashable type cannot be a dict key',
    });
    expect(refusal(() => dumps(new Set<unknown>([1, new Map()])))).toEqual({
      option: 'value.values()[1]', message: 'Invalid value.values()[1] (Map object): unhashable type cannot be a set member',
    });
    expect(refusal(() => dumps(py.frozenset<unknown>([py.tuple(1, [2])]))).message).toBe(
      'Invalid value.values()[0] (array(2)): unhashable type cannot be a set member',
    );
    const loop: unknown[] = [];
    loop.push(loop);
    expect(refusal(() => dumps([loop]))).toEqual({ option: 'value[0][0]', message: 'Invalid value[0][0] (array(1)): cyclic structures cannot be serialized' });
    // Set members that are hashable but cannot be pickled are named by their index in the set.
    expect(refusal(() => dumps(new Set<unknown>([1, new Date(Number.NaN)])))).toEqual({ option: 'value.values()[1]', message: 'Invalid value.values()[1] (Date object): Invalid Date' });
    expect(refusal(() => dumps(py.frozenset<unknown>([new Date(Number.NaN)]))).option).toBe('value.values()[0]');
    expect(refusal(() => dumps(new Set<unknown>([1, 2, () => 3]), { protocol: 2 })).option).toBe('value.values()[2]');
    expect(refusal(() => dumps(new Set<unknown>([1, 2, () => 3]))).option).toBe('value.values()[2]');
    expect(refusal(() => dumps(py.frozenset<unknown>([() => 3]))).option).toBe('value.values()[0]');
    expect(refusal(() => dumps(py.tuple(0, 1, 2, [undefined]))).option).toBe('value[3][0]');
  });

  it('accepts exactly the set members and dict keys Python can hash', () => {
    const hashable: unknown[] = [
      null, true, 1, 2n, 'a', Buffer.from('b'), py.frozenset([1]), new Date(0), py.float(1), py.date(2024, 1, 1), py.time(1),
      py.timedelta({ days: 1 }), py.decimal('1.5'), py.uuid('12345678-1234-5678-1234-567812345678'), py.tuple(1, py.tuple('x')),
      new PyObject('m', 'C'), new PyGlobal('builtins', 'len'),
    ];
    for (const x of hashable) {
      expect(() => dumps(new Set([x])), pyRepr(x)).not.toThrow();
      expect(() => dumps(new Map([[x, 1]])), pyRepr(x)).not.toThrow();
    }
    const unhashable: unknown[] = [undefined, () => 1, Symbol('s'), [], {}, new Map(), new Set(), py.bytearray([1]), py.tuple(1, {})];
    for (const x of unhashable) {
      expect(refusal(() => dumps(new Set([x]))).message, String(typeof x)).toMatch(/unhashable type cannot be a set member$/);
      expect(refusal(() => dumps(new Map([[x, 1]]))).message, String(typeof x)).toMatch(/unhashable type cannot be a dict key$/);
    }
  });

  it('refuses nesting deeper than 1000 levels, and takes 1000', () => {
    const nest = (levels: number): unknown[] => {
      let v: unknown[] = [];
      for (let i = 1; i < levels; i++) v = [v];
      return v;
    };
    const ok = dumps(nest(1000), { protocol: 2 });
    // PROTO 2, 1000 EMPTY_LISTs with a PUT each (BINPUT for slots 0–255, LONG_BINPUT after), 999 APPENDs, STOP.
    expect(ok.length).toBe(2 + 1000 + 256 * 2 + 744 * 5 + 999 + 1);
    const { option, message } = refusal(() => dumps(nest(1001)));
    expect(option).toBe(`value${'[0]'.repeat(1000)}`);
    expect(message).toBe(`Invalid ${option} (array(0)): nested deeper than 1000 levels`);
  });

  it('refuses datetimes outside Python\'s years 1..9999 and invalid Dates, by path', () => {
    expect(refusal(() => dumps([new Date(Number.NaN)]))).toEqual({ option: 'value[0]', message: 'Invalid value[0] (Date object): Invalid Date' });
    expect(refusal(() => dumps({ at: new Date('0000-12-31T23:59:59.999Z') }))).toEqual({
      option: 'value.at', message: 'Invalid value.at (Date object): Python datetimes span years 1..9999',
    });
    expect(refusal(() => dumps(new Date('+010000-01-01T00:00:00.000Z'))).message).toBe('Invalid value (Date object): Python datetimes span years 1..9999');
    expect(() => dumps([new Date('0001-01-01T00:00:00.000Z'), new Date('9999-12-31T23:59:59.999Z')])).not.toThrow();
  });

  it('names the part of an inert object that cannot be written, and the protocol its call form needs', () => {
    const object = (kind: 'reduce' | 'newobj' | 'newobj_ex', args: unknown[] = []): PyObject => new PyObject('m', 'C', py.tuple(...args), kind);
    expect(refusal(() => dumps(object('reduce', [1, undefined]))).option).toBe('value.args[1]');
    expect(refusal(() => dumps(object('newobj', [undefined]))).option).toBe('value.args[0]');
    const withKwargs = object('newobj_ex', [1]);
    withKwargs.kwargs = { k: undefined };
    expect(refusal(() => dumps(withKwargs)).option).toBe('value.kwargs.k');
    const items = object('reduce');
    items.listItems = [1, undefined];
    expect(refusal(() => dumps([items])).option).toBe('value[0].listItems[1]');
    const entries = object('reduce');
    entries.dictItems = [[1, 2], ['k', undefined]];
    expect(refusal(() => dumps(entries)).option).toBe('value.dictItems[1]');
    const state = object('newobj');
    state.state = { s: undefined };
    expect(refusal(() => dumps(state)).option).toBe('value.state.s');
    expect(refusal(() => dumps([object('newobj', [1])], { protocol: 1 }))).toEqual({
      option: 'value[0]', message: 'Invalid value[0] (PyObject object): NEWOBJ with arguments needs pickle protocol 2+',
    });
    expect(refusal(() => dumps(object('newobj_ex'), { protocol: 3 }))).toEqual({
      option: 'value', message: 'Invalid value (PyObject object): NEWOBJ_EX needs pickle protocol 4+',
    });
    // NEWOBJ without arguments is copyreg._reconstructor before protocol 2; NEWOBJ_EX without kwargs writes an empty dict.
    expect(pickleLoads(dumps(object('newobj'), { protocol: 1 }))).toEqual(object('newobj'));
    expect(dumps(object('newobj_ex'), { protocol: 4 }).toString('latin1')).toContain('}\x94\x92');
  });
});
