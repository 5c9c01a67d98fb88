/** `rqts cron`: run a cron scheduler over the jobs a config module registers (RQ's `rq cron`). */
import { CronScheduler } from '../index.js';
import { UsageError, type Command, type Context, type Output } from './common.js';

export interface CronCommandOptions extends Context {
  /** The config module: its `cron.register(...)` calls are the jobs. */
  config: string;
  name?: string;
}

/** Load the config, then enqueue on schedule until SIGINT/SIGTERM (the scheduler unregisters on the way out). */
export async function cronScheduler(options: CronCommandOptions, io: Output): Promise<number> {
  const scheduler = new CronScheduler({
    connection: options.connection,
    serializer: options.serializer,
    ...(options.name !== undefined && { name: options.name }),
    logger: { info: (m: string) => io.out(m), warn: (m: string) => io.err(m), error: (m: string) => io.err(m) },
  });
  await scheduler.loadConfig(options.config);
  await scheduler.start(); // handles SIGINT/SIGTERM itself: stops after the pass in progress
  return 0;
}

export const cronCommand: Command = {
  name: 'cron',
  summary: 'enqueue the jobs a config module registers, on schedule (as rq cron)',
  usage: `Usage: rqts cron [options] <config module>

Start a cron scheduler (RQ 2.5+'s rq cron) for the jobs that the config module registers with
cron.register(func, { queueName, interval | cron, ... }) from rqts. It registers in Redis as RQ's
CronScheduler does (rq:cron_schedulers, rq:cron_scheduler:<name>), so RQ's tools list it, and enqueues
ordinary jobs that any RQ worker runs. SIGINT/SIGTERM stop it after the pass in progress.

Options:
  -n, --name <name>        scheduler name (default: <hostname>:<pid>:<6 hex digits>)`,
  options: {
    name: { type: 'string', short: 'n' },
  },
  prepare(values, positionals) {
    if (positionals.length !== 1) throw new UsageError('give one config module');
    return (context, io) =>
      cronScheduler({ ...context, config: positionals[0]!, ...(values.name !== undefined && { name: String(values.name) }) }, io);
  },
};
