/**
 * `npm run bench` (issue #6): one private redis-server, and on it, in one run, rqts beside Python RQ 2.12,
 * BullMQ and bare node-redis floors. Prints the tables and the targets, writes `bench/results.json`,
 * `docs/bench/results.md` and `docs/bench/chart.svg`.
 *
 *   BENCH_QUICK=1  small sizes, a smoke run (writes nothing)
 *   BENCH_ONLY=enqueue,latency,workers,memory  a subset (writes nothing)
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { cpus, loadavg, release, totalmem, type } from 'node:os';
import { fileURLToPath } from 'node:url';
import { startRedis } from '../test/helpers/redis-server.js';
import { rqVersion, runPython } from '../test/helpers/rq.js';
import { enqueueScenarios } from './enqueue.js';
import { latencyScenario } from './latency.js';
import { FULL, plainClient, QUICK, type Context } from './lib/context.js';
import { memoryScenario } from './memory.js';
import { evaluateTargets, renderChart, renderTables, type Machine, type Results } from './report.js';
import { workerScenarios } from './workers.js';

const started = performance.now();
const quick = process.env.BENCH_QUICK === '1';
const only = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',')) : null;
const wants = (name: string): boolean => !only || only.has(name);
const sizes = quick ? QUICK : FULL;
const log = (message: string): void => void process.stderr.write(`[bench] ${message}\n`);
const loadStart = loadavg()[0]!;

const redis = await startRedis();
const admin = plainClient(redis.url);
await admin.connect();
const ctx: Context = {
  redis,
  admin,
  rq: rqVersion('rq-2.12'),
  sizes,
  log,
  async flush() {
    await admin.flushAll();
  },
};

let results: Results;
try {
  log(`redis-server ${redis.url} (pid ${redis.pid}); ${quick ? 'QUICK sizes' : 'full sizes'}`);
  const machine = await machineInfo(ctx, loadStart);
  const enqueue = wants('enqueue') ? await enqueueScenarios(ctx) : undefined;
  const latency = wants('latency') ? await latencyScenario(ctx) : undefined;
  const workers = wants('workers') ? await workerScenarios(ctx) : undefined;
  const memory = wants('memory') ? await memoryScenario(ctx) : undefined;
  machine.loadAverage.end = loadavg()[0]!;
  const partial = { date: new Date().toISOString(), machine, sizes, wallSeconds: (performance.now() - started) / 1000, enqueue, latency, workers, memory };
  results = { ...partial, targets: evaluateTargets(partial) };
} finally {
  await admin.close();
  await redis.stop();
}

const tables = renderTables(results);
process.stdout.write(`\n${tables}\n\nwall time ${results.wallSeconds.toFixed(0)} s\n`);

if (!quick && !only) {
  const root = (path: string): string => fileURLToPath(new URL(`../${path}`, import.meta.url));
  mkdirSync(root('docs/bench'), { recursive: true });
  writeFileSync(root('bench/results.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(root('docs/bench/results.md'), `# rqts benchmark results\n\nWritten by \`npm run bench\`.\n\n${tables}\n`);
  writeFileSync(root('docs/bench/chart.svg'), renderChart(results));
  log('wrote bench/results.json, docs/bench/results.md, docs/bench/chart.svg');
}

async function machineInfo(c: Context, load: number): Promise<Machine> {
  const info = await c.admin.info('server');
  const version = (pkg: string): string => {
    try {
      return (JSON.parse(readFileSync(new URL(`../node_modules/${pkg}/package.json`, import.meta.url), 'utf8')) as { version: string }).version;
    } catch {
      return 'unknown';
    }
  };
  const py = await runPython(c.rq, 'import sys; print(sys.version.split()[0])');
  const cpu = cpus();
  const git = (...args: string[]): string => {
    try {
      return execFileSync('git', args, { cwd: fileURLToPath(new URL('..', import.meta.url)), encoding: 'utf8' }).trim();
    } catch {
      return '';
    }
  };
  const commit = git('rev-parse', '--short', 'HEAD') || 'unknown';
  return {
    rqtsCommit: git('status', '--porcelain', '--', 'src') ? `${commit}+dirty` : commit,
    cpu: cpu[0]?.model.trim() ?? 'unknown',
    cores: cpu.length,
    memoryGB: Math.round(totalmem() / 1024 ** 3),
    os: `${type()} ${release()}`,
    node: process.versions.node,
    redis: /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown',
    python: py.stdout.trim(),
    rq: c.rq.version,
    bullmq: version('bullmq'),
    ioredis: version('ioredis'),
    nodeRedis: version('redis'),
    loadAverage: { start: load, end: load },
  };
}
