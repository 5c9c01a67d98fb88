/** `rqts empty`: remove every waiting job from queues. */
import { Queue } from '../index.js';
import { EMPTY_QUEUE, emptyQueueArgs } from '../scripts.js';
import { plural, UsageError, type Command, type Context, type Output } from './common.js';
import { startProgress } from './progress.js';

export interface EmptyOptions extends Context {
  queues: string[];
  /** Every known queue (`rq:queues`) instead of `queues`. */
  all?: boolean;
  json?: boolean;
  /** No progress display. */
  quiet?: boolean;
}

/** Jobs removed per script call: each call is short, so Redis serves others between slices. */
const SLICE = 1000;

/**
 * Empty the queues (jobs and their hashes; registries stay, as in RQ) and print how many jobs each lost.
 * A queue goes in slices of {@link SLICE} (RQ's own script, bounded), so progress can be shown.
 */
export async function empty(options: EmptyOptions, io: Output): Promise<number> {
  const { connection, serializer } = options;
  // Every name is validated before the first queue is emptied.
  const queues = options.all ? await Queue.all({ connection, serializer }) : options.queues.map((name) => new Queue(name, { connection, serializer }));
  const removed: Record<string, number> = {};
  for (const queue of queues) {
    const progress = startProgress({ label: `empty ${queue.name}`, total: await queue.count, stream: options.quiet ? undefined : io.streams?.stderr, intervalSeconds: io.progressInterval });
    let count = 0;
    for (;;) {
      const slice = Number(await connection.script(EMPTY_QUEUE, [queue.key], emptyQueueArgs(SLICE)));
      count += slice;
      progress.update(count);
      if (slice < SLICE) break;
    }
    progress.stop();
    removed[queue.name] = count;
    if (!options.json) io.out(`${plural(count, 'job')} removed from ${queue.name} queue`);
  }
  if (options.json) io.out(JSON.stringify({ removed }));
  return 0;
}

export const emptyCommand: Command = {
  name: 'empty',
  summary: 'remove every waiting job from queues',
  usage: `Usage: rqts empty [options] (--all | <queue>...)

Remove every job waiting in the given queues (their hashes too; registries are left alone, as rq empty
does) and print how many each held. Progress goes to stderr: a bar with rate and ETA on a terminal, else
a line every 5 s ($RQTS_PROGRESS_INTERVAL seconds) on a long run.

Options:
  -a, --all                every queue
  --json                   print {"removed":{"<queue>":<jobs>,...}} on one line
  --quiet                  no progress`,
  options: { all: { type: 'boolean', short: 'a' }, json: { type: 'boolean' }, quiet: { type: 'boolean' } },
  prepare(values, positionals) {
    const all = values.all === true;
    if (all && positionals.length > 0) throw new UsageError('give either --all or queue names, not both');
    if (!all && positionals.length === 0) throw new UsageError('give at least one queue name (or --all)');
    return (context, io) => empty({ ...context, queues: positionals, all, json: values.json === true, quiet: values.quiet === true }, io);
  },
};
