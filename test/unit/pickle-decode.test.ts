/** The safe unpickler: inert objects, allowlisted globals, limits, and malformed input. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DeserializationError } from '../../src/errors.js';
import { pyRepr } from '../../src/py/repr.js';
import { isTuple, py, PyFloat, PyGlobal, PyObject } from '../../src/py/values.js';
import { pickleDumps, pickleLoads } from '../../src/serializers/pickle/index.js';

/** Fixtures written by CPython 3.11 `pickle.dumps(..., 5)` (protocol 0 where noted). */
const FIX = {
  retry: '80059538000000000000008c0672712e6a6f62948c0552657472799493942981947d94288c036d6178944b038c09696e74657276616c73945d94284b014b026575622e',
  osSystem: '80059525000000000000008c05706f736978948c0673797374656d9493948c0a6563686f2070776e656494859452942e',
  osSystemP0: '63706f7369780a73797374656d0a70300a28566563686f2070776e65640a70310a7470320a5270330a2e',
  valueError: '80059526000000000000008c086275696c74696e73948c0a56616c75654572726f729493948c04626f6f6d94859452942e',
  naive: '8005952a000000000000008c086461746574696d65948c086461746574696d65949394430a07e801020304050a5bf594859452942e',
  plus2h: '80059558000000000000008c086461746574696d65948c086461746574696d65949394430a07e801020304050000009468008c0874696d657a6f6e6594939468008c0974696d6564656c74619493944b004d201c4b008794529485945294869452942e',
  ordered: '80059530000000000000008c0b636f6c6c656374696f6e73948c0b4f72646572656444696374949394295294288c0162944b018c0161944b02752e',
  recursive: '80059506000000000000005d946800612e',
  keys: '8005951f000000000000007d94288c0162944b018c0132944b028c095f5f70726f746f5f5f944b03752e',
  proto: '80059527000000000000007d94288c095f5f70726f746f5f5f947d948c08706f6c6c75746564944b01738c0131944b01752e',
};
const load = (hex: string, opts = {}): unknown => pickleLoads(Buffer.from(hex, 'hex'), opts);

describe('inert objects', () => {
  it('decodes an unknown class instance to a PyObject with its state, and writes it back identically', () => {
    const v = load(FIX.retry) as PyObject;
    expect(v).toBeInstanceOf(PyObject);
    expect([v.module, v.name, v.kind]).toEqual(['rq.job', 'Retry', 'newobj']);
    expect(v.state).toEqual({ max: 3, intervals: [1, 2] });
    expect(pickleDumps(v).toString('hex')).toBe(FIX.retry);
  });

  it('never calls os.system: the REDUCE is recorded, not executed (protocols 5 and 0)', () => {
    for (const hex of [FIX.osSystem, FIX.osSystemP0]) {
      const v = load(hex) as PyObject;
      expect(v).toBeInstanceOf(PyObject);
      expect([v.module, v.name, v.args]).toEqual(['posix', 'system', ['echo pwned']]);
    }
  });

  it('keeps exceptions inert', () => {
    const v = load(FIX.valueError) as PyObject;
    expect([v.module, v.name, [...v.args]]).toEqual(['builtins', 'ValueError', ['boom']]);
    expect(pickleDumps(v).toString('hex')).toBe(FIX.valueError);
  });

  it('returns a bare global as PyGlobal', () => {
    const v = pickleLoads(Buffer.from('\x80\x04\x95\x0f\x00\x00\x00\x00\x00\x00\x00\x8c\x02os\x94\x8c\x06system\x94\x93\x94.', 'latin1'));
    expect(v).toEqual(new PyGlobal('os', 'system'));
  });
});

describe('allowlisted globals', () => {
  it('reads a naive datetime as UTC, truncated to milliseconds', () => {
    expect((load(FIX.naive) as Date).toISOString()).toBe('2024-01-02T03:04:05.678Z');
  });

  it('applies a fixed timezone offset', () => {
    expect((load(FIX.plus2h) as Date).toISOString()).toBe('2024-01-02T01:04:05.000Z');
  });

  it('reads OrderedDict as a dict', () => {
    expect(load(FIX.ordered)).toEqual({ b: 1, a: 2 });
  });

  it('reads protocol 2 bytes (_codecs.encode) and sets (builtins.set)', () => {
    const v = [Buffer.from([0, 255]), new Set([1]), py.frozenset()];
    expect(pyRepr(pickleLoads(pickleDumps(v, { protocol: 2 })))).toBe("[b'\\x00\\xff', {1}, frozenset()]");
  });
});

describe('dict shape', () => {
  it('uses a Map when JS would reorder integer-like keys', () => {
    const v = load(FIX.keys);
    expect(v).toBeInstanceOf(Map);
    expect([...(v as Map<string, number>).keys()]).toEqual(['b', '2', '__proto__']);
    expect(pickleDumps(v).toString('hex')).toBe(FIX.keys);
  });

  it('keeps a __proto__ key as an own property, without touching the prototype', () => {
    const v = pickleLoads(pickleDumps({ a: 1, ['__proto__']: 2 } as Record<string, unknown>)) as Record<string, unknown>;
    const withProto = JSON.parse('{"__proto__": {"polluted": 1}}') as Record<string, unknown>;
    const back = pickleLoads(pickleDumps(withProto)) as Record<string, unknown>;
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(Object.keys(back)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(v, '__proto__')?.value).toBe(2);
    expect(v.a).toBe(1);
    expect((load(FIX.proto) as Map<string, unknown>).get('__proto__')).toEqual({ polluted: 1 });
  });

  it('decodes tuples as frozen tagged arrays and keeps shared references shared', () => {
    const t = py.tuple(1, 2);
    const v = pickleLoads(pickleDumps([t, t])) as unknown[];
    expect(isTuple(v[0])).toBe(true);
    expect(Object.isFrozen(v[0])).toBe(true);
    expect(v[0]).toBe(v[1]);
  });

  it('can keep integral floats as PyFloat', () => {
    const bytes = pickleDumps([py.float(2), 2.5]);
    expect(pickleLoads(bytes)).toEqual([2, 2.5]);
    expect(pickleLoads(bytes, { integralFloats: 'pyfloat' })).toEqual([new PyFloat(2), 2.5]);
  });
});

