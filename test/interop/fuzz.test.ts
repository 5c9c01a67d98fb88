/**
 * A sample of `npm run fuzz` (which runs 1,000,000 cases): mutated payloads written by every installed Python
 * RQ version and by rqts, through the pickle and JSON decoders and the record reader. Every case must decode or
 * end in a DeserializationError.
 */
import { describe, expect, it } from 'vitest';
import { buildCorpus } from '../fuzz/corpus.js';
import { mutate, runFuzz } from '../fuzz/fuzz.js';

describe('fuzzing the decoders (sample)', () => {
  it('5,000 mutated real payloads: each decodes or is a DeserializationError', async () => {
    const corpus = await buildCorpus();
    expect(new Set(corpus.map((s) => s.kind))).toEqual(new Set(['pickle', 'json', 'record', 'result']));
    const stats = runFuzz(corpus, { cases: 5_000, seed: Date.now() % 0x7fffffff, maxCaseMs: Number.POSITIVE_INFINITY });
    expect(stats.failures).toEqual([]);
    expect(stats.cases).toBe(5_000);
    // Both outcomes happen: the mutations are neither all fatal nor all harmless.
    expect(stats.decoded).toBeGreaterThan(0);
    expect(stats.rejected).toBeGreaterThan(0);
  }, 180_000); // three Python corpus builds and the sample: well under a minute unless the machine is loaded

  it('the mutator is reproducible from its seed and changes its input', () => {
    const input = Buffer.from('the quick brown fox jumps over the lazy dog');
    const run = (seed: number) => {
      let x = seed;
      const random = () => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
      return Array.from({ length: 50 }, () => mutate(input, random, Buffer.from('donor')).toString('hex'));
    };
    expect(run(7)).toEqual(run(7));
    expect(run(7).filter((hex) => hex !== input.toString('hex')).length).toBeGreaterThan(40);
  });
});
