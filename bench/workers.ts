/**
 * Scenario 5: end-to-end worker throughput of no-op jobs. rqts enqueues `mylib.noop` jobs (not timed), then
 * a real `rq worker --burst` runs them, timed from process start to exit: the default forking Worker and
 * SimpleWorker. Beside them BullMQ's Worker with a no-op processor at concurrency 1 and 50, timed from
 * `new Worker` to the last `completed` — the baseline a Node worker for RQ queues has to beat.
 *
 * The rqts Node worker runs the same jobs at concurrency 1 and 50 (the no-op as a `handlers` function), and
 * with `isolation: 'process'` (a pooled child process per slot, the task imported there by module path),
 * timed from `new Worker` to the burst worker's exit.
 *
 * An RQ worker's start-up (imports, registration) is measured on an empty queue and reported apart, with
 * the rate net of it.
 */
import { fileURLToPath } from 'node:url';
import { Queue as BullQueue, Worker as BullWorker } from 'bullmq';
import { Connection, NOOP_TASK_MODULE, Queue, Worker } from './lib/rqts.js';
import { runWorker } from '../test/helpers/rq.js';
import { compare, runOf, timed, type Context, type Contender, type Measured } from './lib/context.js';
import { batches } from './enqueue.js';
import { bullIdleLatency, rqtsIdleLatency } from './lib/idle.js';
import { median, type LatencySummary } from './lib/stats.js';

export interface WorkerMeasured extends Measured {
  jobs: number;
  /** RQ only: median start→exit of a burst worker on an empty queue, seconds. */
  startupSeconds?: number;
  /** RQ only: jobs / (seconds − start-up). */
  netRate?: number;
  /** rqts and BullMQ at concurrency 1: enqueue → result with the worker idle and waiting, one job at a time (ms). */
  idleLatency?: LatencySummary;
}

/** Jobs timed one at a time for the idle-worker latency. */
const LATENCY_JOBS = 300;

const NOOP = 'mylib.noop';
const SIMPLE = ['--worker-class', 'rq.worker.SimpleWorker'];

