/** `rqts worker`: run a Node worker on queues, with the JS tasks that the given modules register. */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { registeredTaskNames, Worker } from '../index.js';
import { UsageError, type Command, type Context, type Output } from './common.js';

export interface WorkerCommandOptions extends Context {
  queues: string[];
  /** Modules to import first: they register their tasks with `job()`. */
  require: string[];
  burst?: boolean;
  name?: string;
  resultTtl?: number;
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
    ...(options.name !== undefined && { name: options.name }),
    ...(options.resultTtl !== undefined && { resultTtl: options.resultTtl }),
    logger: { info: (m: string) => io.out(m), warn: (m: string) => io.err(m), error: (m: string) => io.err(m) },
  });
  // A warm shutdown, as `rq worker` does on SIGINT/SIGTERM: the current job finishes first.
  const stop = (): void => void w.stop();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    io.out(`tasks: ${registeredTaskNames().join(', ')}`);
    await w.work();
    io.out(`${w.counts.successful} finished, ${w.counts.failed} failed`);
    return 0;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

export const workerCommand: Command = {
  name: 'worker',
  summary: 'run a Node worker for JS tasks',
  usage: `Usage: rqts worker [options] --require <module> <queue>...

Run a Node worker that speaks RQ's protocol on the given queues. Its functions are the JS tasks that the
--require modules register with job({ name }); jobs for other functions fail (as in a Python worker that
cannot import them). Stops on SIGINT/SIGTERM after the current job.

Options:
  -r, --require <module>   a module to import first (repeatable)
  -b, --burst              stop when the queues are empty
  -n, --name <name>        worker name (default: random)
  --results-ttl <seconds>  how long results of jobs without result_ttl are kept (default: 500)`,
  options: {
    require: { type: 'string', short: 'r', multiple: true },
    burst: { type: 'boolean', short: 'b' },
    name: { type: 'string', short: 'n' },
    'results-ttl': { type: 'string' },
  },
  prepare(values, positionals) {
    const modules = (values.require as unknown as string[] | undefined) ?? [];
    if (positionals.length === 0) throw new UsageError('give at least one queue name');
    if (modules.length === 0) throw new UsageError('give at least one --require module that registers tasks');
    const ttl = values['results-ttl'];
    if (ttl !== undefined && !/^-?\d+$/.test(String(ttl))) throw new UsageError(`--results-ttl must be whole seconds, not ${ttl}`);
    return (context, io) =>
      worker({
        ...context, queues: positionals, require: modules, burst: values.burst === true,
        ...(values.name !== undefined && { name: String(values.name) }),
        ...(ttl !== undefined && { resultTtl: Number(ttl) }),
      }, io);
  },
};
