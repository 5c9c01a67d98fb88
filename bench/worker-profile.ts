/**
 * Where the Node worker's time goes, beside BullMQ's Worker on the same private Redis (a short run; ratios
 * only, the machine is shared): no-op jobs at concurrency 1 and 50, round-robin; per rqts run the Redis
 * calls per job and each script's Redis-side cost (INFO commandstats), and the idle enqueue → result p50.
 *
 *   node --import tsx bench/worker-profile.ts [jobs] [--cpu-prof rqts1|rqts50]
 *
 * With --cpu-prof the chosen rqts run is profiled with the V8 sampling profiler and its heaviest functions
 * by self time are printed; the raw profile goes to .tmp/worker-<key>.cpuprofile.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session, type Profiler } from 'node:inspector';
import { fileURLToPath } from 'node:url';
import { Queue as BullQueue, Worker as BullWorker } from 'bullmq';
import { Connection, Queue, Worker } from './lib/rqts.js';
import { startRedis } from '../test/helpers/redis-server.js';
import { batches } from './enqueue.js';
import { bullIdleLatency, rqtsIdleLatency } from './lib/idle.js';
import { commandStats, redisCpuMicros } from './lib/redis-info.js';

const jobs = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 3000);
const profiled = process.argv.includes('--cpu-prof') ? process.argv[process.argv.indexOf('--cpu-prof') + 1] : undefined;
const NOOP = 'mylib.noop';
const quiet = { info() {}, warn() {}, error() {} };
const handlers = { [NOOP]: () => null };

const redis = await startRedis();
const connection = await Connection.from(redis.url).open();
const bullConnection = { host: '127.0.0.1', port: redis.port };
// Connected only to profile: a connected inspector session slows every process it is in (BullMQ's Worker ran
// at about half its `npm run bench` rate at concurrency 50 with one attached).
const session = new Session();
if (profiled) session.connect();
const post = <T>(method: string, params?: object): Promise<T> =>
  new Promise((resolve, reject) => session.post(method, params, (err, res) => (err ? reject(err) : resolve(res as T))));

const send = (args: string[]): Promise<unknown> => connection.command(args);
const redisCpu = (): Promise<number> => redisCpuMicros(send);

/** CPU per job, of this process and of Redis, over `fn` (less sensitive to a shared machine than rates). */
async function cpuPerJob<T>(fn: () => Promise<T>): Promise<{ value: T; text: string }> {
  const redis0 = await redisCpu();
  const client0 = process.cpuUsage();
  const value = await fn();
  const client = process.cpuUsage(client0);
  const redisUs = (await redisCpu()) - redis0;
  return { value, text: `CPU/job: client ${((client.user + client.system) / jobs).toFixed(1)} µs, Redis ${(redisUs / jobs).toFixed(1)} µs` };
}

async function rqtsRun(key: string, concurrency: number): Promise<number> {
  await connection.command(['FLUSHALL']);
  const queue = new Queue(`wp-${key}`, { connection });
  await batches(jobs, 1000, (_, count) => queue.enqueueMany(Array.from({ length: count }, () => Queue.prepareData(NOOP))));
  await connection.command(['CONFIG', 'RESETSTAT']);
  const own = await Connection.from(redis.url).open();
  if (profiled === key) await post('Profiler.enable').then(() => post('Profiler.setSamplingInterval', { interval: 100 })).then(() => post('Profiler.start'));
  const t0 = performance.now();
  const cpu = await cpuPerJob(() => new Worker({ connection: own, queues: [queue.name], burst: true, concurrency, logger: quiet, handleSignals: false, handlers }).work());
  const seconds = (performance.now() - t0) / 1000;
  if (profiled === key) report(key, (await post<{ profile: Profiler.Profile }>('Profiler.stop')).profile);
  await own.close();
  const stats = await commandStats(send);
  const finished = await queue.finishedJobRegistry.count;
  if (finished !== jobs) throw new Error(`${key}: ${finished}/${jobs} finished`);
  const calls = Object.entries(stats).filter(([c]) => !['info', 'config|resetstat', 'config'].includes(c));
  const perJob = calls.reduce((n, [, s]) => n + s.calls, 0) / jobs;
  const redisUs = calls.reduce((n, [, s]) => n + s.usec, 0) / jobs;
  console.log(`${key}: ${Math.round(jobs / seconds)} jobs/s; ${cpu.text}; ${perJob.toFixed(2)} Redis calls/job, ${redisUs.toFixed(1)} µs Redis time/job: ${calls.map(([c, s]) => `${c} ${(s.calls / jobs).toFixed(2)}×${(s.usec / s.calls).toFixed(1)}µs`).join(', ')}`);
  return jobs / seconds;
}

