/** pyRepr against CPython 3.11's repr(), and RQ's default description. */
import { describe, expect, it } from 'vitest';
import { formatDescription, pyRepr } from '../../src/py/repr.js';
import { py, PyObject } from '../../src/py/values.js';

describe('pyRepr', () => {
  it('formats ints and floats like Python', () => {
    const cases: [unknown, string][] = [
      [1, '1'], [2n ** 100n, '1267650600228229401496703205376'], [1.5, '1.5'], [-0, '-0.0'], [py.float(1), '1.0'],
      [1e300, '1e+300'], [1e-5, '1e-05'], [1e16, '1e+16'], [1e15 + 0.5, '1000000000000000.5'], [Infinity, 'inf'],
      [-Infinity, '-inf'], [NaN, 'nan'], [0.1, '0.1'], [123456789012345680000, '1.2345678901234568e+20'], [0.0001, '0.0001'],
    ];
    for (const [v, r] of cases) expect(pyRepr(v), r).toBe(r);
  });
  it('quotes and escapes str like unicode_repr', () => {
    const cases: [string, string][] = [
      ['abc', "'abc'"], ["it's", '"it\'s"'], ['say "hi"', '\'say "hi"\''], ['both \' "', "'both \\' \"'"],
      ['\t\n\r\\', "'\\t\\n\\r\\\\'"], ['\x00\x1f\x7f', "'\\x00\\x1f\\x7f'"], ['\x80\xa0\xad', "'\\x80\\xa0\\xad'"],
      ['é中😀', "'é中😀'"], ['\u2028\ufeff', "'\\u2028\\ufeff'"], ['\ud800', "'\\ud800'"], ['\u{e0001}', "'\\U000e0001'"],
      // U+1FAE8 (Unicode 15) is unassigned in Python 3.11's Unicode 14 database, so it is escaped.
      ['\u{1fae8}', "'\\U0001fae8'"],
    ];
    for (const [v, r] of cases) expect(pyRepr(v), r).toBe(r);
  });
  it('formats bytes, bytearray and containers', () => {
    expect(pyRepr(Buffer.from([0, 255, 39, 65, 10]))).toBe('b"\\x00\\xff\'A\\n"');
    expect(pyRepr(py.bytearray(Buffer.from("'")))).toBe('bytearray(b"\\\'")');
    expect(pyRepr([null, true, false])).toBe('[None, True, False]');
    expect(pyRepr(py.tuple(1))).toBe('(1,)');
    expect(pyRepr(py.tuple())).toBe('()');
    expect(pyRepr(new Map<unknown, unknown>([['a', 1], [2, 'b']]))).toBe("{'a': 1, 2: 'b'}");
    expect(pyRepr(new Set())).toBe('set()');
    expect(pyRepr(new Set([1, 2]))).toBe('{1, 2}');
    expect(pyRepr(py.frozenset())).toBe('frozenset()');
    expect(pyRepr(py.frozenset([1]))).toBe('frozenset({1})');
  });
  it('formats datetimes and wrappers as CPython does', () => {
    expect(pyRepr(new Date('2024-01-01T00:00:00Z'))).toBe('datetime.datetime(2024, 1, 1, 0, 0, tzinfo=datetime.timezone.utc)');
    expect(pyRepr(new Date('2024-01-01T00:00:07Z'))).toBe('datetime.datetime(2024, 1, 1, 0, 0, 7, tzinfo=datetime.timezone.utc)');
    expect(pyRepr(new Date('2024-01-01T00:00:00.5Z'))).toBe('datetime.datetime(2024, 1, 1, 0, 0, 0, 500000, tzinfo=datetime.timezone.utc)');
    expect(pyRepr(py.date(2024, 2, 29))).toBe('datetime.date(2024, 2, 29)');
    expect(pyRepr(py.time(1, 2))).toBe('datetime.time(1, 2)');
    expect(pyRepr(py.timedelta())).toBe('datetime.timedelta(0)');
    expect(pyRepr(py.timedelta({ seconds: -1 }))).toBe('datetime.timedelta(days=-1, seconds=86399)');
    expect(pyRepr(py.decimal('1e3'))).toBe("Decimal('1E+3')");
    expect(pyRepr(py.uuid('12345678123456781234567812345678'))).toBe("UUID('12345678-1234-5678-1234-567812345678')");
    expect(pyRepr(new PyObject('rq.job', 'Retry', [3]))).toBe('rq.job.Retry(3)');
  });
});

describe('formatDescription (RQ get_call_string, max_length=75)', () => {
  it('joins positional reprs and sorted k=v strings', () => {
    expect(formatDescription('mylib.add', [1, 2], {})).toBe('mylib.add(1, 2)');
    expect(formatDescription('mylib.echo', ['x', [1, 2]], { k: { a: 1 }, b: null })).toBe("mylib.echo('x', [1, 2], b=None, k={'a': 1})");
  });
  it('cuts each repr at 75 code points and adds ...', () => {
    const long = 'x'.repeat(300);
    expect(formatDescription('f', [long], {})).toBe(`f('${'x'.repeat(74)}...)`);
    const astral = '😀'.repeat(100);
    expect(formatDescription('f', [astral], {})).toBe(`f('${'😀'.repeat(74)}...)`);
    expect(formatDescription('f', ['x'.repeat(73)], {})).toBe(`f('${'x'.repeat(73)}')`);
  });
  it('sorts keyword strings by code point, as Python does', () => {
    expect(formatDescription('f', [], new Map([['\u{1F600}', 1], ['\uffff', 2]]))).toBe('f(\uffff=2, \u{1F600}=1)');
    expect(formatDescription('f', [], { b: 1, a: 2, a_: 3 })).toBe('f(a=2, a_=3, b=1)');
  });
});
