/**
 * `rqts info`: what `rq info` shows — queues with their registry counts, and the workers (name, state,
 * queues, current job) — as tables or JSON, once or every `--interval` seconds (in place on a terminal).
 */
import { Job, Queue, Worker, type WorkerInfo } from '../index.js';
import { plural, stopOnSignals, UsageError, type Command, type Context, type Output } from './common.js';

export interface InfoOptions extends Context {
  /** Queue names; every known queue (`rq:queues`) when empty. Workers are those listening on them. */
  queues: string[];
  json: boolean;
  /** Leave out the workers (`rq info --only-queues`). */
  onlyQueues?: boolean;
  /** Leave out the queues (`rq info --only-workers`). */
  onlyWorkers?: boolean;
  /** Refresh every this many seconds until `signal` aborts; once when unset. */
  interval?: number;
  signal?: AbortSignal;
}

export interface QueueInfo {
  name: string;
  /** Jobs waiting in the queue. */
  count: number;
  started: number;
  finished: number;
  failed: number;
  deferred: number;
  scheduled: number;
  canceled: number;
}

/** One worker as `rqts info --json` prints it. */
export interface WorkerRow {
  name: string;
  state: string;
  queues: string[];
  /** The id of the job it is running, or null. */
  currentJob: string | null;
  /** That job's description (`mylib.add(1, 2)`), when it still exists. */
  currentJobDescription: string | null;
  successfulJobCount: number;
  failedJobCount: number;
  lastHeartbeat: string | null;
}

const COLUMNS = ['count', 'started', 'finished', 'failed', 'deferred', 'scheduled', 'canceled'] as const;

/** Read the counts of the given queues (all queues when none are given). */
export async function queueInfo({ connection, serializer, queues: names }: Pick<InfoOptions, 'connection' | 'serializer' | 'queues'>): Promise<QueueInfo[]> {
  const queues = names.length > 0 ? names.map((name) => new Queue(name, { connection, serializer })) : await Queue.all({ connection, serializer });
  return Promise.all(
    queues.map(async (q) => {
      const [count, started, finished, failed, deferred, scheduled, canceled] = await Promise.all([
        q.count,
        q.startedJobRegistry.count,
        q.finishedJobRegistry.count,
        q.failedJobRegistry.count,
        q.deferredJobRegistry.count,
        q.scheduledJobRegistry.count,
        q.canceledJobRegistry.count,
      ]);
      return { name: q.name, count, started, finished, failed, deferred, scheduled, canceled };
    }),
  );
}

/** The registered workers (those listening on `queues` when given), Python's and Node's alike, by name. */
export async function workerInfo({ connection, serializer, queues }: Pick<InfoOptions, 'connection' | 'serializer' | 'queues'>): Promise<WorkerRow[]> {
  const found = queues.length === 0 ? await Worker.all({ connection, serializer }) : (await Promise.all(queues.map((queue) => Worker.all({ connection, serializer, queue })))).flat();
  const workers = [...new Map(found.map((w) => [w.name, w])).values()].sort((a, b) => a.name.localeCompare(b.name));
  // Descriptions are plain hash fields: no payload is decoded, so a serializer mismatch cannot break info.
  const busy = workers.map((w) => w.currentJobId).filter((id): id is string => id !== null);
  const jobs = busy.length > 0 ? await Job.fetchMany(busy, { connection, serializer }) : [];
  const descriptions = new Map(jobs.filter((j): j is Job => j !== null).map((j) => [j.id, j.description]));
  return workers.map((w: WorkerInfo) => ({
    name: w.name,
    state: w.state,
    queues: w.queues,
    currentJob: w.currentJobId,
    currentJobDescription: (w.currentJobId && descriptions.get(w.currentJobId)) ?? null,
    successfulJobCount: w.successfulJobCount,
    failedJobCount: w.failedJobCount,
    lastHeartbeat: w.lastHeartbeat?.toISOString() ?? null,
  }));
}

