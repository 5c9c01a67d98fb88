/**
 * What every scenario shares: the private Redis, an admin connection to it, the RQ install, the run's
 * sizes, and the round-robin runner that measures several systems side by side.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createClient } from 'redis';
import type { RedisServer } from '../../test/helpers/redis-server.js';
import { runPythonJson, type RqInstall } from '../../test/helpers/rq.js';
import { median } from './stats.js';

/** A bare node-redis client set up as rqts sets up its own from a URL (RESP2), errors surfaced on commands. */
export function plainClient(url: string) {
  const client = createClient({ url, RESP: 2 });
  client.on('error', () => {});
  return client;
}

export type PlainClient = ReturnType<typeof plainClient>;

/** Job counts and repeats; `BENCH_QUICK=1` shrinks everything for a smoke run. */
export interface Sizes {
  /** Measured runs per system (median reported); the cheap sequential and in-flight scenarios take more. */
  repeats: number;
  quickRepeats: number;
  sequential: number;
  concurrent: number;
  inFlight: number;
  bulk: number;
  batch: number;
  latencyJobs: number;
  latencySleep: number;
  workerJobs: { fork: number; simple: number; bullmq: number };
  memoryJobs: number;
}

export const FULL: Sizes = {
  repeats: 3,
  quickRepeats: 5,
  sequential: 10_000,
  concurrent: 50_000,
  inFlight: 100,
  bulk: 100_000,
  batch: 1_000,
  latencyJobs: 150,
  latencySleep: 0.02,
  workerJobs: { fork: 150, simple: 1_000, bullmq: 10_000 },
  memoryJobs: 1_000_000,
};

export const QUICK: Sizes = {
  repeats: 2,
  quickRepeats: 2,
  sequential: 1_000,
  concurrent: 5_000,
  inFlight: 100,
  bulk: 10_000,
  batch: 1_000,
  latencyJobs: 30,
  latencySleep: 0.02,
  workerJobs: { fork: 20, simple: 100, bullmq: 1_000 },
  memoryJobs: 50_000,
};

export interface Context {
  redis: RedisServer;
  admin: PlainClient;
  rq: RqInstall;
  sizes: Sizes;
  /** Empty Redis (FLUSHALL) before every measured run, so each starts from the same state. */
  flush(): Promise<void>;
  log(message: string): void;
}

/** One measured run of one system. */
export interface Run {
  jobs: number;
  seconds: number;
  rate: number;
  /** This process's CPU time (user + system) per job, µs: what the client spends, whatever the load. */
  cpuMicrosPerJob?: number;
  /** Redis's own time per job, µs: the `usec` of the commands named in {@link costed} (INFO commandstats). */
  redisMicrosPerJob?: number;
}

export function runOf(jobs: number, seconds: number): Run {
  return { jobs, seconds, rate: jobs / seconds };
}

/** Time `fn` with performance.now(); it runs `jobs` jobs. */
export async function timed(jobs: number, fn: () => Promise<void>): Promise<Run> {
  const start = performance.now();
  await fn();
  return runOf(jobs, (performance.now() - start) / 1000);
}

/** Sum of `usec` over the named commands in `INFO commandstats` (e.g. `evalsha`, `hset`). */
export async function commandUsec(admin: PlainClient, commands: readonly string[]): Promise<number> {
  const info = await admin.info('commandstats');
  let usec = 0;
  for (const name of commands) {
    const m = new RegExp(`^cmdstat_${name}:calls=\\d+,usec=(\\d+)`, 'm').exec(info);
    if (m) usec += Number(m[1]);
  }
  return usec;
}

/**
 * {@link timed}, also measuring this process's CPU per job and Redis's time per job in `commands` (a
 * script's usec includes the commands it runs, so name only the top-level ones).
 */
export async function costed(ctx: Context, jobs: number, commands: readonly string[], fn: () => Promise<void>): Promise<Run> {
  const usec0 = await commandUsec(ctx.admin, commands);
  const cpu0 = process.cpuUsage();
  const run = await timed(jobs, fn);
  const cpu = process.cpuUsage(cpu0);
  const usec = (await commandUsec(ctx.admin, commands)) - usec0;
  return { ...run, cpuMicrosPerJob: (cpu.user + cpu.system) / jobs, redisMicrosPerJob: usec / jobs };
}

/** A system in a throughput comparison. */
export interface Contender {
  key: string;
  label: string;
  /** Run `jobs` jobs on an empty Redis and say how long they took. */
  run(jobs: number): Promise<Run>;
  /** A smaller first run that is not counted (JIT, connections, script cache). Python warms up by itself. */
  warmUp?: number;
}

export interface Measured {
  label: string;
  runs: Run[];
  /** Median jobs/s over the repeats. */
  rate: number;
  /** Medians of the runs' per-job costs, when measured ({@link costed}). */
  cpuMicrosPerJob?: number;
  redisMicrosPerJob?: number;
}

/**
 * Measure every contender `repeats` times, round-robin (the order rotates each round), on a flushed Redis
 * each time: drift and neighbours' load land on every system alike.
 */
export async function compare(
  ctx: Context,
  name: string,
  contenders: Contender[],
  jobs: number,
  repeats = ctx.sizes.repeats,
): Promise<Record<string, Measured>> {
  for (const c of contenders) {
    if (!c.warmUp) continue;
    await ctx.flush();
    await c.run(c.warmUp);
  }
  const runs = new Map<string, Run[]>(contenders.map((c) => [c.key, []]));
  for (let round = 0; round < repeats; round++) {
    const order = contenders.map((_, i) => contenders[(i + round) % contenders.length]!);
    for (const c of order) {
      await ctx.flush();
      globalThis.gc?.();
      const run = await c.run(jobs);
      runs.get(c.key)!.push(run);
      ctx.log(`${name}: ${c.label} round ${round + 1}/${repeats}: ${Math.round(run.rate).toLocaleString('en-US')} jobs/s`);
    }
  }
  const out: Record<string, Measured> = {};
  for (const c of contenders) {
    const r = runs.get(c.key)!;
    const cost = (pick: (x: Run) => number | undefined): number | undefined =>
      r.every((x) => pick(x) !== undefined) ? median(r.map((x) => pick(x)!)) : undefined;
    out[c.key] = { label: c.label, runs: r, rate: median(r.map((x) => x.rate)), cpuMicrosPerJob: cost((x) => x.cpuMicrosPerJob), redisMicrosPerJob: cost((x) => x.redisMicrosPerJob) };
  }
  return out;
}

const PYTHON_BENCH = fileURLToPath(new URL('../python/rq_bench.py', import.meta.url));

/** Run `bench/python/rq_bench.py` with RQ's interpreter; `params` arrive as JSON in BENCH_ARGS. */
export function runRqBench<T>(ctx: Context, params: Record<string, unknown>, timeoutMs = 300_000): Promise<T> {
  return runPythonJson<T>(ctx.rq, readFileSync(PYTHON_BENCH, 'utf8'), {
    url: ctx.redis.url,
    env: { BENCH_ARGS: JSON.stringify(params) },
    timeoutMs,
  });
}

/** The job every enqueue benchmark writes: `mylib.add(i, 2)`, a different payload each time. */
export const ADD = 'mylib.add';
