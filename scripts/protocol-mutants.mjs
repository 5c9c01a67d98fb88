#!/usr/bin/env node
// Protocol mutants: small deliberate bugs in what StrykerJS cannot mutate meaningfully (Lua inside strings,
// keys and arguments the scripts receive, interop behaviour), applied ONE AT A TIME to a scratch copy of the
// repository, each followed by the test files that should notice it. Every mutant must make a test fail.
//
//   npm run mutate:protocol                 # every mutant (about 15 minutes on an idle 2-core machine)
//   npm run mutate:protocol -- ttl-plus-one  # only mutants whose name contains one of the words
//   npm run mutate:protocol -- --list        # the table, without running anything
//
// The working tree is never touched: the scratch copy (tracked and untracked files, node_modules and .venv
// linked) lives in the OS temp dir and is removed at the end. Exit status 1 when a mutant survived.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MUTANTS } from './protocol-mutants.table.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const words = argv.filter((a) => !a.startsWith('--'));
const selected = MUTANTS.filter((m) => words.length === 0 || words.some((w) => m.name.includes(w)));

if (argv.includes('--list')) {
  for (const m of MUTANTS) console.log(`${m.name.padEnd(36)} ${m.file}  → ${m.tests.join(', ')}${m.grep ? ` -t "${m.grep}"` : ''}`);
  process.exit(0);
}
if (selected.length === 0) {
  console.error(`protocol-mutants: no mutant matches ${words.join(' ')}; see --list`);
  process.exit(2);
}

/** Copy what git knows of (tracked and untracked, not ignored); link the installed dependencies. */
function scratchCopy() {
  const dir = mkdtempSync(join(tmpdir(), 'rqts-mutants-'));
  const listed = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' });
  if (listed.status !== 0) throw new Error(`git ls-files failed: ${listed.stderr}`);
  const linked = new Set(['node_modules', '.venv']); // linked below (a worktree may hold them as symlinks)
  for (const file of listed.stdout.split('\0').filter((f) => f && !linked.has(f))) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    try {
      copyFileSync(join(ROOT, file), join(dir, file));
    } catch (error) {
      if (error.code !== 'ENOENT') throw error; // deleted but not yet staged
    }
  }
  for (const name of linked) symlinkSync(join(ROOT, name), join(dir, name));
  return dir;
}

/** Runs vitest on `tests` in `dir`; returns the names of the tests that failed (or the file, when it broke). */
function runTests(dir, tests, grep) {
  const report = join(dir, '.mutant-report.json');
  rmSync(report, { force: true });
  const args = [join(dir, 'node_modules/vitest/vitest.mjs'), 'run', ...tests, '--reporter=json', `--outputFile=${report}`];
  if (grep) args.push('-t', grep);
  const run = spawnSync(process.execPath, args, { cwd: dir, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  let parsed;
  try {
    parsed = JSON.parse(readFileSync(report, 'utf8'));
  } catch {
    return { status: run.status, failed: [`(no report: ${(run.stderr || run.stdout).trim().split('\n').slice(-3).join(' / ')})`] };
  }
  const failed = [];
  for (const file of parsed.testResults ?? []) {
    const names = (file.assertionResults ?? []).filter((t) => t.status === 'failed').map((t) => t.fullName ?? t.title);
    if (names.length === 0 && file.status === 'failed') names.push(`${file.name.replace(`${dir}/`, '')} (outside its tests)`);
    failed.push(...names);
  }
  const ran = (parsed.numPassedTests ?? 0) + (parsed.numFailedTests ?? 0);
  return { status: run.status, failed, ran };
}

const dir = scratchCopy();
const started = Date.now();
const results = [];
let baselineFailed = false;
try {
  if (!argv.includes('--no-baseline')) {
    // Unmutated, the same runs must pass, or a "caught" mutant means nothing.
    const runs = new Map(selected.map((m) => [`${m.tests.join(' ')}${m.grep ? ` -t "${m.grep}"` : ''}`, m]));
    for (const [label, m] of runs) {
      process.stdout.write(`baseline: ${label} … `);
      const base = runTests(dir, m.tests, m.grep);
      if (base.status !== 0 || !base.ran) {
        console.log(`FAILED\n  ${base.failed.join('\n  ')}`);
        baselineFailed = true;
        break;
      }
      console.log(`green (${base.ran} tests)`);
    }
  }
  for (const m of baselineFailed ? [] : selected) {
    const path = join(dir, m.file);
    const original = readFileSync(path, 'utf8');
    const count = original.split(m.from).length - 1;
    if (count !== 1) {
      results.push({ m, outcome: 'STALE', detail: `the text to replace occurs ${count} times in ${m.file}; update the table` });
      console.log(`${m.name}: STALE (${count} matches)`);
      continue;
    }
    writeFileSync(path, original.replace(m.from, m.to));
    const t0 = Date.now();
    const run = runTests(dir, m.tests, m.grep);
    writeFileSync(path, original);
    const caught = run.status !== 0 && run.failed.length > 0;
    results.push({ m, outcome: caught ? 'caught' : 'SURVIVED', detail: run.failed.join(' | ') });
    console.log(`${m.name}: ${caught ? 'caught' : 'SURVIVED'} in ${Math.round((Date.now() - t0) / 1000)} s${caught ? ` by ${run.failed[0]}${run.failed.length > 1 ? ` (+${run.failed.length - 1})` : ''}` : ''}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

if (baselineFailed) {
  console.log('protocol-mutants: the unmutated tests fail; fix them first');
  process.exit(1);
}
console.log(`\n| mutant | bug | outcome | failing test |\n| --- | --- | --- | --- |`);
for (const { m, outcome, detail } of results) console.log(`| ${m.name} | ${m.bug} | ${outcome} | ${detail.split(' | ')[0] ?? ''} |`);
const bad = results.filter((r) => r.outcome !== 'caught');
console.log(`\n${results.length - bad.length}/${results.length} caught in ${Math.round((Date.now() - started) / 1000)} s`);
process.exit(bad.length > 0 ? 1 : 0);