/** The mutation run (vitest.stryker.config.ts) scales the fuzzing down: it reruns these tests per mutant. */
const fuzzRuns = (n: number): number => Math.max(50, Math.round(n * Number(process.env.RQTS_FUZZ_SCALE ?? 1)));

describe('malformed input and limits', () => {
  const expectBad = (bytes: Uint8Array, opts = {}): void => {
    expect(() => pickleLoads(bytes, opts)).toThrow(DeserializationError);
  };

  it('rejects every truncation of a valid pickle', () => {
    const full = pickleDumps(py.tuple<unknown>('mylib.echo', null, py.tuple<unknown>(1, 'x'.repeat(300), 2n ** 100n, 1.5), { k: [new Date(0), Buffer.from('ab')] }));
    for (let n = 0; n < full.length; n++) expectBad(full.subarray(0, n));
  });

  it('throws only DeserializationError on random bytes, quickly', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.boolean(), (bytes, framed) => {
        const input = framed ? Buffer.concat([Buffer.from([0x80, 5]), bytes]) : bytes;
        try {
          pickleLoads(input);
        } catch (error) {
          expect(error).toBeInstanceOf(DeserializationError);
        }
      }),
      { numRuns: fuzzRuns(3000) },
    );
  });

  it('survives mutations of valid pickles', () => {
    const base = pickleDumps([1, 'two', { three: [3.0, 2n ** 70n] }, new Date(0), py.tuple(), new Set([1])]);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: base.length - 1 }), fc.integer({ min: 0, max: 255 }), (i, b) => {
        const copy = Buffer.from(base);
        copy[i] = b;
        try {
          pickleLoads(copy);
        } catch (error) {
          expect(error).toBeInstanceOf(DeserializationError);
        }
      }),
      { numRuns: fuzzRuns(2000) },
    );
  });

  it('rejects recursive structures', () => expectBad(Buffer.from(FIX.recursive, 'hex')));
  it('rejects persistent ids, extensions and out-of-band buffers', () => {
    expectBad(Buffer.from('\x80\x05N\x51.', 'latin1'));
    expectBad(Buffer.from('Pabc\n.', 'latin1'));
    expectBad(Buffer.from('\x80\x05\x82\x01.', 'latin1'));
    expectBad(Buffer.from('\x80\x05\x97.', 'latin1'));
  });
  it('rejects unknown protocols and opcodes', () => {
    expectBad(Buffer.from([0x80, 6, 0x4e, 0x2e]));
    expectBad(Buffer.from([0xff, 0x2e]));
  });
  it('rejects a length field larger than the data without allocating it', () => {
    expectBad(Buffer.from([0x80, 5, 0x8e, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0x2e]));
    expectBad(Buffer.from([0x80, 5, 0x95, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0x4e, 0x2e]));
  });
  it('enforces maxBytes, maxDepth, maxMemo and maxItems', () => {
    expectBad(pickleDumps('x'.repeat(100)), { maxBytes: 50 });
    let deep: unknown = 1;
    for (let i = 0; i < 50; i++) deep = [deep];
    expect(() => pickleLoads(pickleDumps(deep), { maxDepth: 60 })).not.toThrow();
    expectBad(pickleDumps(deep), { maxDepth: 40 });
    expectBad(pickleDumps(['a', 'b', 'c', 'd']), { maxMemo: 3 });
    expectBad(pickleDumps([1, 2, 3, 4]), { maxItems: 3 });
    // EMPTY_TUPLE then 100k TUPLE1 nests 100k deep with no MARK: the depth limit still applies, without a stack overflow.
    expectBad(Buffer.concat([Buffer.from([0x80, 2, 0x29]), Buffer.alloc(100_000, 0x85), Buffer.from('.')]));
  });
  it('rejects text ints longer than Python accepts', () => {
    expectBad(Buffer.from(`L${'9'.repeat(5000)}L\n.`, 'latin1'));
  });
});

describe('protocol 0/1 text opcodes', () => {
  it('reads Python 2 era opcodes', () => {
    const p = "(lp0\nS'ab\\n'\np1\naI01\naL5L\naF1.5\naI-7\naVx\\u20acy\np2\nag1\na.";
    expect(pyRepr(pickleLoads(Buffer.from(p, 'latin1')))).toBe("['ab\\n', True, 5, 1.5, -7, 'x€y', 'ab\\n']");
  });
  it('reads INST and OBJ as inert objects', () => {
    const inst = pickleLoads(Buffer.from('(S\'a\'\nimymod\nK\n.', 'latin1')) as PyObject;
    expect([inst.module, inst.name, [...inst.args]]).toEqual(['mymod', 'K', ['a']]);
    const obj = pickleLoads(Buffer.from('(cmymod\nK\nI1\no.', 'latin1')) as PyObject;
    expect([obj.module, obj.name, [...obj.args]]).toEqual(['mymod', 'K', [1]]);
  });
});
