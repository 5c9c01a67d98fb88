/**
 * Where the Node worker's time goes, beside BullMQ's Worker on the same private Redis (a short run; ratios
 * only, the machine is shared): no-op jobs at concurrency 1 and 50, round-robin; per run the Redis calls
 * per job and each command's Redis-side cost (INFO commandstats), and the idle enqueue → result p50.
 *
 *   node --import tsx bench/worker-profile.ts [jobs] [--no-idle] [--segments] [--calls] [--cpu-prof rqts1|rqts50]
 *
 * With --segments each worker's busiest socket is timed at concurrency 1, where a job is one call and one
 * reply: write → data (the kernel's loopback and Redis) against data → write (the client: the reply
 * decoded, the job run, the next call encoded). With --calls each rqts run at concurrency > 1 also prints
 * how many finishes its finish calls carried, and for how much of the run none, one or two were in flight.
 *
 * With --cpu-prof the chosen rqts run is profiled with the V8 sampling profiler and its heaviest functions
 * by self time are printed; the raw profile goes to .tmp/worker-<key>.cpuprofile.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session, type Profiler } from 'node:inspector';
import net from 'node:net';
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

/**
 * Times every socket write and 'data' event while `fn` runs (with --segments, at concurrency 1), then splits the busiest
 * socket's time: write → the next data (Redis side) and data → the next write (client side), per call.
 */
async function segments<T>(concurrency: number, fn: () => Promise<T>): Promise<{ value: T; text: string }> {
  if (concurrency !== 1 || !process.argv.includes('--segments')) return { value: await fn(), text: '' };
  const log = new Map<net.Socket, { writes: number[]; datas: number[] }>();
  const entry = (socket: net.Socket): { writes: number[]; datas: number[] } => {
    let e = log.get(socket);
    if (!e) log.set(socket, (e = { writes: [], datas: [] }));
    return e;
  };
  const proto = net.Socket.prototype as unknown as Record<'write' | 'emit', (...args: unknown[]) => unknown>;
  const { write, emit } = proto;
  proto.write = function (this: net.Socket, ...args: unknown[]) {
    entry(this).writes.push(performance.now());
    return write.apply(this, args);
  };
  proto.emit = function (this: net.Socket, ...args: unknown[]) {
    if (args[0] === 'data') entry(this).datas.push(performance.now());
    return emit.apply(this, args);
  };
  let value: T;
  try {
    value = await fn();
  } finally {
    proto.write = write;
    proto.emit = emit;
  }
  const busiest = [...log.values()].sort((a, b) => b.writes.length - a.writes.length)[0]!;
  const after = (from: number[], to: number[]): number => {
    let sum = 0;
    let n = 0;
    let j = 0;
    for (const t of from) {
      while (j < to.length && to[j]! < t) j++;
      if (j === to.length) break;
      sum += to[j]! - t;
      n++;
    }
    return (1000 * sum) / n;
  };
  const text = `; busiest socket ${busiest.writes.length} writes: write → data ${after(busiest.writes, busiest.datas).toFixed(1)} µs, data → write ${after(busiest.datas, busiest.writes).toFixed(1)} µs`;
  return { value, text };
}

/**
 * With --calls, counts the finishes each finish call of `connection` carries (a no-op job's finish has one
 * 'success' argument) and times the calls in flight; `report()` prints both once the run is over.
 */
function finishCalls(connection: Connection): { report(): string } {
  if (!process.argv.includes('--calls')) return { report: () => '' };
  const calls: { sent: number; answered: number; finishes: number }[] = [];
  const script = connection.script.bind(connection);
  connection.script = (lua, keys, args, options) => {
    const reply = script(lua, keys, args, options);
    if (lua.name !== 'finishJobs') return reply;
    const call = { sent: performance.now(), answered: Number.NaN, finishes: args.filter((a) => a === 'success').length };
    calls.push(call);
    void reply.then(() => (call.answered = performance.now()), () => undefined);
    return reply;
  };
  return {
    report() {
      const sizes = new Map<number, number>();
      for (const c of calls) sizes.set(c.finishes, (sizes.get(c.finishes) ?? 0) + 1);
      const events = calls.flatMap((c): [number, number][] => [[c.sent, 1], [c.answered, -1]]).sort((a, b) => a[0] - b[0]);
      const time = [0, 0, 0];
      let inFlight = 0;
      for (let i = 0; i + 1 < events.length; i++) {
        inFlight += events[i]![1];
        time[Math.min(inFlight, 2)]! += events[i + 1]![0] - events[i]![0];
      }
      const total = time.reduce((a, b) => a + b, 0);
      const common = [...sizes].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([size, n]) => `${n}×${size}`).join(', ');
      return `; ${calls.length} finish calls (${common}…), 0/1/2 in flight ${time.map((t) => `${Math.round((100 * t) / total)}%`).join('/')}`;
    },
  };
}

