/** `rqts suspend` / `rqts resume`: RQ's suspension switch, as `rq suspend` / `rq resume`. */
import { resume, suspend } from '../suspension.js';
import { UsageError, type Command } from './common.js';

export const suspendCommand: Command = {
  name: 'suspend',
  summary: 'stop workers from taking new jobs',
  usage: `Usage: rqts suspend [options]

Suspend every worker (Python and Node) on this Redis: running jobs finish, no new job starts, burst workers
exit. Undo with rqts resume.

Options:
  -d, --duration <seconds>  lift the suspension by itself after this long`,
  options: { duration: { type: 'string', short: 'd' } },
  prepare(values, positionals) {
    if (positionals.length > 0) throw new UsageError('rqts suspend takes no arguments');
    const raw = values.duration;
    if (raw !== undefined && !/^\d+$/.test(String(raw))) throw new UsageError(`--duration must be whole seconds, not ${raw}`);
    const duration = raw === undefined ? undefined : Number(raw);
    return async (context, io) => {
      await suspend(context.connection, duration === undefined ? {} : { duration });
      io.out(duration === undefined ? 'Suspending workers. No new jobs will be started. Run rqts resume to resume.' : `Suspending workers for ${duration} seconds.`);
      return 0;
    };
  },
};

export const resumeCommand: Command = {
  name: 'resume',
  summary: 'let suspended workers take jobs again',
  usage: `Usage: rqts resume

Lift a suspension (rqts suspend or rq suspend).`,
  options: {},
  prepare(_values, positionals) {
    if (positionals.length > 0) throw new UsageError('rqts resume takes no arguments');
    return async (context, io) => {
      await resume(context.connection);
      io.out('Resuming workers.');
      return 0;
    };
  },
};
