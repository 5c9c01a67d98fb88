/**
 * The pickle codec against bytes CPython wrote (test/vectors/pickle_cpython_corpus.json, recorded from the
 * values in pickle-cpython-cases.ts by scripts/record-pickle-corpus.ts): for every protocol 0–5, rqts writes
 * exactly CPython's bytes and reads CPython's bytes back to the same value. The property tests against a live
 * CPython are interop tests; this corpus keeps the edges where CPython's choices change in the unit tests
 * (and so in the mutation run).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { pyRepr } from '../../src/py/repr.js';
import { pickleDumps, pickleLoads } from '../../src/serializers/pickle/index.js';
import { pickleCall } from '../../src/serializers/pickle/call.js';
import { isTuple } from '../../src/py/values.js';
import { DeserializationError } from '../../src/errors.js';
import { CASES, LOADS, OBJECTS, OBJECTS_FROM, PYTHON } from './pickle-cpython-cases.js';

interface Recorded { hex?: string; length?: number; sha256?: string }
interface Case { python?: string; python_sha256?: string; pickles: Recorded[] }
interface Loaded { pickle: string; repr?: string; error?: string }
const corpus = JSON.parse(readFileSync(new URL('../vectors/pickle_cpython_corpus.json', import.meta.url), 'utf8')) as {
  cases: Record<string, Case>;
  objects: Record<string, Case>;
  loads: Record<string, Loaded>;
};

const sha256 = (data: Uint8Array | string): string => createHash('sha256').update(data).digest('hex');

describe('pickles CPython wrote', () => {
  it('has a recording for every case, from the Python source the case stands for', () => {
    expect(Object.keys(corpus.cases).sort()).toEqual(Object.keys(CASES).sort());
    for (const [name, value] of Object.entries(CASES)) {
      const source = PYTHON[name] ?? pyRepr(value);
      const recorded = corpus.cases[name]!;
      if (recorded.python !== undefined) expect(recorded.python, name).toBe(source);
      else expect(recorded.python_sha256, name).toBe(sha256(source));
      expect(recorded.pickles, name).toHaveLength(6);
    }
  });

  for (const [name, value] of Object.entries(CASES)) {
    it(`writes and reads ${name} as CPython does, protocols 0–5`, () => {
      corpus.cases[name]!.pickles.forEach((recorded, protocol) => {
        const written = pickleDumps(value, { protocol });
        const what = `${name}, protocol ${protocol}`;
        if (recorded.hex !== undefined) {
          expect(written.toString('hex'), what).toBe(recorded.hex);
          // CPython's own bytes read back as the value (integral floats kept as floats, so the repr compares).
          const read = pickleLoads(Buffer.from(recorded.hex, 'hex'), { integralFloats: 'pyfloat' });
          expect(pyRepr(read), what).toBe(pyRepr(value));
        } else {
          expect([written.length, sha256(written)], what).toEqual([recorded.length, recorded.sha256]);
          expect(pyRepr(pickleLoads(written, { integralFloats: 'pyfloat' })), what).toBe(pyRepr(value));
        }
      });
    });
  }
});

describe('job payloads CPython wrote, by the direct writer (pickle/call.ts)', () => {
  const calls = Object.entries(CASES).filter(([name]) => name.startsWith('call'));
  it('has call cases', () => expect(calls.length).toBeGreaterThan(5));
  for (const [name, value] of calls) {
    it(`writes ${name} as pickle.dumps((func, None, args, kwargs), 5) does`, () => {
      if (!isTuple(value)) throw new Error(`${name} is not a call tuple`);
      const [func, instance, args, kwargs] = value as unknown as [string, null, unknown[], Record<string, unknown>];
      expect(instance).toBeNull();
      expect(pickleCall(func, args, kwargs)?.toString('hex')).toBe(corpus.cases[name]!.pickles[5]!.hex);
    });
  }
  // What encodePayload does: the direct writer, or the general pickler for what it hands back.
  for (const [name, value] of Object.entries(CASES).filter(([n]) => n.startsWith('payload'))) {
    it(`writes ${name} as pickle.dumps does, through the general pickler where the direct writer hands it back`, () => {
      const [func, , args, kwargs] = value as unknown as [string, null, unknown[], Record<string, unknown>];
      const written = pickleCall(func, args, kwargs) ?? pickleDumps(value);
      const recorded = corpus.cases[name]!.pickles[5]!;
      if (recorded.hex !== undefined) expect(written.toString('hex')).toBe(recorded.hex);
      else expect([written.length, sha256(written)]).toEqual([recorded.length, recorded.sha256]);
    });
  }
});

describe('objects CPython pickled, written back as rqts read them', () => {
  it('has a recording for every object, from its Python source', () => {
    expect(Object.keys(corpus.objects).sort()).toEqual(Object.keys(OBJECTS).sort());
    for (const [name, source] of Object.entries(OBJECTS)) {
      const recorded = corpus.objects[name]!;
      if (recorded.python !== undefined) expect(recorded.python, name).toBe(source);
      else expect(recorded.python_sha256, name).toBe(sha256(source));
      expect(recorded.pickles, name).toHaveLength(6);
    }
  });

  for (const name of Object.keys(OBJECTS)) {
    const from = OBJECTS_FROM[name] ?? 0;
    it(`writes ${name} back byte for byte, protocols ${from}–5`, () => {
      corpus.objects[name]!.pickles.forEach((recorded, protocol) => {
        if (protocol < from) return;
        const what = `${name}, protocol ${protocol}`;
        expect(recorded.hex, what).toBeDefined();
        const read = pickleLoads(Buffer.from(recorded.hex!, 'hex'));
        expect(pickleDumps(read, { protocol }).toString('hex'), what).toBe(recorded.hex);
      });
    });
  }
});

/** Why each refused hand-made pickle is refused: rqts's error names the defect it was made with. */
const REASONS: Record<string, RegExp> = {
  uOutOfRange: /\\Uxxxxxxxx out of range/,
  uShort: /Truncated \\uXXXX escape/,
  uBadHex: /Truncated \\uXXXX escape/,
  uShortAstral: /Truncated \\uXXXX escape/,
  sBadHex: /Invalid \\x escape in STRING/,
  sShortHex: /Invalid \\x escape in STRING/,
  sOctalWrap: /non-ASCII bytes/,
  sTrailing: /Trailing \\ in STRING/,
  sUnquoted: /STRING opcode argument must be quoted/,
  sMismatched: /STRING opcode argument must be quoted/,
  sSameNonQuote: /STRING opcode argument must be quoted/,
  sOneQuote: /STRING opcode argument must be quoted/,
  sNonAscii: /non-ASCII bytes/,
  sEscapedNonAscii: /non-ASCII bytes/,
  binstringNonAscii: /non-ASCII bytes/,
  overlong2: /Invalid UTF-8 in pickled str/,
  overlong3: /Invalid UTF-8 in pickled str/,
  overlong4: /Invalid UTF-8 in pickled str/,
  beyondUnicode: /Invalid UTF-8 in pickled str/,
  leadF5: /Invalid UTF-8 in pickled str/,
  leadF8: /Invalid UTF-8 in pickled str/,
  strayContinuation: /Invalid UTF-8 in pickled str/,
  truncated3: /Invalid UTF-8 in pickled str/,
  badContinuation: /Invalid UTF-8 in pickled str/,
  // rqts's own refusals, message and all (a DeserializationError wrapped twice would read "Invalid pickle: Invalid
  // pickle: ..."). The stack, MARKs, headers and lengths. "truncated" alone: a length past the data; "(no STOP opcode)": a
  // length that fits but leaves no STOP.
  popUnderflow: /^Invalid pickle: could not find MARK$/,
  popMarkNoMark: /^Invalid pickle: could not find MARK$/,
  instNoMark: /^Invalid pickle: could not find MARK$/,
  dupEmpty: /^Invalid pickle: unpickling stack underflow$/,
  stopEmpty: /^Invalid pickle: unpickling stack underflow$/,
  tuple1Empty: /^Invalid pickle: unpickling stack underflow$/,
  tuple2Short: /^Invalid pickle: unpickling stack underflow$/,
  appendEmpty: /^Invalid pickle: unpickling stack underflow$/,
  objEmpty: /^Invalid pickle: OBJ without a class$/,
  proto6: /^Invalid pickle: unsupported pickle protocol: 6$/,
  frameOver: /^Invalid pickle: frame exceeds the data$/,
  noStop: /^Invalid pickle: pickle data was truncated \(no STOP opcode\)$/,
  noNewline: /^Invalid pickle: pickle data was truncated \(missing newline\)$/,
  binunicodeEatsStop: /^Invalid pickle: pickle data was truncated \(no STOP opcode\)$/,
  shortBinbytesEatsStop: /^Invalid pickle: pickle data was truncated \(no STOP opcode\)$/,
  binbytes8EatsStop: /^Invalid pickle: pickle data was truncated \(no STOP opcode\)$/,
  long4EatsStop: /^Invalid pickle: pickle data was truncated \(no STOP opcode\)$/,
  binbytes8Over: /^Invalid pickle: pickle data was truncated$/,
  long4Over: /^Invalid pickle: pickle data was truncated$/,
  binstringNegative: /^Invalid pickle: negative byte count$/,
  long4Negative: /^Invalid pickle: LONG pickle has negative byte count$/,
  // Text numbers: the first 40 characters of a bad one are quoted.
  intLetters: /^Invalid pickle: invalid integer "12a"$/,
  intLeadingJunk: /^Invalid pickle: invalid integer "x12"$/,
  intTooLong: /^Invalid pickle: invalid integer "9{40}"$/,
  longTooLong: /^Invalid pickle: invalid integer "-8{39}"$/,
  floatInfPrefix: /^Invalid pickle: could not convert string to float$/,
  floatInfSuffix: /^Invalid pickle: could not convert string to float$/,
  floatNoExpDigits: /^Invalid pickle: could not convert string to float$/,
  floatOnlyExp: /^Invalid pickle: could not convert string to float$/,
  floatDot: /^Invalid pickle: could not convert string to float$/,
  floatUnderscore: /^Invalid pickle: could not convert string to float$/,
  floatHex: /^Invalid pickle: could not convert string to float$/,
  floatLeadingJunk: /^Invalid pickle: could not convert string to float$/,
  floatTrailingJunk: /^Invalid pickle: could not convert string to float$/,
  // Containers, globals and calls.
  dictOdd: /^Invalid pickle: odd number of items for DICT$/,
  setitemsOdd: /^Invalid pickle: odd number of items for SETITEMS$/,
  setitemList: /^Invalid pickle: SETITEM target is not a dict$/,
  setitemTuple: /^Invalid pickle: SETITEM target is not a dict$/,
  appendDict: /^Invalid pickle: APPEND target is not a list$/,
  appendTuple: /^Invalid pickle: APPEND target is not a list$/,
  appendsTuple: /^Invalid pickle: APPEND target is not a list$/,
  additemsList: /^Invalid pickle: ADDITEMS target is not a set$/,
  additemsFrozenset: /^Invalid pickle: ADDITEMS target is not a set$/,
  buildList: /^Invalid pickle: BUILD target has no __setstate__$/,
  stackGlobalInts: /^Invalid pickle: STACK_GLOBAL requires str$/,
  stackGlobalIntName: /^Invalid pickle: STACK_GLOBAL requires str$/,
  stackGlobalIntModule: /^Invalid pickle: STACK_GLOBAL requires str$/,
  reduceNotGlobal: /^Invalid pickle: callable is not a global$/,
  reduceArgsNone: /^Invalid pickle: call arguments must be a tuple$/,
  newobjArgsNone: /^Invalid pickle: call arguments must be a tuple$/,
  newobjExArgsNone: /^Invalid pickle: call arguments must be a tuple$/,
  newobjExKwargsNone: /^Invalid pickle: NEWOBJ_EX kwargs must be a dict$/,
  reconstructorNotClass: /^Invalid pickle: copyreg\._reconstructor needs a class$/,
  copyregNewobjNoClass: /^Invalid pickle: copyreg\.__newobj__ needs a class$/,
  // The memo.
  putLetters: /^Invalid pickle: invalid memo key$/,
  putLetterDigit: /^Invalid pickle: invalid memo key$/,
  putNegative: /^Invalid pickle: invalid memo key$/,
  getLetters: /^Invalid pickle: invalid memo key$/,
  getMissing: /^Invalid pickle: memo key 1 not found$/,
  bingetMissing: /^Invalid pickle: memo key 5 not found$/,
  longBingetMissing: /^Invalid pickle: memo key 258 not found$/,
  // Refused by design.
  persid: /^Invalid pickle: persistent IDs are not supported$/,
  binpersid: /^Invalid pickle: persistent IDs are not supported$/,
  ext1: /^Invalid pickle: the copyreg extension registry is not supported$/,
  ext2: /^Invalid pickle: the copyreg extension registry is not supported$/,
  ext4: /^Invalid pickle: the copyreg extension registry is not supported$/,
  nextBuffer: /^Invalid pickle: out-of-band buffers are not supported$/,
  readonlyBuffer: /^Invalid pickle: out-of-band buffers are not supported$/,
  invalidOpcode: /^Invalid pickle: invalid opcode 0xff at offset 0$/,
  invalidOpcodeLater: /^Invalid pickle: invalid opcode 0x01 at offset 1$/,
  // Allowlisted classes given values they refuse (the class's own error is named, and kept as the cause).
  datetimeMonth0: /^Invalid datetime state in pickle$/,
  datetimeMonth13: /^Invalid datetime state in pickle$/,
  decimalBad: /^Invalid decimal\.Decimal in pickle: Invalid decimal \("abc"\): not a Decimal literal$/,
  uuidBad: /^Invalid uuid\.UUID in pickle: Invalid uuid \("xyz"\): not a UUID$/,
  setInt: /^set\(\)\/frozenset\(\) argument must be a list or tuple$/,
  setTwoArgs: /^set\(\)\/frozenset\(\) argument must be a list or tuple$/,
  encodeLatin1Refused: /^latin-1 codec cannot encode a character$/,
  encodeAsciiRefused: /^ascii codec cannot encode a character$/,
};

