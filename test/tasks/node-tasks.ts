/**
 * JS tasks the Node worker tests run, in a module of their own so that isolated threads and processes can
 * import it by path (the worker's `require` option) and find the tasks by name.
 */
import { threadId } from 'node:worker_threads';
import { getCurrentJob, job } from '../../src/index.js';

/** Spins the CPU (never yields to the event loop) until killed. */
export const spin = job({ name: 'nodetasks.spin' })(async () => {
  const current = getCurrentJob()!;
  await current.job.saveMeta({ pid: process.pid, threadId, spinning: true });
  for (;;) {
    // A synchronous busy loop: only killing the thread or process ends it.
  }
});

/** Reports where it ran, and saves progress in its meta as it goes. */
export const whereAmI = job({ name: 'nodetasks.where_am_i' })(async (label: string) => {
  const current = getCurrentJob()!;
  await current.job.saveMeta({ progress: 50, label });
  await current.job.saveMeta({ ...(await current.job.refresh().then((j) => j.meta)), progress: 100 });
  return { label, pid: process.pid, threadId };
});

/** Fails with a JS error. */
export const explode = job({ name: 'nodetasks.explode' })(() => {
  throw new RangeError('exploded in isolation');
});

/** Exits its executor without answering: the worker must fail the job as RQ fails a dead work-horse. */
export const exitNow = job({ name: 'nodetasks.exit_now' })(() => {
  process.exit(3);
});

/** Runs until the worker halts it (its signal aborts): a job to catch a worker busy. */
export const hang = job({ name: 'nodetasks.hang' })(
  () => new Promise((resolve) => getCurrentJob()!.signal.addEventListener('abort', () => resolve('halted'))),
);

/** Squares a number (a chunked map runs it per item). */
export const square = job({ name: 'nodetasks.square' })((x: number) => x * x);

/** Sums a list, plus `extra`: a reduce, or a job whose arguments are other jobs' results. */
export const total = job({ name: 'nodetasks.total' })((values: number[], extra = 0) => values.reduce((s, v) => s + v, extra));