export async function workerScenarios(ctx: Context): Promise<Record<string, WorkerMeasured>> {
  const connection = await Connection.from(ctx.redis.url).open();
  const bullConnection = { host: '127.0.0.1', port: ctx.redis.port };
  try {
    const rqWorker = (key: string, label: string, extraArgs: string[]): Contender => ({
      key,
      label,
      async run(jobs) {
        const queue = new Queue(`bench-work-${key}`, { connection });
        await batches(jobs, 1000, (_, count) => queue.enqueueMany(Array.from({ length: count }, () => Queue.prepareData(NOOP))));
        const start = performance.now();
        const result = await runWorker({ rq: ctx.rq, url: ctx.redis.url, queues: [queue.name], extraArgs: [...extraArgs, '-q'], timeoutMs: 300_000 });
        const run = runOf(jobs, (performance.now() - start) / 1000);
        const finished = await queue.finishedJobRegistry.count;
        if (result.exitCode !== 0 || finished !== jobs) {
          throw new Error(`rq worker (${label}) exited ${result.exitCode} with ${finished}/${jobs} jobs finished:\n${result.log}`);
        }
        return run;
      },
    });

    /** BullMQ's Worker; with `sandboxed`, its processor file runs in BullMQ's pooled child process. */
    const bullWorker = (concurrency: number, sandboxed = false): Contender => ({
      key: sandboxed ? 'bullmq-sandboxed' : `bullmq${concurrency}`,
      label: sandboxed ? 'BullMQ Worker, sandboxed processor' : `BullMQ Worker, concurrency ${concurrency}`,
      warmUp: sandboxed ? 100 : 1000,
      async run(jobs) {
        const name = `bench-work-bullmq${sandboxed ? 'sandboxed' : concurrency}`;
        const queue = new BullQueue(name, { connection: bullConnection });
        try {
          await batches(jobs, 1000, (first, count) =>
            queue.addBulk(Array.from({ length: count }, (_, k) => ({ name: NOOP, data: { i: first + k } }))));
          let worker: BullWorker | undefined;
          const run = await timed(jobs, () => new Promise<void>((resolve, reject) => {
            let done = 0;
            const processor = sandboxed ? fileURLToPath(new URL('./lib/bull-noop-processor.mjs', import.meta.url)) : async () => null;
            worker = new BullWorker(name, processor, { connection: bullConnection, concurrency });
            worker.on('completed', () => { if (++done === jobs) resolve(); });
            worker.on('failed', (_job, error) => reject(error));
          }));
          await worker?.close();
          return run;
        } finally {
          await queue.close();
        }
      },
    });

    const quiet = { info() {}, warn() {}, error() {} };
    const nodeWorker = (key: string, label: string, options: Partial<ConstructorParameters<typeof Worker>[0]>): Contender => ({
      key,
      label,
      warmUp: 1000,
      async run(jobs) {
        const queue = new Queue(`bench-work-${key}`, { connection });
        await batches(jobs, 1000, (_, count) => queue.enqueueMany(Array.from({ length: count }, () => Queue.prepareData(NOOP))));
        const run = await timed(jobs, async () => {
          const worker = new Worker({ connection, queues: [queue.name], burst: true, logger: quiet, handleSignals: false, ...options });
          await worker.work();
        });
        const finished = await queue.finishedJobRegistry.count;
        if (finished !== jobs) throw new Error(`rqts Worker (${label}) finished ${finished}/${jobs} jobs`);
        return run;
      },
    });
    const handlers = { [NOOP]: () => null };

    const { fork, simple, bullmq } = ctx.sizes.workerJobs;
    const results: Record<string, WorkerMeasured> = {};
    const measure = async (contenders: Contender[], jobs: number): Promise<void> => {
      const measured = await compare(ctx, 'workers', contenders, jobs);
      for (const [key, m] of Object.entries(measured)) results[key] = { ...m, jobs };
    };
    await measure([rqWorker('rq-fork', 'rq worker (Worker: fork per job)', [])], fork);
    await measure([rqWorker('rq-simple', 'rq worker (SimpleWorker)', SIMPLE)], simple);
    await measure([
      bullWorker(1),
      nodeWorker('rqts1', 'rqts Worker, concurrency 1', { handlers }),
      bullWorker(50),
      nodeWorker('rqts50', 'rqts Worker, concurrency 50', { handlers, concurrency: 50 }),
    ], bullmq);
    // A function that must be halted for real: a child process per slot (rq worker's fork is above).
    await measure([
      bullWorker(1, true),
      nodeWorker('rqts-process', "rqts Worker, isolation 'process'", { connection: ctx.redis.url, isolation: 'process', require: [NOOP_TASK_MODULE] }),
    ], simple);

    // Idle worker: enqueue → result, one job at a time, the worker blocked in its pop when each arrives.
    results.rqts1!.idleLatency = await rqtsIdleLatency(connection, 'bench-idle-rqts', NOOP, handlers, LATENCY_JOBS);
    results.bullmq1!.idleLatency = await bullIdleLatency(bullConnection, 'bench-idle-bullmq', NOOP, LATENCY_JOBS);
    ctx.log(`workers: idle enqueue → result p50 rqts ${results.rqts1!.idleLatency!.p50.toFixed(2)} ms, BullMQ ${results.bullmq1!.idleLatency!.p50.toFixed(2)} ms`);

    // Start-up of an RQ burst worker with nothing to do.
    for (const [key, extraArgs] of [['rq-fork', []], ['rq-simple', SIMPLE]] as const) {
      const times: number[] = [];
      for (let round = 0; round < ctx.sizes.repeats; round++) {
        await ctx.flush();
        const start = performance.now();
        await runWorker({ rq: ctx.rq, url: ctx.redis.url, queues: ['bench-work-empty'], extraArgs: [...extraArgs, '-q'], timeoutMs: 60_000 });
        times.push((performance.now() - start) / 1000);
      }
      const r = results[key]!;
      r.startupSeconds = median(times);
      r.netRate = median(r.runs.map((run) => run.jobs / Math.max(run.seconds - r.startupSeconds!, 1e-3)));
      ctx.log(`workers: ${r.label} start-up ${r.startupSeconds.toFixed(2)} s`);
    }
    return results;
  } finally {
    await connection.close();
  }
}
