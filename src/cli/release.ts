/** `rqts release`: release futures (jobs enqueued with `deferred: true`). */
import { release } from '../index.js';
import { plural, UsageError, type Command, type Context, type Output } from './common.js';

export interface ReleaseOptions extends Context {
  futureIds: string[];
}

/**
 * Release each future: its held jobs are queued, and the future too when it waits for nothing else. A future
 * released before is reported and left alone (exit 0); an id that is not a future is an error (exit 1).
 */
export async function releaseFutures(options: ReleaseOptions, io: Output): Promise<number> {
  for (const id of options.futureIds) {
    const outcome = await release(id, { connection: options.connection });
    if (!outcome.released) {
      io.out(`${id} was released already; nothing done`);
      continue;
    }
    const future = outcome.futureQueued ? 'the future is queued' : 'the future runs after them';
    io.out(`Released ${id}: ${plural(outcome.heldJobs, 'held job')} queued, ${future}`);
  }
  return 0;
}

export const releaseCommand: Command = {
  name: 'release',
  summary: 'release futures (deferred: true) and their held jobs',
  usage: `Usage: rqts release [options] <future id>...

Queue every job held for each future (enqueued with blockedBy), and the future itself when it waits for
nothing else; otherwise a worker queues it after the last held job. Releasing twice does nothing and says so.
A job that is not a future is an error (exit 1).`,
  options: {},
  prepare(_values, positionals) {
    if (positionals.length === 0) throw new UsageError('give at least one future id');
    return (context, io) => releaseFutures({ ...context, futureIds: positionals }, io);
  },
};
