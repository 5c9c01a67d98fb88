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
const pair = py.tuple(1, 2);
const quad = py.tuple(1, 2, 3, 4);
const intSet = new Set([1]);
const frozen = py.frozenset([2]);
const blob = Buffer.from('xy');
const map = new Map([[1, 2]]);
const bytearray = py.bytearray([3]);
const sharedList = [1];
const sharedKwargs = { a: 1 };
/** A list nested `levels` deep, a number at the bottom. */
const nested = (levels: number): unknown => (levels === 0 ? 0 : [nested(levels - 1)]);

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
  // Memo slots past 255: LONG_BINPUT (protocols 1–3), then GETs of slots 1 and 255 (BINGET), 256 and 300 (LONG_BINGET).
  longMemo: [...labels(300, 3, 'm'), 'm0.', 'm254', 'm255', 'm299'],
  oneEntryDicts: [{ a: 1 }, new Map([[1, 2]])],
  // Exactly one full batch: a dict and a set get a second, empty MARK … SETITEMS / ADDITEMS; a list does not.
  fullBatches: [new Map(range(1000).map((i) => [i, -i])), new Set(range(1000)), range(1000)],
  twoBatches: [new Map(range(2001).map((i) => [i, i])), new Set(range(2001)), range(2001)],
  // Every container seen twice is a GET the second time; an empty tuple is never memoized.
  sharedObjects: [pair, pair, quad, quad, py.tuple(), py.tuple(), intSet, intSet, frozen, frozen, blob, blob, map, map, bytearray, bytearray],
  // The first and last years Python holds, a year below 256 (zero high byte), microseconds in all three bytes;
  // distinct datetimes, Decimals and UUIDs share one global (and one timezone.utc) through the memo.
  datetimeEdges: [
    new Date('0001-01-01T00:00:00.000Z'), new Date('9999-12-31T23:59:59.999Z'), new Date('0255-06-15T12:30:45.001Z'),
    py.date(1, 1, 1), py.date(9999, 12, 31), py.date(255, 2, 3), py.time(23, 59, 59, 999_999), py.time(0, 0, 0, 65_536),
    py.timedelta({ days: 999_999_999, seconds: 86_399, microseconds: 999_999 }), py.timedelta({ days: -999_999_999 }), py.timedelta(),
  ],
  uuidEdges: [py.uuid('ffffffff-ffff-ffff-ffff-ffffffffffff'), py.uuid('00000000-0000-0000-0000-000000000001')],
  bigByteArray: ['a', py.bytearray(Buffer.alloc(70_000, 5)), 'b'],
  // The job payload as RQ pickles it, `(func_name, None, args, kwargs)`: what pickle/call.ts writes directly.
  callNoArgs: py.tuple<unknown>('mylib.ping', null, py.tuple(), {}),
  callInts: py.tuple<unknown>('mylib.add', null, py.tuple(0, 255, 256, 65_535, 65_536, -1, -(2 ** 31), 2 ** 31 - 1), {}),
  callOneArg: py.tuple<unknown>('mylib.f', null, py.tuple('x'), { x: 'x' }),
  callTwoArgs: py.tuple<unknown>('mylib.f', null, py.tuple(1.5, true), { b: false, n: null }),
  callThreeArgs: py.tuple<unknown>('mylib.f', null, py.tuple([], [1], [1, 2, [3]]), { d: {}, e: { k: 'v' }, f: { a: 1, b: 2 } }),
  callStrings: py.tuple<unknown>('mylib.f', null, py.tuple('é', '€'.repeat(90), 'x'.repeat(255), 'y'.repeat(256), '😀'), { 'mylib.f': 'mylib.f' }),
  // The function name is slot 0, the labels slots 1–300: GETs on both sides of 256.
  callLongMemo: py.tuple<unknown>('mylib.f', null, py.tuple(...labels(300, 3, 'm'), 'm0.', 'm254', 'm255', 'm299'), {}),
  // UTF-8 lengths 255 and 256 (SHORT_BINUNICODE / BINUNICODE) of non-ASCII text, and ASCII after a non-ASCII start.
  callUtf8Edges: py.tuple<unknown>('mylib.f', null, py.tuple(`${'é'.repeat(127)}a`, 'é'.repeat(128), `é${'a'.repeat(253)}`, `${'a'.repeat(250)}é`), {}),
  // Payloads the direct writer hands back to the general pickler; the two together must still write CPython's bytes.
  payloadBigInts: py.tuple<unknown>('mylib.f', null, py.tuple(2 ** 31, -(2 ** 31) - 1, 2 ** 40, 2n ** 70n), {}),
  payloadTypes: py.tuple<unknown>('mylib.f', null, py.tuple(py.tuple(1, 2), Buffer.from('x'), py.decimal('1.5'), py.float(2)), { s: new Set([1]) }),
  // Ints just outside 32 bits, each alone (either one hands the payload back): LONG1, never BININT.
  payloadBelowInt32: py.tuple<unknown>('mylib.f', null, py.tuple(-(2 ** 31) - 1), {}),
  payloadAboveInt32: py.tuple<unknown>('mylib.f', null, py.tuple(2 ** 31), {}),
  payloadTuple: py.tuple<unknown>('mylib.f', null, py.tuple(py.tuple(1, 2)), { t: py.tuple(3) }),
  payloadShared: py.tuple<unknown>('mylib.f', null, py.tuple(sharedList, sharedList, sharedKwargs), sharedKwargs),
  payloadSurrogate: py.tuple<unknown>('mylib.f', null, py.tuple('a', '\ud800'), {}),
  payloadDeep: py.tuple<unknown>('mylib.f', null, py.tuple(nested(20)), { d: nested(15) }),
  payloadBatches: py.tuple<unknown>('mylib.f', null, py.tuple(range(1001), range(999)), Object.fromEntries(range(1000).map((i) => [`k${i}`, i]))),
  payloadOverAFrame: py.tuple<unknown>('mylib.f', null, py.tuple(...labels(40, 2000)), { tail: 'x'.repeat(20_000) }),
  payloadLongStr: py.tuple<unknown>('mylib.f', null, py.tuple('z'.repeat(70_000)), {}),
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
  payloadShared: "(lambda l, k: ('mylib.f', None, (l, l, k), k))([1], {'a': 1})",
  sharedObjects: "(lambda *v: [x for x in v for _ in '12'])((1, 2), (1, 2, 3, 4), (), {1}, frozenset({2}), b'xy', {1: 2}, bytearray(b'\\x03'))",
};