/** Left-aligned first column, right-aligned numbers (or left-aligned text with `leftAll`). */
function table(rows: string[][], leftAll = false): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((cells) => cells[i]!.length)));
  return rows.map((cells) => cells.map((cell, i) => (i === 0 || leftAll ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ').trimEnd());
}

/** One snapshot as text lines (tables) or one JSON line. */
async function snapshot(options: InfoOptions): Promise<string[]> {
  const [queues, workers] = await Promise.all([options.onlyWorkers ? null : queueInfo(options), options.onlyQueues ? null : workerInfo(options)]);
  if (options.json) return [JSON.stringify({ ...(queues ? { queues } : {}), ...(workers ? { workers } : {}) })];
  const lines: string[] = [];
  if (queues) {
    lines.push(...table([['queue', 'queued', ...COLUMNS.slice(1)], ...queues.map((r) => [r.name, ...COLUMNS.map((c) => String(r[c]))])]));
    lines.push(`${plural(queues.length, 'queue')}, ${plural(queues.reduce((sum, r) => sum + r.count, 0), 'job')} total`);
  }
  if (workers) {
    if (queues) lines.push('');
    if (workers.length > 0) {
      const current = (w: WorkerRow): string => (w.currentJob ? `${w.currentJob}${w.currentJobDescription ? ` ${w.currentJobDescription}` : ''}` : '');
      lines.push(...table([['worker', 'state', 'queues', 'current job'], ...workers.map((w) => [w.name, w.state, w.queues.join(','), current(w)])], true));
    }
    lines.push(plural(workers.length, 'worker'));
  }
  return lines;
}

/** Clear the screen, then each line erases what an earlier, longer frame left on it. */
const CLEAR = '\x1b[H\x1b[2J';
const HOME = '\x1b[H';
const ERASE_LINE = '\x1b[K';
const ERASE_BELOW = '\x1b[J';

export async function info(options: InfoOptions, io: Output): Promise<number> {
  if (options.interval === undefined) {
    for (const line of await snapshot(options)) io.out(line);
    return 0;
  }
  const inPlace = io.streams?.stdout.isTTY === true && !options.json;
  for (let frame = 0; !options.signal?.aborted; frame++) {
    const lines = await snapshot(options);
    if (inPlace) {
      const body = [...lines, '', `Updated: ${new Date().toISOString()} (every ${options.interval}s; Ctrl-C to stop)`];
      io.streams!.stdout.write(`${frame === 0 ? CLEAR : HOME}${body.map((l) => `${l}${ERASE_LINE}\n`).join('')}${ERASE_BELOW}`);
    } else {
      // Plain output: one snapshot after another (a blank line between tables; JSON Lines with --json).
      if (frame > 0 && !options.json) io.out('');
      for (const line of lines) io.out(line);
    }
    await sleep(options.interval * 1000, options.signal);
  }
  return 0;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

export const infoCommand: Command = {
  name: 'info',
  summary: 'queues, their registry counts, and workers',
  usage: `Usage: rqts info [options] [queue...]

Show every queue (or the given ones): jobs waiting, and the counts of its started, finished, failed,
deferred, scheduled and canceled registries; then the workers (Python and Node) listening on them: name,
state, queues and the job each is running.

Options:
  -i, --interval <seconds>  refresh every <seconds> until Ctrl-C: in place on a terminal, else one
                            snapshot after another (one JSON line each with --json)
  -Q, --only-queues         leave out the workers
  -W, --only-workers        leave out the queues
  --json                    print {"queues":[{"name","count","started","finished","failed","deferred",
                            "scheduled","canceled"}],"workers":[{"name","state","queues","currentJob",
                            "currentJobDescription","successfulJobCount","failedJobCount",
                            "lastHeartbeat"}]} on one line`,
  options: {
    json: { type: 'boolean' },
    interval: { type: 'string', short: 'i' },
    'only-queues': { type: 'boolean', short: 'Q' },
    'only-workers': { type: 'boolean', short: 'W' },
  },
  prepare(values, positionals) {
    const onlyQueues = values['only-queues'] === true;
    const onlyWorkers = values['only-workers'] === true;
    if (onlyQueues && onlyWorkers) throw new UsageError('give --only-queues or --only-workers, not both');
    let interval: number | undefined;
    if (typeof values.interval === 'string') {
      interval = Number(values.interval);
      if (values.interval.trim() === '' || !Number.isFinite(interval) || interval <= 0) throw new UsageError(`--interval takes a positive number of seconds, got ${values.interval}`);
    }
    const base = { queues: positionals, json: values.json === true, onlyQueues, onlyWorkers, interval };
    return async (context, io) => {
      if (interval === undefined) return info({ ...context, ...base }, io);
      const stop = stopOnSignals();
      try {
        return await info({ ...context, ...base, signal: stop.signal }, io);
      } finally {
        stop.dispose();
      }
    };
  },
};
