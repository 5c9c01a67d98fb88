/**
 * Values whose pickles CPython wrote (`test/vectors/pickle_cpython_corpus.json`, re-recorded by
 * `npx tsx scripts/record-pickle-corpus.ts`): each is evaluated in Python from its `pyRepr`, pickled with
 * protocols 0–5, and the bytes are what `pickle-cpython.test.ts` expects rqts to write and read. Chosen for
 * the edges of CPython's opcode choices: int and str sizes, two's-complement widths, surrogates and the
 * raw-unicode-escape of protocol 0, Python 2 module names, memo sharing, batches of 1000 and frames.
 * {@link PYTHON} spells the cases a repr cannot (shared objects, globals).
 */
import { py, PyGlobal } from '../../src/py/values.js';

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
/** n distinct strs of `length` characters (equal ones would be shared through the memo). */
const labels = (n: number, length: number, tag = ''): string[] => range(n).map((i) => `${tag}${i}`.padEnd(length, '.'));
const shared = [1, 'x'];
const when = new Date('2024-01-02T03:04:05.678Z');

export const CASES: Record<string, unknown> = {
  none: null,
  bools: [true, false],
  smallInts: [0, 1, 255, 256, 65535, 65536, -1, -256, 2 ** 31 - 1, -(2 ** 31)],
  int32Edges: [2 ** 31, -(2 ** 31) - 1, 2 ** 53],
  bigInts: [2n ** 63n, -(2n ** 63n), -(2n ** 63n) - 1n, 2n ** 64n - 1n, -(2n ** 64n), 10n ** 30n, -(10n ** 30n)],
  // Negative widths where save_long drops a redundant 0xff byte, and where it must keep it.
  negativeWidths: [-(2n ** 39n), -(2n ** 40n), -(2n ** 40n) - 1n, -(2n ** 47n) + 1n, -(2n ** 55n), -128n * 2n ** 32n - 1n],
  long1Max: 2n ** (8n * 255n - 1n) - 1n,
  long4: 2n ** (8n * 255n),
  floats: [1.5, -0, 1e300, Infinity, -Infinity, 5e-324, py.float(2), py.float(0)],
  emptyStr: '',
  ascii: 'abc',
  latin1: 'café ÿ',
  str255: 'x'.repeat(255),
  str256: 'x'.repeat(256),
  wide: '€'.repeat(100),
  rawEscapes: 'a\\b\0\n\r\x1a\x7f\xff\u0100\uffff\u{10000}\u{1F600}',
  loneHigh: '\ud800',
  loneLow: 'a\udfffb\u{1F600}',
  surrogateMix: ['\ud83d', '\ude00x', '\u{1F600}'],
  bytes: [Buffer.alloc(0), Buffer.from([0, 255, 10, 92]), Buffer.alloc(255, 7), Buffer.alloc(256, 0x80)],
  bytearrays: [py.bytearray([]), py.bytearray([1, 2, 255])],
  tuples: [py.tuple(), py.tuple(1), py.tuple(1, 2), py.tuple(1, 2, 3), py.tuple(1, 2, 3, 4), py.tuple(py.tuple())],
  lists: [[], [1], [[]], range(1001)],
  dicts: [{}, { a: 1, b: [1, 2] }, new Map<unknown, unknown>([[1, 'a'], [py.tuple(1, 2), null], [false, 2.5]])],
  bigDict: new Map(range(1001).map((i) => [i, i])),
  // Sets of ints only: a str's hash, and so its place in a set, changes with every Python process.
  sets: [new Set(), new Set([1, 2, 3]), new Set(range(1001)), py.frozenset(), py.frozenset([1, 2])],
  memo: [shared, shared, 'y', 'y', py.tuple(shared, shared)],
  datetimes: [when, when, py.date(2024, 2, 29), py.time(1, 2, 3, 4), py.timedelta({ days: -1, seconds: 5, microseconds: 7 })],
  decimals: [py.decimal('-1.50'), py.decimal('1E+3'), py.decimal('NaN')],
  uuids: [py.uuid('12345678-1234-5678-1234-567812345678'), py.uuid('00000000-0000-0000-0000-000000000000')],
  globals: [new PyGlobal('builtins', 'len'), new PyGlobal('copyreg', '_reconstructor'), new PyGlobal('collections', 'OrderedDict')],
  // More than one 64 KiB frame (closed at the first object boundary past 64 KiB), then a payload too big for any frame.
  frames: range(40).map((i) => String(i).padEnd(2000, '.')),
  bigPayload: ['a', 'z'.repeat(70_000), Buffer.alloc(70_000, 1), 'b'],
  // Frame edges (protocol 4+): 635 items of 103 bytes, then 120 and 8 bytes, put object boundaries at 65,528
  // and exactly 65,536 bytes of frame, where CPython closes it (at 64 KiB, not before, not after).
  frameAtExactly64KiB: [...labels(635, 100), 'y'.repeat(117), 'short', ...labels(5, 100, 'z')],
  // A frame closed at a boundary, then a payload that bypasses framing (there is no frame left to close).
  frameThenPayload: [...labels(700, 100), 'z'.repeat(70_000)],
  // A payload of exactly 64 KiB bypasses framing; one byte less does not.
  payloadsAt64KiB: ['a', Buffer.alloc(65_536, 2), 'b', Buffer.alloc(65_535, 3), 'c'.repeat(65_536), 'd'.repeat(65_535)],
};

