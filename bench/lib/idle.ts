/**
 * Issue #13's idle-worker latency: enqueue → result, one job at a time, each arriving while the worker waits
 * in its blocking pop; the first 20 runs warm up and are not counted. Used by `npm run bench` and
 * `bench/worker-profile.ts`.
 */
import { Queue as BullQueue, QueueEvents, Worker as BullWorker } from 'bullmq';
import { Queue, Worker, type Connection } from './rqts.js';
import { latency, type LatencySummary } from './stats.js';

const WARM_UP = 20;
const quiet = { info() {}, warn() {}, error() {} };

async function samplesOf(jobs: number, one: () => Promise<unknown>): Promise<LatencySummary> {
  const samples: number[] = [];
  for (let i = 0; i < jobs + WARM_UP; i++) {
    const t0 = performance.now();
    await one();
    if (i >= WARM_UP) samples.push(performance.now() - t0);
  }
  return latency(samples);
}

/** A long-running rqts Worker running `funcName` from `handlers`; the producer waits with `job.wait()`. */
export async function rqtsIdleLatency(
  connection: Connection, queueName: string, funcName: string, handlers: Record<string, () => unknown>, jobs: number,
): Promise<LatencySummary> {
  const queue = new Queue(queueName, { connection });
  const worker = new Worker({ connection, queues: [queue.name], handlers, logger: quiet, handleSignals: false, dequeueTimeout: 5 });
  const working = worker.work();
  try {
    return await samplesOf(jobs, async () => (await queue.enqueue(funcName)).wait({ timeout: 10_000 }));
  } finally {
    await worker.stop();
    await working;
  }
}

/** BullMQ's Worker with a no-op processor at concurrency 1; the producer waits with `waitUntilFinished`. */
export async function bullIdleLatency(connection: { host: string; port: number }, name: string, jobName: string, jobs: number): Promise<LatencySummary> {
  const queue = new BullQueue(name, { connection });
  const events = new QueueEvents(name, { connection });
  await events.waitUntilReady();
  const worker = new BullWorker(name, async () => null, { connection, concurrency: 1 });
  await worker.waitUntilReady();
  try {
    let i = 0;
    return await samplesOf(jobs, async () => (await queue.add(jobName, { i: i++ })).waitUntilFinished(events, 10_000));
  } finally {
    await worker.close();
    await events.close();
    await queue.close();
  }
}
