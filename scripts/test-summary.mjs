#!/usr/bin/env node
// Prints the closing line of a CI run, "N passed, N failed" (", N skipped" when any), from vitest's JSON
// report (vitest.config.ts writes .vitest-results.json). A test file that failed before any of its tests ran
// (import error, failing beforeAll) counts as one failure. Exits 1 when anything failed or no test ran.
import { readFileSync } from 'node:fs';

const file = process.argv[2] ?? '.vitest-results.json';
let report;
try {
  report = JSON.parse(readFileSync(file, 'utf8'));
} catch (err) {
  console.error(`test-summary: cannot read ${file}: ${err.message}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}

const files = report.testResults ?? [];
const brokenFiles = files.filter((f) => f.status === 'failed' && !(f.assertionResults ?? []).some((t) => t.status === 'failed'));
for (const f of brokenFiles) console.error(`test-summary: ${f.name} failed outside its tests: ${(f.message ?? '').split('\n')[0]}`);

const passed = report.numPassedTests ?? 0;
const failed = (report.numFailedTests ?? 0) + brokenFiles.length;
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);

console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
if (passed + failed === 0) console.error('test-summary: no tests ran');
process.exit(failed > 0 || passed + failed === 0 ? 1 : 0);
