/** `rqts worker`: run a Node worker on queues, with the JS tasks that the given modules register. */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from '../index.js';
import { registeredTaskNames } from '../tasks.js';
import type { Isolation } from '../worker/execute.js';
import { UsageError, type Command, type Context, type Output } from './common.js';

export interface WorkerCommandOptions extends Context {
  queues: string[];
  /** Modules to import first: they register their tasks with `job()`. */
  require: string[];
  burst?: boolean;
  name?: string;
  resultTtl?: number;
  concurrency?: number;
  isolation?: Isolation;
  maxJobs?: number;
  maxIdleTime?: number;
  withScheduler?: boolean;
}

/** Import the task modules, then work until the queues are empty (burst) or SIGINT/SIGTERM. */
export async function worker(options: WorkerCommandOptions, io: Output): Promise<number> {
  for (const module of options.require) await import(pathToFileURL(resolve(module)).href);
  if (registeredTaskNames().length === 0) {
    io.err('rqts: no tasks registered: --require modules that define tasks with job({ name })');
    return 1;
  }
  const w = new Worker({
    connection: options.connection,
    queues: options.queues,
    serializer: options.serializer,
    burst: options.burst ?? false,
    // Isolated threads and processes import the same task modules to find the tasks.
    require: options.require,
    ...(options.name !== undefined && { name: options.name }),
    ...(options.resultTtl !== undefined && { resultTtl: options.resultTtl }),
    ...(options.concurrency !== undefined && { concurrency: options.concurrency }),
    ...(options.isolation !== undefined && { isolation: options.isolation }),
    ...(options.maxJobs !== undefined && { maxJobs: options.maxJobs }),
    ...(options.maxIdleTime !== undefined && { maxIdleTime: options.maxIdleTime }),
    ...(options.withScheduler !== undefined && { withScheduler: options.withScheduler }),
    logger: { info: (m: string) => io.out(m), warn: (m: string) => io.err(m), error: (m: string) => io.err(m) },
  });
  // The Worker handles SIGINT/SIGTERM itself: the first is a warm shutdown, the second a cold one.
  io.out(`tasks: ${registeredTaskNames().join(', ')}`);
  await w.work();
  io.out(`${w.counts.successful} finished, ${w.counts.failed} failed`);
  return 0;
}

export const workerCommand: Command = {
  name: 'worker',
  summary: 'run a Node worker for JS tasks',
  usage: `Usage: rqts worker [options] --require <module> <queue>...

Run a Node worker that speaks RQ's protocol on the given queues. Its functions are the JS tasks that the
--require modules register with job({ name }); jobs for other functions fail (as in a Python worker that
cannot import them). The first SIGINT/SIGTERM lets running jobs finish (warm shut down); a second halts
them and records them failed, or retried when they have retries left (cold shut down).

Options:
  -r, --require <module>   a module to import first (repeatable)
  -b, --burst              stop when the queues are empty
  -n, --name <name>        worker name (default: random)
  --results-ttl <seconds>  how long results of jobs without result_ttl are kept (default: 500)
  -c, --concurrency <n>    jobs run at once (default: 1)
  --isolation <mode>       none | thread | process: where tasks run; thread and process are killed on
                           timeout, stop-job and kill-horse (default: none)
  --max-jobs <n>           stop after n jobs
  --max-idle-time <secs>   stop after this long without a job
  -s, --with-scheduler     also move due scheduled jobs and delayed retries to their queues`,
  options: {
    require: { type: 'string', short: 'r', multiple: true },
    burst: { type: 'boolean', short: 'b' },
    name: { type: 'string', short: 'n' },
    'results-ttl': { type: 'string' },
    concurrency: { type: 'string', short: 'c' },
    isolation: { type: 'string' },
    'max-jobs': { type: 'string' },
    'max-idle-time': { type: 'string' },
    'with-scheduler': { type: 'boolean', short: 's' },
  },
  prepare(values, positionals) {
    const modules = (values.require as unknown as string[] | undefined) ?? [];
    if (positionals.length === 0) throw new UsageError('give at least one queue name');
    if (modules.length === 0) throw new UsageError('give at least one --require module that registers tasks');
    const ttl = values['results-ttl'];
    if (ttl !== undefined && !/^-?\d+$/.test(String(ttl))) throw new UsageError(`--results-ttl must be whole seconds, not ${ttl}`);
    const whole = (flag: string, min: number): number | undefined => {
      const v = values[flag];
      if (v === undefined) return undefined;
      if (!/^\d+$/.test(String(v)) || Number(v) < min) throw new UsageError(`--${flag} must be a whole number ≥ ${min}, not ${v}`);
      return Number(v);
    };
    const isolation = values.isolation === undefined ? undefined : String(values.isolation);
    if (isolation !== undefined && !['none', 'thread', 'process'].includes(isolation)) {
      throw new UsageError(`--isolation must be none, thread or process, not ${isolation}`);
    }
    const concurrency = whole('concurrency', 1);
    const maxJobs = whole('max-jobs', 1);
    const maxIdleTime = whole('max-idle-time', 1);
    return (context, io) =>
      worker({
        ...context, queues: positionals, require: modules, burst: values.burst === true,
        ...(values.name !== undefined && { name: String(values.name) }),
        ...(ttl !== undefined && { resultTtl: Number(ttl) }),
        ...(concurrency !== undefined && { concurrency }),
        ...(isolation !== undefined && { isolation: isolation as Isolation }),
        ...(maxJobs !== undefined && { maxJobs }),
        ...(maxIdleTime !== undefined && { maxIdleTime }),
        ...(values['with-scheduler'] === true && { withScheduler: true }),
      }, io);
  },
};