async function rqtsRun(key: string, concurrency: number): Promise<number> {
  await connection.command(['FLUSHALL']);
  const queue = new Queue(`wp-${key}`, { connection });
  await batches(jobs, 1000, (_, count) => queue.enqueueMany(Array.from({ length: count }, () => Queue.prepareData(NOOP))));
  await connection.command(['CONFIG', 'RESETSTAT']);
  const own = await Connection.from(redis.url).open();
  const traced = finishCalls(own);
  if (profiled === key) await post('Profiler.enable').then(() => post('Profiler.setSamplingInterval', { interval: 100 })).then(() => post('Profiler.start'));
  const t0 = performance.now();
  const timed = (): Promise<void> => new Worker({ connection: own, queues: [queue.name], burst: true, concurrency, logger: quiet, handleSignals: false, handlers }).work();
  const seg = await segments(concurrency, () => cpuPerJob(timed));
  const cpu = seg.value;
  const seconds = (performance.now() - t0) / 1000;
  if (profiled === key) report(key, (await post<{ profile: Profiler.Profile }>('Profiler.stop')).profile);
  await own.close();
  const stats = await commandStats(send);
  const finished = await queue.finishedJobRegistry.count;
  if (finished !== jobs) throw new Error(`${key}: ${finished}/${jobs} finished`);
  const calls = Object.entries(stats).filter(([c]) => !['info', 'config|resetstat', 'config'].includes(c));
  console.log(`${key}: ${Math.round(jobs / seconds)} jobs/s; ${cpu.text}; ${breakdown(calls)}${seg.text}${traced.report()}`);
  return jobs / seconds;
}

/** Redis calls and Redis time per job, and per command (those below 0.01 a job left out). */
function breakdown(calls: [string, { calls: number; usec: number }][]): string {
  const perJob = calls.reduce((n, [, s]) => n + s.calls, 0) / jobs;
  const redisUs = calls.reduce((n, [, s]) => n + s.usec, 0) / jobs;
  const each = calls.filter(([, s]) => s.calls / jobs >= 0.01).sort((a, b) => b[1].usec - a[1].usec);
  return `${perJob.toFixed(2)} Redis calls/job, ${redisUs.toFixed(1)} µs Redis time/job: ${each.map(([c, s]) => `${c} ${(s.calls / jobs).toFixed(2)}×${(s.usec / s.calls).toFixed(1)}µs`).join(', ')}`;
}

async function bullRun(concurrency: number): Promise<number> {
  await connection.command(['FLUSHALL']);
  const name = `wp-bull${concurrency}`;
  const queue = new BullQueue(name, { connection: bullConnection });
  await batches(jobs, 1000, (first, count) => queue.addBulk(Array.from({ length: count }, (_, k) => ({ name: NOOP, data: { i: first + k } }))));
  await connection.command(['CONFIG', 'RESETSTAT']);
  const t0 = performance.now();
  let worker: BullWorker | undefined;
  const seg = await segments(concurrency, () => cpuPerJob(() => new Promise<void>((resolve, reject) => {
    let done = 0;
    worker = new BullWorker(name, async () => null, { connection: bullConnection, concurrency });
    worker.on('completed', () => { if (++done === jobs) resolve(); });
    worker.on('failed', (_j, e) => reject(e));
  })));
  const cpu = seg.value;
  const seconds = (performance.now() - t0) / 1000;
  await worker?.close();
  await queue.close();
  const stats = await commandStats(send);
  const calls = Object.entries(stats).filter(([c]) => !['info', 'config|resetstat', 'config'].includes(c));
  console.log(`bull${concurrency}: ${Math.round(jobs / seconds)} jobs/s; ${cpu.text}; ${breakdown(calls)}${seg.text}`);
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