/**
 * Objects rqts reads as inert `PyObject`s (classes of the recording script, `argparse.Namespace`, `deque`…):
 * written back, each must give CPython's bytes again, so they test the writer's reduce, NEWOBJ and NEWOBJ_EX
 * forms, list and dict items in batches, and state. Python sources only (the classes exist only there).
 */
export const OBJECTS: Record<string, string> = {
  namespace: 'argparse.Namespace(a=1, b=[2])',
  namespaces: '(lambda n: [n, n, argparse.Namespace()])(argparse.Namespace(x=1))',
  listSubclass: '[L(), L([1]), L([1, 2, 3]), attrs(L([4]), x=5)]',
  listSubclassBatches: '[L(range(1000)), L(range(1001))]',
  dictSubclass: "[D(), D(a=1), D({1: 2, 3: 4, 'k': None}), attrs(D(a=1), x=5)]",
  dictSubclassBatches: '[D((i, i) for i in range(1000)), D((i, -i) for i in range(1001))]',
  newobjEx: "[Kw(1, b=2), Kw(b=[1]), Kw('x', 'y', c=None, d=2)]",
  deque: "[collections.deque([1, 'a']), collections.deque(maxlen=2)]",
  counter: "collections.Counter({'a': 2})",
};

/**
 * The first protocol whose pickle of the object rqts reads back whole, where that is not protocol 0. Below
 * protocol 2 CPython pickles a list or dict subclass as `copyreg._reconstructor(cls, list, [items])`, and rqts's
 * reader keeps only the class (see `call` in decode.ts); protocols 2–3 spell a NEWOBJ_EX call as
 * `functools.partial(cls.__new__, …)`, which the reader refuses (its callable is not a global).
 */
