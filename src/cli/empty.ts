/** `rqts empty`: remove every waiting job from queues. */
import { Queue } from '../index.js';
import { plural, UsageError, type Command, type Context, type Output } from './common.js';

export interface EmptyOptions extends Context {
  queues: string[];
  /** Every known queue (`rq:queues`) instead of `queues`. */
  all?: boolean;
}

/** Empty the queues (jobs and their hashes; registries stay, as in RQ) and print how many jobs each lost. */
export async function empty(options: EmptyOptions, io: Output): Promise<number> {
  const { connection, serializer } = options;
  // Every name is validated before the first queue is emptied.
  const queues = options.all ? await Queue.all({ connection, serializer }) : options.queues.map((name) => new Queue(name, { connection, serializer }));
  for (const queue of queues) io.out(`${plural(await queue.empty(), 'job')} removed from ${queue.name} queue`);
  return 0;
}

export const emptyCommand: Command = {
  name: 'empty',
  summary: 'remove every waiting job from queues',
  usage: `Usage: rqts empty [options] (--all | <queue>...)

Remove every job waiting in the given queues (their hashes too; registries are left alone, as rq empty
does) and print how many each held.

Options:
  -a, --all                every queue`,
  options: { all: { type: 'boolean', short: 'a' } },
  prepare(values, positionals) {
    const all = values.all === true;
    if (all && positionals.length > 0) throw new UsageError('give either --all or queue names, not both');
    if (!all && positionals.length === 0) throw new UsageError('give at least one queue name (or --all)');
    return (context, io) => empty({ ...context, queues: positionals, all }, io);
  },
};
