/** The safe unpickler: inert objects, allowlisted globals, limits, and malformed input. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DeserializationError, InvalidArgumentError } from '../../src/errors.js';
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

/** rqts's own limits, each at its edge: the limit itself passes, one more fails with a message naming it. */
describe('limits at their edges', () => {
  const text = (s: string): Buffer => Buffer.from(s, 'latin1');
  const refuses = (s: string, opts: object, message: string): void => {
    expect(() => pickleLoads(text(s), opts)).toThrow(new DeserializationError(message));
  };

  it('maxBytes: a pickle of exactly maxBytes passes, one byte over is refused before parsing', () => {
    const data = pickleDumps('x'.repeat(20));
    expect(pickleLoads(data, { maxBytes: data.length })).toBe('x'.repeat(20));
    expect(() => pickleLoads(data, { maxBytes: data.length - 1 })).toThrow(
      new DeserializationError(`Pickle is ${data.length} bytes, over the ${data.length - 1}-byte limit`),
    );
  });

  it('maxDepth defaults to 1000 levels', () => {
    // EMPTY_TUPLE inside n TUPLE1s: the innermost tuple sits n levels down.
    const nested = (n: number): Buffer => Buffer.concat([Buffer.from([0x80, 2, 0x29]), Buffer.alloc(n, 0x85), Buffer.from('.')]);
    let v = pickleLoads(nested(1000));
    for (let i = 0; i < 1000; i++) v = (v as unknown[])[0];
    expect(v).toEqual(py.tuple());
    expect(() => pickleLoads(nested(1001))).toThrow(new DeserializationError('Pickle nests deeper than 1000 levels'));
  });

  it('a pickle nested past the JS stack (maxDepth: Infinity) is a DeserializationError, caused by the RangeError', () => {
    const nested = Buffer.concat([Buffer.from([0x80, 2, 0x29]), Buffer.alloc(100_000, 0x85), Buffer.from('.')]);
    const error = (() => {
      try {
        return pickleLoads(nested, { maxDepth: Infinity });
      } catch (e) {
        return e;
      }
    })() as DeserializationError;
    expect(error).toBeInstanceOf(DeserializationError);
    expect(error.cause).toBeInstanceOf(RangeError);
    expect(error.message).toBe(`Invalid pickle: ${(error.cause as RangeError).message}`);
  });

  it('maxMemo counts distinct memo keys: a key PUT again at the limit is not a new entry', () => {
    expect(pyRepr(pickleLoads(text('I1\np0\nI2\np1\nI3\np2\np1\ng1\n\x86\x86\x86.'), { maxMemo: 3 }))).toBe('(1, (2, (3, 3)))');
    refuses('Np0\np1\np2\np3\n.', { maxMemo: 3 }, 'Invalid pickle: more than 3 memo entries');
    refuses('N\x94\x94\x94\x94.', { maxMemo: 3 }, 'Invalid pickle: more than 3 memo entries');
  });

  it('maxItems applies to what MARK collects and to a container grown by APPEND(S), SETITEM(S) and ADDITEMS', () => {
    const opts = { maxItems: 3 };
    const over = 'Invalid pickle: container longer than 3 items';
    expect(pickleLoads(text('(I1\nI2\nI3\nl.'), opts)).toEqual([1, 2, 3]);
    refuses('(I1\nI2\nI3\nI4\nl.', opts, over);
    expect(pickleLoads(text(']I1\naI2\naI3\na.'), opts)).toEqual([1, 2, 3]);
    refuses(']I1\naI2\naI3\naI4\na.', opts, over);
    expect(pickleLoads(text('](I1\nI2\ne(I3\ne.'), opts)).toEqual([1, 2, 3]);
    refuses('](I1\nI2\ne(I3\nI4\ne.', opts, over);
    // A dict counts its keys: setting one key again does not grow it.
    expect(pyRepr(pickleLoads(text('}I1\nI1\nsI1\nI5\nsI2\nI2\nsI3\nI3\ns.'), opts))).toBe('{1: 5, 2: 2, 3: 3}');
    refuses('}I1\nI1\nsI2\nI2\nsI3\nI3\nsI4\nI4\ns.', opts, over);
    expect(pyRepr(pickleLoads(text('\x8f(I1\nI2\n\x90(I3\n\x90.'), opts))).toBe('{1, 2, 3}');
    refuses('\x8f(I1\nI2\n\x90(I3\nI4\n\x90.', opts, over);
  });
});