export const OBJECTS_FROM: Record<string, number> = {
  listSubclass: 2, listSubclassBatches: 2, dictSubclass: 2, dictSubclassBatches: 2, newobjEx: 4,
};

/**
 * Hand-made pickles for the reader's other opcodes and its refusals: the stack and MARK opcodes, opcodes
 * CPython 3 never writes (`POP`, `POP_MARK`, `DUP`, `BINBYTES8`, `BINUNICODE8`, `NEWOBJ_EX`, `LONG_BINGET`…),
 * protocol 0 `INT`/`LONG`/`FLOAT` text, the memo, `copyreg` helpers of protocols 0–1, lengths that end exactly
 * at or one past the data, and the opcodes rqts refuses (persistent ids, extensions, out-of-band buffers).
 * Only inputs where rqts and CPython agree: for the text opcodes CPython is laxer in places rqts does not
 * follow (`INT` in base 0, `I+1` read as True, `FLOAT` overflow, memo keys with a sign).
 */
const OPCODES: Record<string, string> = {
  // The stack and its MARKs. POP with nothing above the MARK pops the MARK, as CPython does.
  popMarkAbove: 'N(0.',
  popValue: 'NI1\n0.',
  popUnderflow: '0.',
  popMark: 'N(I1\nI2\n1.',
  popMarkNoMark: '1.',
  dup: 'I1\n2\x86.',
  dupEmpty: '2.',
  stopEmpty: '.',
  tuple1Empty: '\x85.',
  tuple2Short: 'I1\n\x86.',
  appendEmpty: 'a.',
  instNoMark: 'i__builtin__\nset\n.',
  objEmpty: '(o.',
  // Protocol and frame headers; data that ends early.
  proto6: '\x80\x06N.',
  frameExact: '\x80\x04\x95\x02\0\0\0\0\0\0\0N.',
  frameOver: '\x80\x04\x95\x03\0\0\0\0\0\0\0N.',
  noStop: 'N',
  noNewline: 'I1',
  // A length that swallows the STOP opcode: the data is read, then the STOP is missing.
  binunicodeEatsStop: 'X\x01\0\0\0.',
  shortBinbytesEatsStop: 'C\x01.',
  binstringNegative: 'T\xff\xff\xff\xff.',
  binbytes8: '\x8e\x01\0\0\0\0\0\0\0a.',
  binbytes8EatsStop: '\x8e\x02\0\0\0\0\0\0\0a.',
  binbytes8Over: '\x8e\x03\0\0\0\0\0\0\0a.',
  binunicode8: '\x8d\x01\0\0\0\0\0\0\0a.',
  bytearray8: '\x96\x01\0\0\0\0\0\0\0a.',
  // LONG1 / LONG4: two's complement, little-endian; LONG4's length is signed.
  long1Zero: '\x8a\x00.',
  long1Max: '\x8a\x01\x7f.',
  long1Min: '\x8a\x01\x80.',
  long2Min: '\x8a\x02\x00\x80.',
  long4Zero: '\x8b\0\0\0\0.',
  long4One: '\x8b\x01\0\0\0\x05.',
  long4EatsStop: '\x8b\x02\0\0\0\x05.',
  long4Over: '\x8b\x03\0\0\0\x05.',
  long4Negative: '\x8b\xff\xff\xff\xff.',
  // Protocol 0 INT and LONG text.
  intTrue: 'I01\n.',
  intFalse: 'I00\n.',
  intPlus: 'I+5\n.',
  intSpaces: 'I 12 \n.',
  intNegative: 'I-7\n.',
  intLetters: 'I12a\n.',
  intLeadingJunk: 'Ix12\n.',
  intMaxDigits: `I${'9'.repeat(4300)}\n.`,
  intTooLong: `I${'9'.repeat(4301)}\n.`,
  longSuffix: 'L12L\n.',
  longNoSuffix: 'L12\n.',
  longSpaces: 'L 12 \n.',
  longNegative: 'L-5L\n.',
  longMaxDigits: `L-${'8'.repeat(4300)}L\n.`,
  longTooLong: `L-${'8'.repeat(4301)}L\n.`,
  // Protocol 0 FLOAT text: Python's float() spellings, without surrounding whitespace.
  floatInfUpper: 'FINF\n.',
  floatPlusInf: 'F+inf\n.',
  floatMinusInfinity: 'F-Infinity\n.',
  floatPlusNan: 'F+nan\n.',
  floatMinusNan: 'F-NaN\n.',
  floatInfPrefix: 'Fxinf\n.',
  floatInfSuffix: 'Finfx\n.',
  floatTrailingDot: 'F1.\n.',
  floatLeadingDot: 'F.5\n.',
  floatLeadingDotDigits: 'F.25\n.',
  floatExp: 'F1e5\n.',
  floatExpUpperMinus: 'F1E-5\n.',
  floatSignedExp: 'F-1.5e+3\n.',
  floatDotExp: 'F+.5e-2\n.',
  floatNoExpDigits: 'F1e\n.',
  floatOnlyExp: 'Fe5\n.',
  floatDot: 'F.\n.',
  floatUnderscore: 'F1_0\n.',
  floatHex: 'F0x10\n.',
  floatLeadingJunk: 'Fx1.5\n.',
  floatTrailingJunk: 'F1.5x\n.',
  // Containers and their targets.
  dictPairs: '(I1\nI2\nI3\nI4\nd.',
  dictOdd: '(I1\nd.',
  setitemsOdd: '}(I1\nu.',
  setitemList: ']I1\nI2\ns.',
  setitemTuple: ')I1\nI2\ns.',
  appendDict: '}I1\na.',
  appendTuple: ')I1\na.',
  appendsTuple: ')(I1\ne.',
  additems: '\x80\x04\x8f(I1\nI2\n\x90.',
  additemsList: '](I1\n\x90.',
  additemsFrozenset: '\x80\x04(\x91(I1\n\x90.',
  buildList: ']}b.',
  // Globals and calls. __builtin__ and copy_reg are Python 2's names.
  stackGlobal: '\x80\x04\x8c\x08builtins\x8c\x03set\x93)R.',
  stackGlobalInts: '\x80\x04I1\nI2\n\x93.',
  stackGlobalIntName: '\x80\x04\x8c\x03abcI1\n\x93.',
  stackGlobalIntModule: '\x80\x04I1\n\x8c\x03abc\x93.',
  reduceNotGlobal: 'N)R.',
  reduceArgsNone: 'cbuiltins\nset\nNR.',
  newobjArgsNone: '\x80\x02cbuiltins\nset\nN\x81.',
  newobjDate: '\x80\x02cdatetime\ndate\nC\x04\x07\xe8\x02\x1d\x85\x81.',
  newobjEx: '\x80\x04cbuiltins\nset\n)}\x92.',
  newobjExDate: '\x80\x04cdatetime\ndate\nC\x04\x07\xe8\x02\x1d\x85}\x92.',
  newobjExArgsNone: '\x80\x04cbuiltins\nset\nN}\x92.',
  newobjExKwargsNone: '\x80\x04cbuiltins\nset\n)N\x92.',
  inst: '((I1\nI2\nli__builtin__\nset\n.',
  obj: '(c__builtin__\nset\n(I1\nlo.',
  // copyreg helpers (protocols 0–1): _reconstructor(cls, object, None) then BUILD; __newobj__(cls, *args).
  reconstructor: 'ccopy_reg\n_reconstructor\n(cuuid\nUUID\nc__builtin__\nobject\nNtR(dVint\nI5\nsb.',
  reconstructorSetitems: 'ccopyreg\n_reconstructor\n(cuuid\nUUID\nc__builtin__\nobject\nNtR}(Vint\nI5\nub.',
  reconstructorNotClass: 'ccopy_reg\n_reconstructor\n(I1\nNNtR.',
  copyregNewobj: 'ccopy_reg\n__newobj__\n(cdatetime\ndate\nC\x04\x07\xe8\x02\x1dtR.',
  copyregNewobjNoClass: 'ccopyreg\n__newobj__\n(tR.',
  // The memo: text keys (PUT/GET), one byte, four bytes little-endian, MEMOIZE's next index.
  putGet: 'Np0\ng0\n\x86.',
  putTwice: 'I1\np0\nI2\np0\ng0\n\x86.',
  putLetters: 'Npa\n.',
  putLetterDigit: 'Npa1\n.',
  putNegative: 'Np-1\n.',
  getMissing: 'Np0\ng1\n.',
  getLetters: 'Np0\ng1x\n.',
  binputBinget: 'Nq\x00h\x00\x86.',
  bingetMissing: 'Nh\x05.',
  longBinputLongBinget: 'Nr\x01\x02\0\0j\x01\x02\0\0\x86.',
  longBingetMissing: 'Nr\x01\x02\0\0j\x02\x01\0\0.',
  memoize: '(I1\n\x94I2\n\x94h\x01h\x00l.',
  // What rqts refuses by design (CPython too, without a persistent_load, an extension registry or buffers).
  persid: 'Pabc\n.',
  binpersid: 'NQ.',
  ext1: '\x82\x01.',
  ext2: '\x83\x01\x00.',
  ext4: '\x84\x01\0\0\0.',
  nextBuffer: '\x97.',
  readonlyBuffer: 'N\x98.',
  invalidOpcode: '\xff.',
  invalidOpcodeLater: 'N\x01.',
};

