/**
 * `npm run fuzz`: FUZZ_CASES mutated real payloads (default 1,000,000) through the pickle and JSON decoders
 * and the record reader, seed FUZZ_SEED. Exits non-zero when any case ends in anything but a value or a
 * DeserializationError, or takes longer than FUZZ_MAX_CASE_MS (default 1000).
 */
import { buildCorpus } from './corpus.js';
import { runFuzz } from './fuzz.js';

const cases = Number(process.env.FUZZ_CASES ?? 1_000_000);
const seed = Number(process.env.FUZZ_SEED ?? 0x5eed);
const maxCaseMs = Number(process.env.FUZZ_MAX_CASE_MS ?? 1_000);
const corpus = await buildCorpus();
console.log(`[fuzz] ${corpus.length} seeds from Python RQ and rqts; ${cases.toLocaleString('en-US')} cases, seed ${seed}`);
const stats = runFuzz(corpus, {
  cases,
  seed,
  maxCaseMs,
  onProgress: (done, s) => console.log(`[fuzz] ${done.toLocaleString('en-US')} cases: ${s.rejected} rejected, ${s.failureCount} failures, slowest ${s.slowestMs.toFixed(1)} ms`),
});
console.log(`[fuzz] ${JSON.stringify({ ...stats, failures: undefined })}`);
for (const f of stats.failures) console.log(`[fuzz] FAILURE ${f}`);
process.exit(stats.failureCount === 0 && stats.cases === cases ? 0 : 1);
