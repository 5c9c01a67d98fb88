/**
 * The tests StrykerJS runs for each mutant (`npm run mutate`): the unit tests and the waiter's own test (a
 * private Redis, no Python), all fast. The full suite stays in vitest.config.ts.
 * `RQTS_MUTATE_TESTS` (comma-separated globs) narrows them for one module's run: the pickle writer is reached
 * by almost every unit test, so without it each surviving or hanging mutant re-runs them all.
 */
import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: process.env.RQTS_MUTATE_TESTS ? process.env.RQTS_MUTATE_TESTS.split(',') : ['test/unit/**/*.test.ts', 'test/interop/waiter.test.ts'],
    reporters: ['default'],
    // One module graph for all files: each mutant run re-imports nothing (Stryker switches mutants at run time).
    isolate: false,
    // Property tests run fewer cases per mutant (see fuzzRuns in the tests).
    env: { ...base.test?.env, RQTS_FUZZ_SCALE: '0.05' },
  },
});
