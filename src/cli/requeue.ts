/** `rqts requeue`: put failed jobs back on their queue. */
import { InvalidOperationError, Job, NoSuchJobError, Queue } from '../index.js';
import { plural, UsageError, type Command, type Context, type Output } from './common.js';
import { startProgress } from './progress.js';

export interface RequeueOptions extends Context {
  /** @defaultValue `'default'` */
  queue?: string;
  /** Every job in the queue's failed registry (then `jobIds` must be empty). */
  all?: boolean;
  jobIds?: string[];
  json?: boolean;
  /** No progress display. */
  quiet?: boolean;
}

/**
 * Requeue jobs from the queue's failed registry. Every id is checked before the first is requeued; a job
 * that is not in the registry (or gone) is reported on stderr and makes the exit code 1. `--all` shows
 * progress (the registry may hold many jobs; each is requeued by one script, in registry order).
 */
export async function requeue(options: RequeueOptions, io: Output): Promise<number> {
  const { connection, serializer } = options;
  const queue = new Queue(options.queue ?? 'default', { connection, serializer });
  const registry = queue.failedJobRegistry;
  let ids = options.jobIds ?? [];
  if (options.all) ids = await registry.getJobIds();
  else await Job.fetchMany(ids, { connection, serializer }); // validates every id before anything is written
  const progress = startProgress({
    label: `requeue ${queue.name}`,
    total: ids.length,
    stream: options.all && !options.quiet ? io.streams?.stderr : undefined,
    intervalSeconds: io.progressInterval,
  });
  let requeued = 0;
  const failed: string[] = [];
  for (const [i, id] of ids.entries()) {
    try {
      await registry.requeue(id);
      requeued++;
    } catch (error) {
      if (!(error instanceof InvalidOperationError || error instanceof NoSuchJobError)) throw error;
      failed.push(id);
      io.err(`rqts: could not requeue ${id}: ${error.message}`);
    }
    progress.update(i + 1);
  }
  progress.stop();
  if (options.json) io.out(JSON.stringify({ queue: queue.name, requeued, failed }));
  else io.out(`Requeued ${plural(requeued, 'job')} from the failed job registry of ${queue.name}`);
  return failed.length === 0 ? 0 : 1;
}

export const requeueCommand: Command = {
  name: 'requeue',
  summary: 'requeue failed jobs',
  usage: `Usage: rqts requeue [options] (--all | <job id>...)

Put failed jobs back on their queue and print how many were requeued. A job that is not in the failed
registry is reported and makes the exit code 1. With --all, progress goes to stderr: a bar with rate and
ETA on a terminal, else a line every 5 s ($RQTS_PROGRESS_INTERVAL seconds) on a long run.

Options:
  -q, --queue <name>       the queue whose failed jobs to requeue (default: default)
  -a, --all                every failed job of the queue
  --json                   print {"queue","requeued","failed":[<ids not requeued>]} on one line
  --quiet                  no progress`,
  options: { queue: { type: 'string', short: 'q' }, all: { type: 'boolean', short: 'a' }, json: { type: 'boolean' }, quiet: { type: 'boolean' } },
  prepare(values, positionals) {
    const all = values.all === true;
    if (all && positionals.length > 0) throw new UsageError('give either --all or job ids, not both');
    if (!all && positionals.length === 0) throw new UsageError('give --all or at least one job id');
    const queue = typeof values.queue === 'string' ? values.queue : undefined;
    return (context, io) => requeue({ ...context, queue, all, jobIds: positionals, json: values.json === true, quiet: values.quiet === true }, io);
  },
};