/** The Python source of the cases whose `pyRepr` would not rebuild them (sharing is lost in a repr). */
export const PYTHON: Record<string, string> = {
  memo: "(lambda s: [s, s, 'y', 'y', (s, s)])([1, 'x'])",
  datetimes:
    '(lambda d: [d, d, datetime.date(2024, 2, 29), datetime.time(1, 2, 3, 4), datetime.timedelta(days=-1, seconds=5, microseconds=7)])'
    + '(datetime.datetime(2024, 1, 2, 3, 4, 5, 678000, tzinfo=datetime.timezone.utc))',
  globals: '[builtins.len, copyreg._reconstructor, collections.OrderedDict]',
};

/**
 * Hand-made pickles (latin-1 text) for the reader's text opcodes, which CPython 3 itself rarely or never
 * writes: protocol 0 `UNICODE` (raw-unicode-escape, where only an odd run of backslashes escapes), Python 2
 * `STRING` reprs, `surrogatepass` UTF-8 and refused byte sequences. The corpus records what CPython's
 * `pickle.loads` made of each: its repr, or the name of the exception it raised.
 */
const bu = (utf8: number[]): string => `X${String.fromCharCode(utf8.length, 0, 0, 0, ...utf8)}.`;
export const LOADS: Record<string, string> = {
  uEscape: 'V\\u0041\\u00e9\\u00E9\n.',
  uEvenRun: 'V\\\\u0041\n.',
  uOddRun: 'V\\\\\\u0041\n.',
  uAstral: 'V\\U0001f600\\U00010000\n.',
  uOutOfRange: 'V\\U00110000\n.',
  uShort: 'V\\u004\n.',
  uBadHex: 'V\\u004G\n.',
  uShortAstral: 'V\\U0001f60\n.',
  uMaxAstral: 'V\\U0010ffff\n.',
  uOtherEscape: 'Va\\b\\n\\x41\n.',
  uTrailing: 'Vab\\\n.',
  uLatin1: 'V\xe9\xff\n.',
  sQuoted: "S'abc'\n.",
  sEmpty: "S''\n.",
  sDouble: 'S"a\'b"\n.',
  sEscapes: "S'\\\\\\'\\\"\\n\\t\\r\\b\\f\\v\\a'\n.",
  sHex: "S'\\x41\\x7f'\n.",
  sBadHex: "S'\\x4g'\n.",
  sShortHex: "S'\\x4'\n.",
  sOctal: "S'\\101\\0\\1234\\7'\n.",
  sOctalWrap: "S'\\777'\n.",
  sUnknownEscape: "S'\\q\\8\\!\\ '\n.",
  sTrailing: "S'ab\\'\n.",
  sUnquoted: 'Sabc\n.',
  sMismatched: 'S\'abc"\n.',
  sSameNonQuote: 'SaXa\n.',
  sOneQuote: "S'\n.",
  sNonAscii: "S'\xe9'\n.",
  sEscapedNonAscii: "S'\\xe9'\n.",
  binstringNonAscii: 'U\x02a\xe9.',
  binstringAscii: 'U\x02ab.',
  loneSurrogates: bu([0xed, 0xa0, 0x80, 0x41, 0xed, 0xbf, 0xbf]),
  surrogateAndAstral: bu([0xed, 0xa0, 0x80, 0xf0, 0x9f, 0x98, 0x80, 0xc3, 0xa9, 0xe2, 0x82, 0xac]),
  overlong2: bu([0xc0, 0x80]),
  overlong3: bu([0xe0, 0x80, 0x80]),
  overlong4: bu([0xf0, 0x80, 0x80, 0x80]),
  beyondUnicode: bu([0xf4, 0x90, 0x80, 0x80]),
  leadF5: bu([0xf5, 0x80, 0x80, 0x80]),
  leadF8: bu([0xed, 0xa0, 0x80, 0xf8, 0x90, 0x80, 0x80]),
  strayContinuation: bu([0x41, 0x80]),
  truncated3: bu([0xed, 0xa0, 0x80, 0xe2, 0x82]),
  badContinuation: bu([0xed, 0xa0, 0x80, 0xe2, 0x41, 0x41]),
  maxCodePoint: bu([0xed, 0xa0, 0x80, 0xf4, 0x8f, 0xbf, 0xbf]),
  min2And3: bu([0xed, 0xa0, 0x80, 0xc2, 0x80, 0xe0, 0xa0, 0x80, 0xf0, 0x90, 0x80, 0x80]),
};
