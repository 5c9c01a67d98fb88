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
import { DeserializationError } from '../../src/errors.js';
import { CASES, LOADS, PYTHON } from './pickle-cpython-cases.js';

interface Recorded { hex?: string; length?: number; sha256?: string }
interface Case { python?: string; python_sha256?: string; pickles: Recorded[] }
interface Loaded { pickle: string; repr?: string; error?: string }
const corpus = JSON.parse(readFileSync(new URL('../vectors/pickle_cpython_corpus.json', import.meta.url), 'utf8')) as {
  cases: Record<string, Case>;
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
    it(`${name}: ${recorded.repr ?? `refused (${recorded.error})`}`, () => {
      const bytes = Buffer.from(text, 'latin1');
      if (recorded.repr !== undefined) expect(pyRepr(pickleLoads(bytes))).toBe(recorded.repr);
      else {
        expect(() => pickleLoads(bytes)).toThrow(DeserializationError);
        expect(() => pickleLoads(bytes)).toThrow(REASONS[name]!);
      }
    });
  }
});
