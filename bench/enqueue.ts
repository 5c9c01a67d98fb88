/**
 * Scenarios 1–3: enqueue throughput. rqts beside Python RQ 2.12 (its own `Queue.enqueue`/`enqueue_many`,
 * timed in Python), BullMQ (its own ioredis connection) and the floor: bare node-redis HSETs of exactly the
 * fields an rqts job has, one per job. Plus `redis-benchmark -P 64` SET as the machine's ceiling.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Queue as BullQueue } from 'bullmq';
import { RESP_TYPES } from 'redis';
import { Connection, Queue } from './lib/rqts.js';
import { ADD, compare, costed, plainClient, runOf, runRqBench, type Context, type Contender, type Measured } from './lib/context.js';
import { median } from './lib/stats.js';

export interface EnqueueResults {
  sequential: Record<string, Measured>;
  concurrent: Record<string, Measured>;
  bulk: Record<string, Measured>;
  /** `redis-benchmark -t set -P 64` requests/s, median of the runs. */
  ceiling: { rate: number; runs: number[]; command: string };
  /** What the floor writes per job: the fields of a real rqts job. */
  floorJob: { fields: number; bytes: number };
}

/** Redis time is read from these commands' usec: a script's includes the commands it runs. */
const SCRIPT_COMMANDS = ['evalsha', 'eval'] as const;
const FLOOR_COMMANDS = ['hset'] as const;

/** Runs `fn(i)` for i in [0, total) with `concurrency` calls in flight at all times. */
export async function inFlight(total: number, concurrency: number, fn: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < total) await fn(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, lane));
}

/** Runs `fn(first, count)` for consecutive batches, one after another. */
export async function batches(total: number, size: number, fn: (first: number, count: number) => Promise<unknown>): Promise<void> {
  for (let first = 0; first < total; first += size) await fn(first, Math.min(size, total - first));
}