async function bullRun(concurrency: number): Promise<number> {
  await connection.command(['FLUSHALL']);
  const name = `wp-bull${concurrency}`;
  const queue = new BullQueue(name, { connection: bullConnection });
  await batches(jobs, 1000, (first, count) => queue.addBulk(Array.from({ length: count }, (_, k) => ({ name: NOOP, data: { i: first + k } }))));
  await connection.command(['CONFIG', 'RESETSTAT']);
  const t0 = performance.now();
  let worker: BullWorker | undefined;
  const cpu = await cpuPerJob(() => new Promise<void>((resolve, reject) => {
    let done = 0;
    worker = new BullWorker(name, async () => null, { connection: bullConnection, concurrency });
    worker.on('completed', () => { if (++done === jobs) resolve(); });
    worker.on('failed', (_j, e) => reject(e));
  }));
  const seconds = (performance.now() - t0) / 1000;
  await worker?.close();
  await queue.close();
  const stats = await commandStats(send);
  const calls = Object.entries(stats).filter(([c]) => !['info', 'config|resetstat', 'config'].includes(c));
  console.log(`bull${concurrency}: ${Math.round(jobs / seconds)} jobs/s; ${cpu.text}; ${(calls.reduce((n, [, s]) => n + s.calls, 0) / jobs).toFixed(2)} Redis calls/job, ${(calls.reduce((n, [, s]) => n + s.usec, 0) / jobs).toFixed(1)} µs Redis time/job`);
  return jobs / seconds;
}

function report(key: string, profile: Profiler.Profile): void {
  const dir = fileURLToPath(new URL('../.tmp/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}worker-${key}.cpuprofile`, JSON.stringify(profile));
  const self = new Map<string, number>();
  const dt = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) dt.set(samples[i]!, (dt.get(samples[i]!) ?? 0) + (deltas[i] ?? 0));
  let total = 0;
  for (const node of profile.nodes) {
    const t = dt.get(node.id) ?? 0;
    total += t;
    const f = node.callFrame;
    const name = `${f.functionName || '(anon)'} ${f.url.split('/').slice(-2).join('/')}:${f.lineNumber + 1}`;
    self.set(name, (self.get(name) ?? 0) + t);
  }
  console.log(`${key}: CPU profile, top self time (of ${(total / 1000).toFixed(0)} ms):`);
  for (const [name, t] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`  ${((100 * t) / total).toFixed(1).padStart(5)}%  ${name}`);
}

async function idle(): Promise<void> {
  const n = 150;
  console.log(`idle rqts p50 ${(await rqtsIdleLatency(connection, 'wp-idle', NOOP, handlers, n)).p50.toFixed(2)} ms`);
  console.log(`idle BullMQ p50 ${(await bullIdleLatency(bullConnection, 'wp-idle-bull', NOOP, n)).p50.toFixed(2)} ms`);
}

try {
  if (process.argv.includes('--only-profile')) { await rqtsRun('warm', 1); await rqtsRun(profiled!, profiled === 'rqts50' ? 50 : 1); process.exit(0); }
  await rqtsRun('warm', 1);
  const rates: Record<string, number[]> = { bull1: [], rqts1: [], bull50: [], rqts50: [] };
  for (let round = 0; round < 2; round++) {
    rates.bull1!.push(await bullRun(1));
    rates.rqts1!.push(await rqtsRun('rqts1', 1));
    rates.bull50!.push(await bullRun(50));
    rates.rqts50!.push(await rqtsRun('rqts50', 50));
  }
  const best = (k: string): number => Math.max(...rates[k]!);
  console.log(`ratio c1 ${(best('rqts1') / best('bull1')).toFixed(2)}×, c50 ${(best('rqts50') / best('bull50')).toFixed(2)}× (best of 2)`);
  if (!process.argv.includes('--no-idle')) await idle();
} finally {
  await connection.close();
  await redis.stop();
}
