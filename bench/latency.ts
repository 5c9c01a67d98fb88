/**
 * Scenario 4: result latency. A job that sleeps a known time (`mylib.slow(s)`) is enqueued and its result
 * awaited, one job at a time, with a long-running `rq worker` (SimpleWorker: no fork, so the worker adds
 * little of its own) serving every queue.
 *
 * Per job: `total` = enqueue → resolved; `run` = the job's own started_at → ended_at (worker's clock);
 * `lag` = the worker's result write → resolved, timed two ways:
 *   - from the result's stream id (ms since the epoch): 1 ms steps, so it reads 0–1 ms (0.5 on average) high;
 *   - from the XADD itself as Redis's MONITOR reports it (µs timestamps): the precise number, and the one
 *     the target is judged on. MONITOR's lines are only collected during the run and read afterwards.
 *
 * Systems: rqts `job.wait()`; a bare node-redis `XREAD BLOCK` on the job's results stream (floor); Python
 * RQ's `job.latest_result(timeout=…)`; BullMQ `job.waitUntilFinished(queueEvents)` with a worker whose
 * processor sleeps as long (its result write is the `completed` event's XADD).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue as BullQueue, QueueEvents, Worker as BullWorker } from 'bullmq';
import { Connection, Queue } from './lib/rqts.js';
import { PYTHON_DIR } from '../test/helpers/paths.js';
import { start } from '../test/helpers/processes.js';
import { calibrateWallClock, rqDatetimeMs, streamIdMs, wallMs } from './lib/clock.js';
import { plainClient, runRqBench, type Context, type PlainClient } from './lib/context.js';
import { latency, type LatencySummary } from './lib/stats.js';

/** One awaited job; `writeKey` finds its result write among the MONITOR lines. */
interface Sample {
  writeKey: string;
  resolved: number;
  total: number;
  run: number;
  /** From the stream id (ms). */
  lag: number;
}

export interface LatencyResult {
  label: string;
  total: LatencySummary;
  run: LatencySummary;
  /** Result written (stream id, 1 ms steps) → resolved. */
  lag: LatencySummary;
  /** Result written (XADD as timed by MONITOR, µs) → resolved. */
  writeLag: LatencySummary;
}

export interface LatencyResults {
  jobSeconds: number;
  worker: string;
  systems: Record<string, LatencyResult>;
}

const WARM_UP = 5;
const BULL_QUEUE = 'bench-lat-bullmq';