export async function enqueueScenarios(ctx: Context): Promise<EnqueueResults> {
  const { sizes, redis } = ctx;
  const url = redis.url;

  // rqts, on the connection it makes itself from a URL (node-redis, RESP2).
  const connection = await Connection.from(url).open();
  const rqts = (name: string): Queue => new Queue(name, { connection });

  // The floor: a bare node-redis client set up as rqts sets up its own (RESP2), writing the fields of a
  // real rqts job (read back byte-exact) under a fresh key per job.
  const floor = plainClient(url);
  await floor.connect();
  await ctx.flush();
  const sample = await rqts('bench-sample').enqueue(ADD, 12345, 2);
  const fields = await floor.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer }).hGetAll(`rq:job:${sample.id}`);
  const floorJob = { fields: Object.keys(fields).length, bytes: Object.entries(fields).reduce((n, [k, v]) => n + k.length + v.length, 0) };
  const floorKey = (i: number): string => `bench:floor:${i}`;

  // BullMQ with the ioredis connection it opens for itself.
  const bullConnection = { host: '127.0.0.1', port: redis.port };
  const bullQueues: BullQueue[] = [];
  const bull = (name: string): BullQueue => {
    const q = new BullQueue(name, { connection: bullConnection });
    bullQueues.push(q);
    return q;
  };

  try {
    // ---- 1. sequential: one awaited enqueue after another --------------------------------------------
    const seqRqts = rqts('bench-seq-rqts');
    const seqBull = bull('bench-seq-bullmq');
    await seqBull.waitUntilReady();
    const sequential = await compare(ctx, 'sequential', [
      {
        key: 'floor', label: 'node-redis HSET (floor)', warmUp: 1000,
        run: (jobs) => costed(ctx, jobs, FLOOR_COMMANDS, async () => { for (let i = 0; i < jobs; i++) await floor.hSet(floorKey(i), fields); }),
      },
      {
        key: 'rqts', label: 'rqts queue.enqueue', warmUp: 1000,
        run: (jobs) => costed(ctx, jobs, SCRIPT_COMMANDS, async () => { for (let i = 0; i < jobs; i++) await seqRqts.enqueue(ADD, i, 2); }),
      },
      {
        key: 'bullmq', label: 'BullMQ queue.add', warmUp: 1000,
        run: (jobs) => costed(ctx, jobs, SCRIPT_COMMANDS, async () => { for (let i = 0; i < jobs; i++) await seqBull.add(ADD, { args: [i, 2] }); }),
      },
      {
        key: 'rq', label: 'RQ 2.12 queue.enqueue (Python)',
        run: async (jobs) => runOf(jobs, (await runRqBench<{ seconds: number }>(ctx, { mode: 'sequential', queue: 'bench-seq-rq', jobs })).seconds),
      },
    ] satisfies Contender[], sizes.sequential, sizes.quickRepeats);

    // ---- 2. concurrent: 100 enqueues in flight ---------------------------------------------------------
    const conRqts = rqts('bench-con-rqts');
    const conBull = bull('bench-con-bullmq');
    await conBull.waitUntilReady();
    const n = sizes.inFlight;
    const concurrent = await compare(ctx, 'concurrent', [
      {
        key: 'floor', label: `node-redis HSET, ${n} in flight (floor)`, warmUp: 5000,
        run: (jobs) => costed(ctx, jobs, FLOOR_COMMANDS, () => inFlight(jobs, n, (i) => floor.hSet(floorKey(i), fields))),
      },
      {
        key: 'rqts', label: `rqts queue.enqueue, ${n} in flight`, warmUp: 5000,
        run: (jobs) => costed(ctx, jobs, SCRIPT_COMMANDS, () => inFlight(jobs, n, (i) => conRqts.enqueue(ADD, i, 2))),
      },
      {
        key: 'bullmq', label: `BullMQ queue.add, ${n} in flight`, warmUp: 5000,
        run: (jobs) => costed(ctx, jobs, SCRIPT_COMMANDS, () => inFlight(jobs, n, (i) => conBull.add(ADD, { args: [i, 2] }))),
      },
    ] satisfies Contender[], sizes.concurrent, sizes.quickRepeats);

    // ---- 3. bulk: batches of 1,000 ------------------------------------------------------------------
    const bulkRqts = rqts('bench-bulk-rqts');
    const bulkBull = bull('bench-bulk-bullmq');
    await bulkBull.waitUntilReady();
    const b = sizes.batch;
    const bulk = await compare(ctx, 'bulk', [
      {
        key: 'floor', label: `node-redis pipeline of ${b} HSETs (floor)`, warmUp: 10_000,
        run: (jobs) => costed(ctx, jobs, FLOOR_COMMANDS, () => batches(jobs, b, (first, count) => {
          const pipeline = floor.multi();
          for (let i = first; i < first + count; i++) pipeline.hSet(floorKey(i), fields);
          return pipeline.execAsPipeline();
        })),
      },
      {
        key: 'rqts', label: `rqts enqueueMany(${b})`, warmUp: 10_000,
        run: (jobs) => costed(ctx, jobs, SCRIPT_COMMANDS, () => batches(jobs, b, (first, count) =>
          bulkRqts.enqueueMany(Array.from({ length: count }, (_, k) => Queue.prepareData(ADD, [first + k, 2]))))),
      },
      {
        key: 'bullmq', label: `BullMQ addBulk(${b})`, warmUp: 10_000,
        run: (jobs) => costed(ctx, jobs, SCRIPT_COMMANDS, () => batches(jobs, b, (first, count) =>
          bulkBull.addBulk(Array.from({ length: count }, (_, k) => ({ name: ADD, data: { args: [first + k, 2] } }))))),
      },
      {
        key: 'rq', label: `RQ 2.12 enqueue_many(${b}) (Python)`,
        run: async (jobs) => runOf(jobs, (await runRqBench<{ seconds: number }>(ctx, { mode: 'bulk', queue: 'bench-bulk-rq', jobs, batch: b })).seconds),
      },
    ] satisfies Contender[], sizes.bulk);

    const ceiling = await redisBenchmark(ctx);
    return { sequential, concurrent, bulk, ceiling, floorJob };
  } finally {
    await Promise.all(bullQueues.map((q) => q.close()));
    await floor.close();
    await connection.close();
  }
}

/** `redis-benchmark -t set -P 64`: what this Redis on this machine does at best, for scale. */
async function redisBenchmark(ctx: Context): Promise<EnqueueResults['ceiling']> {
  const requests = ctx.sizes.bulk * 10;
  const args = ['-h', '127.0.0.1', '-p', String(ctx.redis.port), '-t', 'set', '-n', String(requests), '-P', '64', '-q', '--csv'];
  const runs: number[] = [];
  for (let round = 0; round < ctx.sizes.repeats; round++) {
    await ctx.flush();
    const { stdout } = await promisify(execFile)('redis-benchmark', args, { timeout: 120_000 });
    // "test","rps",... then "SET","1234567.00",...
    const row = stdout.split('\n').find((line) => line.startsWith('"SET"'));
    const rate = Number(row?.split(',')[1]?.replace(/"/g, ''));
    if (!Number.isFinite(rate)) throw new Error(`cannot read redis-benchmark output:\n${stdout}`);
    runs.push(rate);
    ctx.log(`ceiling: redis-benchmark SET -P 64 round ${round + 1}/${ctx.sizes.repeats}: ${Math.round(rate).toLocaleString('en-US')} req/s`);
  }
  return { rate: median(runs), runs, command: `redis-benchmark ${args.slice(4).join(' ')}` };
}