/** Unknown classes stay inert PyObjects that record what the stream did to them, as Python would apply it. */
describe('inert objects record their items and state', () => {
  const load0 = (s: string): PyObject => pickleLoads(Buffer.from(s, 'latin1')) as PyObject;

  it('APPEND and APPENDS on an object (a list subclass) go to listItems, SETITEM(S) to dictItems', () => {
    const v = load0('cmymod\nK\n)RI1\na(I2\nI3\neVa\nI4\ns(Vb\nI5\nVc\nI6\nu.');
    expect([v.module, v.name, v.listItems, v.dictItems]).toEqual(['mymod', 'K', [1, 2, 3], [['a', 4], ['b', 5], ['c', 6]]]);
    expect(() => load0('cmymod\nK\n)R(I1\nu.')).toThrow(new DeserializationError('Invalid pickle: odd number of items for SETITEMS'));
  });

  it('BUILD merges dict states (as __dict__.update does) and replaces any other state', () => {
    expect(load0('cmymod\nK\n)R}Va\nI1\nsb}(Vb\nI2\nVa\nI3\nub.').state).toEqual({ a: 3, b: 2 });
    expect(load0('cmymod\nK\n)R}Va\nI1\nsbI7\nb.').state).toBe(7);
    expect(load0('cmymod\nK\n)RI7\nb}Va\nI1\nsb.').state).toEqual({ a: 1 });
  });

  it('NEWOBJ_EX keeps its class, arguments and keyword arguments', () => {
    const v = load0('\x80\x04cmymod\nK\nI1\n\x85}Vx\nI2\ns\x92.');
    expect([v.module, v.name, v.kind, [...v.args], v.kwargs]).toEqual(['mymod', 'K', 'newobj_ex', [1], { x: 2 }]);
  });

  it('unwraps only copyreg\'s own __newobj__ and _reconstructor, and only when called by REDUCE', () => {
    const date = 'cdatetime\ndate\nC\x04\x07\xe8\x02\x1d';
    expect(pyRepr(pickleLoads(Buffer.from(`ccopyreg\n__newobj__\n(${date}tR.`, 'latin1')))).toBe('datetime.date(2024, 2, 29)');
    const elsewhere = load0(`cmymod\n__newobj__\n(${date}tR.`);
    expect([elsewhere.module, elsewhere.name, pyRepr(elsewhere.args)]).toEqual(['mymod', '__newobj__', "(<class 'datetime.date'>, b'\\x07\\xe8\\x02\\x1d')"]);
    const other = load0(`ccopyreg\n_reconstructor_\n(${date}tR.`);
    expect([other.module, other.name]).toEqual(['copyreg', '_reconstructor_']);
    // _reconstructor(cls, object, None) makes an empty instance: the state comes from BUILD.
    const reconstructed = load0('ccopy_reg\n_reconstructor\n(cmymod\nK\nc__builtin__\nobject\nNtR}Va\nI1\nsb.');
    expect([reconstructed.module, reconstructed.name, reconstructed.kind, [...reconstructed.args], reconstructed.state]).toEqual(['mymod', 'K', 'newobj', [], { a: 1 }]);
    // NEWOBJ builds the class it is given: copyreg.__newobj__ itself, kept inert.
    const viaNewobj = load0(`\x80\x02ccopyreg\n__newobj__\n(${date}t\x81.`);
    expect([viaNewobj.module, viaNewobj.name, viaNewobj.kind]).toEqual(['copyreg', '__newobj__', 'newobj']);
  });
});

/**
 * The allowlist (decode-objects.ts) where rqts parts from CPython on purpose: a call whose arguments it cannot
 * use stays an inert PyObject (CPython would build something or fail), and datetime states are checked field
 * by field (CPython's fast path builds an invalid datetime from a bad day or hour).
 */