export async function latencyScenario(ctx: Context): Promise<LatencyResults> {
  const { sizes, redis } = ctx;
  const sleepS = sizes.latencySleep;
  const queues = { rqts: 'bench-lat-rqts', xread: 'bench-lat-xread', rq: 'bench-lat-rq' };
  await ctx.flush();
  const monitor = await startMonitor(ctx);
  const worker = await startRqWorker(ctx, Object.values(queues));
  const connection = await Connection.from(redis.url).open();
  const reader = plainClient(redis.url);
  await reader.connect();
  const raw: Record<string, { label: string; samples: Sample[] }> = {};
  try {
    calibrateWallClock();

    // rqts: job.wait() — one shared XREAD BLOCK per connection, no polling.
    const rqtsQueue = new Queue(queues.rqts, { connection });
    raw.rqts = { label: 'rqts job.wait()', samples: await collect(ctx, 'rqts job.wait()', reader, async () => {
      const t0 = wallMs();
      const job = await rqtsQueue.enqueue('mylib.slow', sleepS);
      await job.wait({ timeout: 30_000 });
      return { t0, resolved: wallMs(), jobId: job.id };
    }) };

    // The floor: a bare XREAD BLOCK on the results stream, on a connection of its own.
    const xreadQueue = new Queue(queues.xread, { connection });
    raw.xread = { label: 'node-redis XREAD BLOCK (floor)', samples: await collect(ctx, 'bare XREAD BLOCK', reader, async () => {
      const t0 = wallMs();
      const job = await xreadQueue.enqueue('mylib.slow', sleepS);
      const reply = await reader.sendCommand(['XREAD', 'BLOCK', '30000', 'STREAMS', `rq:results:${job.id}`, '0-0']);
      const resolved = wallMs();
      if (!Array.isArray(reply)) throw new Error('XREAD timed out: is the worker running?');
      return { t0, resolved, jobId: job.id };
    }) };

    // Python RQ: job.latest_result(timeout=…), timed in Python.
    ctx.log('latency: RQ 2.12 latest_result(timeout) (Python)');
    const py = await runRqBench<{ samples: { jobId: string; total: number; resolvedAt: number; resultId: string; startedAt: number; endedAt: number }[] }>(
      ctx, { mode: 'latency', queue: queues.rq, jobs: sizes.latencyJobs, sleep: sleepS });
    raw.rq = { label: 'RQ 2.12 job.latest_result(timeout) (Python)', samples: py.samples.map((s) => ({
      writeKey: `rq:results:${s.jobId}`,
      resolved: s.resolvedAt,
      total: s.total,
      run: s.endedAt - s.startedAt,
      lag: s.resolvedAt - streamIdMs(s.resultId),
    })) };
  } finally {
    await stopRqWorker(ctx, worker);
    await reader.close();
    await connection.close();
  }
  try {
    raw.bullmq = { label: 'BullMQ job.waitUntilFinished(queueEvents)', samples: await bullmqLatency(ctx, sleepS) };
  } finally {
    await monitor.close();
  }

  const writes = resultWrites(monitor.lines);
  const systems: Record<string, LatencyResult> = {};
  for (const [key, { label, samples }] of Object.entries(raw)) {
    const writeLag = samples.map((s) => s.resolved - (writes.get(s.writeKey) ?? Number.NaN));
    if (writeLag.some(Number.isNaN)) throw new Error(`latency: MONITOR saw no result write for some ${label} jobs`);
    systems[key] = {
      label,
      total: latency(samples.map((s) => s.total)),
      run: latency(samples.map((s) => s.run)),
      lag: latency(samples.map((s) => s.lag)),
      writeLag: latency(writeLag),
    };
  }
  return { jobSeconds: sleepS, worker: 'rq worker --worker-class rq.worker.SimpleWorker (RQ 2.12)', systems };
}

/** Runs `once` for warm-up plus `latencyJobs` jobs; reads each job's result id and run time afterwards. */
async function collect(
  ctx: Context,
  name: string,
  reader: PlainClient,
  once: () => Promise<{ t0: number; resolved: number; jobId: string }>,
): Promise<Sample[]> {
  ctx.log(`latency: ${name}`);
  const samples: Sample[] = [];
  for (let i = 0; i < WARM_UP + ctx.sizes.latencyJobs; i++) {
    const { t0, resolved, jobId } = await once();
    if (i < WARM_UP) continue;
    const writeKey = `rq:results:${jobId}`;
    const [entries, times] = await Promise.all([
      reader.xRevRange(writeKey, '+', '-', { COUNT: 1 }),
      reader.hmGet(`rq:job:${jobId}`, ['started_at', 'ended_at']),
    ]);
    samples.push({
      writeKey,
      resolved,
      total: resolved - t0,
      run: rqDatetimeMs(times[1]) - rqDatetimeMs(times[0]),
      lag: resolved - streamIdMs(entries?.[0]?.id ?? 'NaN'),
    });
  }
  return samples;
}

