// StrykerJS over the modules whose tests are fast (`npm run mutate`; not part of .ci/run). Incremental: a
// rerun reuses reports/stryker-incremental.json and tests only mutants whose code or tests changed.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.stryker.config.ts', related: false },
  // Mutants that do not compile are not tested. scripts/stryker-ts-checker.mjs does what the stock 'typescript'
  // checker does at about 0.2 s a mutant instead of 3 s (see the file).
  plugins: ['@stryker-mutator/*', './scripts/stryker-ts-checker.mjs'],
  checkers: ['typescript-incremental'],
  tsconfigFile: 'tsconfig.build.json',
  coverageAnalysis: 'perTest',
  mutate: [
    'src/record.ts',
    'src/prepare.ts',
    'src/validate.ts',
    'src/protocol.ts',
    'src/keys.ts',
    'src/serializers/**/*.ts',
    'src/waiter.ts',
    'src/cli/common.ts',
    'src/cli/enqueue.ts',
  ],
  // With a checker Stryker runs ceil(n/2) checkers and floor(n/2) (at least one) test runners: 1 or 2 give one of each.
  concurrency: Number(process.env.STRYKER_CONCURRENCY ?? 2),
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  // Not needed by the tests Stryker runs (and .venv is large, with symlinked dirs).
  ignorePatterns: ['.venv', 'dist', 'bench', 'docs', 'examples', 'reports', '.vitest-results.json'],
  ignoreStatic: true,
  timeoutMS: 10_000,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 90, low: 85, break: 85 },
  cleanTempDir: 'always',
};