/**
 * Hand-made pickles of the classes rqts resolves into JS values (decode-objects.ts): `datetime` states at
 * their edges and with fixed offsets, `Decimal`, `UUID` (string or `__setstate__` int), sets, `bytes`,
 * `bytearray` and `_codecs.encode` with the encodings' spellings. Only what CPython reads the same way:
 * where rqts keeps a call it cannot use inert, CPython would make something of it, or fail.
 */
const RESOLVED: Record<string, string> = {
  dateReduce: 'cdatetime\ndate\n(C\x04\x07\xe8\x02\x1dtR.',
  datePy2Str: 'cdatetime\ndate\n(U\x04\x07\x5b\x02\x1ctR.',
  timeState: 'cdatetime\ntime\n(C\x06\x01\x02\x03\x01\x02\x04tR.',
  timeMaxNoTz: 'cdatetime\ntime\n(C\x06\x17\x3b\x3b\x0f\x42\x3fNtR.',
  timedelta3: 'cdatetime\ntimedelta\n(I-1\nI5\nI7\ntR.',
  timedelta1: 'cdatetime\ntimedelta\n(I1\ntR.',
  timedelta0: 'cdatetime\ntimedelta\n(tR.',
  datetimeNaive: 'cdatetime\ndatetime\n(C\x0a\x07\xe8\x01\x02\x03\x04\x05\x0a\x5b\xf5tR.',
  datetimeNaiveNone: 'cdatetime\ndatetime\n(C\x0a\x07\xe8\x01\x02\x03\x04\x05\x0a\x5b\xf5NtR.',
  datetimePlus2h: 'cdatetime\ndatetime\n(C\x0a\x07\xe8\x01\x02\x03\x04\x05\x0a\x5b\xf5cdatetime\ntimezone\n(cdatetime\ntimedelta\n(I0\nI7200\ntRtRtR.',
  datetimeMinus5h30: 'cdatetime\ndatetime\n(C\x0a\x07\xe8\x01\x02\x03\x04\x05\x00\x00\x00cdatetime\ntimezone\n(cdatetime\ntimedelta\n(I-1\nI66600\ntRtRtR.',
  datetimeOffsetMicros: 'cdatetime\ndatetime\n(C\x0a\x07\xe8\x01\x02\x03\x04\x05\x00\x00\x00cdatetime\ntimezone\n(cdatetime\ntimedelta\n(I0\nI3600\nI5000\ntRtRtR.',
  datetimeFold: 'cdatetime\ndatetime\n(C\x0a\x07\xe8\x81\x02\x03\x04\x05\x00\x00\x00tR.',
  datetimeMax: 'cdatetime\ndatetime\n(C\x0a\x27\x0f\x0c\x1f\x17\x3b\x3b\x0f\x42\x3ftR.',
  datetimeMin: 'cdatetime\ndatetime\n(C\x0a\x00\x01\x01\x01\x00\x00\x00\x00\x00\x00tR.',
  datetimeMonth0: 'cdatetime\ndatetime\n(C\x0a\x07\xe8\x00\x02\x03\x04\x05\x00\x00\x00tR.',
  datetimeMonth13: 'cdatetime\ndatetime\n(C\x0a\x07\xe8\x0d\x02\x03\x04\x05\x00\x00\x00tR.',
  decimal: 'cdecimal\nDecimal\n(V-1.50\ntR.',
  decimalBad: 'cdecimal\nDecimal\n(Vabc\ntR.',
  uuidStr: 'cuuid\nUUID\n(V12345678-1234-5678-1234-567812345678\ntR.',
  uuidBad: 'cuuid\nUUID\n(Vxyz\ntR.',
  uuidStateMax: 'ccopy_reg\n_reconstructor\n(cuuid\nUUID\nc__builtin__\nobject\nNtR}Vint\nL340282366920938463463374607431768211455L\nsb.',
  uuidStateMixedKeys: 'ccopy_reg\n_reconstructor\n(cuuid\nUUID\nc__builtin__\nobject\nNtR}(I1\nI0\nVint\nI5\nub.',
  setEmpty: 'cbuiltins\nset\n(tR.',
  setTuple: 'cbuiltins\nset\n((I1\nI2\nttR.',
  setInt: 'cbuiltins\nset\n(I1\ntR.',
  setTwoArgs: 'cbuiltins\nset\n((lI1\ntR.',
  frozensetEmpty: 'cbuiltins\nfrozenset\n(tR.',
  frozensetList: 'cbuiltins\nfrozenset\n((I1\nI2\nltR.',
  bytesEmpty: 'cbuiltins\nbytes\n(tR.',
  bytearrayEmpty: 'cbuiltins\nbytearray\n(tR.',
  bytearrayBytes: 'cbuiltins\nbytearray\n(C\x02abtR.',
  bytearrayLatin1: 'cbuiltins\nbytearray\n(V\xe9\nVlatin-1\ntR.',
  bytearrayUtf8: 'cbuiltins\nbytearray\n(V\xe9\nVutf-8\ntR.',
  encodeLatin1: 'c_codecs\nencode\n(V\xe9\nVlatin1\ntR.',
  encodeLatin1Max: 'c_codecs\nencode\n(V\xff\nVlatin1\ntR.',
  encodeLatin1Refused: 'c_codecs\nencode\n(V\\u0100\nVlatin1\ntR.',
  encodeIsoDashes: 'c_codecs\nencode\n(V\xe9\nVISO-8859-1\ntR.',
  encodeIsoUnderscores: 'c_codecs\nencode\n(V\xe9\nVISO_8859_1\ntR.',
  encodeLatinUpper: 'c_codecs\nencode\n(V\xe9\nVLATIN_1\ntR.',
  encodeUtf8: 'c_codecs\nencode\n(V\xe9\nVutf_8\ntR.',
  encodeUtf8Upper: 'c_codecs\nencode\n(V\xe9\nVUTF-8\ntR.',
  encodeDefault: 'c_codecs\nencode\n(V\xe9\ntR.',
  encodeAscii: 'c_codecs\nencode\n(V\x7f\nVASCII\ntR.',
  encodeAsciiRefused: 'c_codecs\nencode\n(V\x80\nVascii\ntR.',
};

/**
 * Hand-made pickles (latin-1 text) for the reader's text opcodes, which CPython 3 itself rarely or never
 * writes: protocol 0 `UNICODE` (raw-unicode-escape, where only an odd run of backslashes escapes), Python 2
 * `STRING` reprs, `surrogatepass` UTF-8 and refused byte sequences; then those of {@link OPCODES}. The corpus
 * records what CPython's `pickle.loads` made of each: its repr, or the name of the exception it raised.
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
  ...OPCODES,
  ...RESOLVED,
};