describe('allowlisted classes with arguments rqts cannot use', () => {
  const read = (s: string): unknown => pickleLoads(Buffer.from(s, 'latin1'));
  const date = 'C\x04\x07\xe8\x02\x1d';
  const dtState = (b: number[]): string => `C${String.fromCharCode(b.length, ...b)}`;
  const datetime = (b: number[], tz = ''): string => `cdatetime\ndatetime\n(${dtState(b)}${tz}tR.`;
  const timezone = (arg: string): string => `cdatetime\ntimezone\n(${arg}tR`;

  it('keeps the call inert, naming its class', () => {
    const inert: [string, string][] = [
      ['cdatetime\ndate\n(C\x03\x07\xe8\x02tR.', 'datetime.date'],
      [`cdatetime\ndate\n(${date}I1\ntR.`, 'datetime.date'],
      ['cdatetime\ntime\n(C\x05\x01\x02\x03\x01\x02tR.', 'datetime.time'],
      ['cdatetime\ntime\n(C\x06\x01\x02\x03\x01\x02\x04I1\ntR.', 'datetime.time'],
      ['cdatetime\ntimedelta\n(I1\nVx\ntR.', 'datetime.timedelta'],
      ['cdatetime\ntimedelta\n(VX\ntR.', 'datetime.timedelta'],
      ['cdatetime\ntimedelta\n(I1\nI2\nVx\ntR.', 'datetime.timedelta'],
      [datetime([7, 0xe8, 1, 2, 3, 4, 5, 0, 0, 0], 'NI1\n'), 'datetime.datetime'],
      [datetime([7, 0xe8, 1, 2, 3, 4, 5, 0, 0], ''), 'datetime.datetime'],
      [datetime([7, 0xe8, 1, 2, 3, 4, 5, 0, 0, 0], 'cpytz\nUTC\n)R'), 'datetime.datetime'],
      [datetime([7, 0xe8, 1, 2, 3, 4, 5, 0, 0, 0], 'czoneinfo\ntimezone\n(cdatetime\ntimedelta\n(I0\ntRtR'), 'datetime.datetime'],
      [datetime([7, 0xe8, 1, 2, 3, 4, 5, 0, 0, 0], 'cdatetime\ntzinfo\n(cdatetime\ntimedelta\n(I0\ntRtR'), 'datetime.datetime'],
      [datetime([7, 0xe8, 1, 2, 3, 4, 5, 0, 0, 0], timezone('I0\n')), 'datetime.datetime'],
      ['cdecimal\nDecimal\n(I1\ntR.', 'decimal.Decimal'],
      ['cdecimal\nDecimal\n(V1.5\nNtR.', 'decimal.Decimal'],
      ['cuuid\nUUID\n)R.', 'uuid.UUID'],
      ['ccopy_reg\n_reconstructor\n(cuuid\nUUID\nc__builtin__\nobject\nNtR}Vx\nI5\nsb.', 'uuid.UUID'],
      ['ccopy_reg\n_reconstructor\n(cuuid\nUUID\nc__builtin__\nobject\nNtRI5\nb.', 'uuid.UUID'],
      ['ccopy_reg\n_reconstructor\n(cuuid\nUUID\nc__builtin__\nobject\nNtR}Vint\nVx\nsb.', 'uuid.UUID'],
      ['cbuiltins\nbytes\n(C\x01atR.', 'builtins.bytes'],
      ['cbuiltins\nbytearray\n(I1\ntR.', 'builtins.bytearray'],
      ['cbuiltins\nbytearray\n(C\x01aVlatin1\ntR.', 'builtins.bytearray'],
      ['c_codecs\nencode\n(C\x01aVlatin1\ntR.', '_codecs.encode'],
      ['ccollections\nOrderedDict\n(]tR.', 'collections.OrderedDict'],
      ['ccollections\nOrderedDict\n)R}Va\nI1\nsb.', 'collections.OrderedDict'],
    ];
    for (const [pickle, name] of inert) {
      const v = read(pickle);
      expect(v, JSON.stringify(pickle)).toBeInstanceOf(PyObject);
      expect(`${(v as PyObject).module}.${(v as PyObject).name}`).toBe(name);
    }
  });

  it('resolves the same classes with the arguments they take', () => {
    expect(pyRepr(read(`cdatetime\ndate\n(${date}tR.`))).toBe('datetime.date(2024, 2, 29)');
    expect(pyRepr(read('cdatetime\ntimedelta\n(I1\nI2\nI3\ntR.'))).toBe('datetime.timedelta(days=1, seconds=2, microseconds=3)');
    expect(pyRepr(read('ccollections\nOrderedDict\n)R(Vb\nI1\nVa\nI2\nu.'))).toBe("{'b': 1, 'a': 2}");
    expect(pyRepr(read('cbuiltins\nbytearray\n(Vab\nNtR.'))).toBe("bytearray(b'ab')");
  });

  it('refuses a datetime state with any field out of range, and an encoding it does not know', () => {
    const ok = [7, 0xe8, 1, 31, 23, 59, 59, 0x0f, 0x42, 0x3f];
    expect((read(datetime(ok)) as Date).toISOString()).toBe('2024-01-31T23:59:59.999Z');
    const bad = (i: number, v: number): number[] => ok.map((x, j) => (j === i ? v : x));
    for (const state of [bad(0, 0).map((x, j) => (j === 1 ? 0 : x)), bad(3, 0), bad(3, 32), bad(4, 24), bad(5, 60), bad(6, 60), bad(7, 0x0f).map((x, j) => (j === 8 ? 0x42 : j === 9 ? 0x40 : x))]) {
      expect(() => read(datetime(state)), String(state)).toThrow(new DeserializationError('Invalid datetime state in pickle'));
    }
    // February 30th passes the field checks; the day-of-month check names the class.
    expect(() => read(datetime([7, 0xe8, 2, 30, 0, 0, 0, 0, 0, 0]))).toThrow(/^Invalid datetime\.datetime in pickle: .*date\.day/);
    expect(() => read('c_codecs\nencode\n(V\xe9\nVcp1252\ntR.')).toThrow(new DeserializationError('Unsupported encoding in pickle: cp1252'));
  });

  it('wraps the error of a value class, keeping it as the cause', () => {
    const error = (() => {
      try {
        return read('cdecimal\nDecimal\n(Vabc\ntR.');
      } catch (e) {
        return e;
      }
    })() as DeserializationError;
    expect(error).toBeInstanceOf(DeserializationError);
    expect(error.cause).toBeInstanceOf(InvalidArgumentError);
    expect(error.message).toBe(`Invalid decimal.Decimal in pickle: ${(error.cause as Error).message}`);
  });

  it('keeps shared containers and objects shared, and names a recursive structure', () => {
    for (const empty of ['}', '\x8f', ']', 'cmymod\nK\n)R']) {
      const v = read(`\x80\x04(${empty}p0\ng0\nl.`) as unknown[];
      expect(v).toHaveLength(2);
      expect(v[0]).toBe(v[1]);
    }
    expect(() => read('\x80\x04]p0\ng0\na.')).toThrow(new DeserializationError('Recursive Python structures are not supported'));
  });
});