/** BullMQ: a worker whose processor sleeps as long as mylib.slow, and waitUntilFinished on QueueEvents. */
async function bullmqLatency(ctx: Context, sleepS: number): Promise<Sample[]> {
  await ctx.flush();
  ctx.log('latency: BullMQ waitUntilFinished');
  const connection = { host: '127.0.0.1', port: ctx.redis.port };
  const queue = new BullQueue(BULL_QUEUE, { connection });
  const events = new QueueEvents(BULL_QUEUE, { connection });
  const completedAt = new Map<string, number>();
  events.on('completed', ({ jobId }, id) => completedAt.set(jobId, streamIdMs(id)));
  const worker = new BullWorker(BULL_QUEUE, async () => { await sleep(sleepS * 1000); return null; }, { connection, concurrency: 1 });
  try {
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady(), worker.waitUntilReady()]);
    calibrateWallClock();
    const samples: Sample[] = [];
    for (let i = 0; i < WARM_UP + ctx.sizes.latencyJobs; i++) {
      const t0 = wallMs();
      const job = await queue.add('slow', { seconds: sleepS });
      await job.waitUntilFinished(events, 30_000);
      const resolved = wallMs();
      if (i < WARM_UP) continue;
      const done = await queue.getJob(job.id!);
      samples.push({
        writeKey: `bull:${job.id}`,
        resolved,
        total: resolved - t0,
        run: (done?.finishedOn ?? NaN) - (done?.processedOn ?? NaN),
        lag: resolved - completedAt.get(job.id!)!,
      });
    }
    return samples;
  } finally {
    await worker.close();
    await events.close();
    await queue.close();
  }
}

/** A MONITOR connection that keeps the raw lines (parsed after the run, not while jobs are awaited). */
async function startMonitor(ctx: Context): Promise<{ lines: string[]; close(): Promise<void> }> {
  const client = plainClient(ctx.redis.url);
  await client.connect();
  const lines: string[] = [];
  await client.monitor((line) => void lines.push(String(line)));
  return { lines, close: () => client.close() };
}

/**
 * When each result was written, in ms since the epoch with µs precision, from MONITOR lines such as
 * `1764068400.123456 [0 127.0.0.1:41234] "XADD" "rq:results:<id>" …` (RQ's result entry) or
 * `… [0 lua] "XADD" "bull:<queue>:events" … "event" "completed" "jobId" "<id>" …` (BullMQ's).
 */
function resultWrites(lines: string[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of lines) {
    const m = /^(\d+)\.(\d{6}) \[[^\]]*\] "XADD" "([^"]*)"(.*)$/i.exec(line);
    if (!m) continue;
    const at = Number(m[1]) * 1000 + Number(m[2]) / 1000;
    const key = m[3]!;
    if (key.startsWith('rq:results:')) {
      if (!out.has(key)) out.set(key, at);
    } else if (key === `bull:${BULL_QUEUE}:events` && m[4]!.includes('"event" "completed"')) {
      const id = /"jobId" "([^"]*)"/.exec(m[4]!)?.[1];
      if (id !== undefined && !out.has(`bull:${id}`)) out.set(`bull:${id}`, at);
    }
  }
  return out;
}

type Spawned = Awaited<ReturnType<typeof start>>;

/** A long-running SimpleWorker on `queues`, ready when it has registered itself in `rq:workers`. */
async function startRqWorker(ctx: Context, queues: string[]): Promise<Spawned> {
  const name = 'bench-latency';
  const args = ['worker', '-u', ctx.redis.url, '--name', name, '--worker-class', 'rq.worker.SimpleWorker', '-q', ...queues];
  const worker = await start(ctx.rq.rq, args, {
    env: { ...process.env, PYTHONPATH: PYTHON_DIR, PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1' },
    timeoutMs: 600_000,
  });
  const deadline = Date.now() + 30_000;
  while ((await ctx.admin.sIsMember('rq:workers', `rq:worker:${name}`)) !== 1) {
    if (Date.now() > deadline) throw new Error(`rq worker did not start:\n${worker.output()}`);
    await sleep(50);
  }
  return worker;
}

async function stopRqWorker(ctx: Context, worker: Spawned): Promise<void> {
  worker.kill('SIGTERM');
  const killer = setTimeout(() => worker.kill('SIGKILL'), 10_000);
  const done = await worker.done;
  clearTimeout(killer);
  if (done.exitCode !== 0 && done.signal === null) ctx.log(`rq worker exited with ${done.exitCode}:\n${done.all}`);
}