describe('hand-made pickles, read as CPython reads them', () => {
  it('has a recording for every hand-made pickle', () => {
    expect(Object.keys(corpus.loads).sort()).toEqual(Object.keys(LOADS).sort());
    for (const [name, text] of Object.entries(LOADS)) expect(corpus.loads[name]!.pickle, name).toBe(text);
    // A reason for exactly the pickles CPython refuses.
    expect(Object.keys(REASONS).sort()).toEqual(Object.keys(LOADS).filter((name) => corpus.loads[name]!.error !== undefined).sort());
  });

  for (const [name, text] of Object.entries(LOADS)) {
    const recorded = corpus.loads[name]!;
    const outcome = recorded.repr ?? `refused (${recorded.error})`;
    it(`${name}: ${outcome.length > 80 ? `${outcome.slice(0, 80)}…` : outcome}`, () => {
      const bytes = Buffer.from(text, 'latin1');
      // Integral floats kept as floats, so `1.0` compares with CPython's repr.
      if (recorded.repr !== undefined) expect(pyRepr(pickleLoads(bytes, { integralFloats: 'pyfloat' }))).toBe(recorded.repr);
      else {
        expect(() => pickleLoads(bytes)).toThrow(DeserializationError);
        expect(() => pickleLoads(bytes)).toThrow(REASONS[name]!);
      }
    });
  }
});
