/**
 * Running one job's function in the Node worker: resolve the handler by `func_name`, call it with the job's
 * arguments under its timeout and stop signal, and describe a failure the way RQ's tools read it (a
 * traceback whose last line is `ExceptionType: message`).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { getRegisteredTask } from '../decorator.js';
import type { Job } from '../job.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Handler = (...args: any[]) => unknown;

/** What a running handler can learn about its job (RQ's `get_current_job()`). */
export interface CurrentJob {
  readonly job: Job;
  /** Aborted when the job times out or is stopped; long handlers should honour it. */
  readonly signal: AbortSignal;
}

const current = new AsyncLocalStorage<CurrentJob>();

/** The job whose handler is running, inside a Node worker's handler; otherwise `null`. */
export function getCurrentJob(): CurrentJob | null {
  return current.getStore() ?? null;
}

/** Why a job did not succeed. */
export class JobOutcomeError extends Error {
  constructor(
    readonly kind: 'failure' | 'stopped',
    readonly excString: string,
  ) {
    super(excString);
  }
}

/** Find the handler for a `func_name`: the worker's own table first, then functions registered with `job()`. */
export function resolveHandler(funcName: string, handlers: Readonly<Record<string, Handler>>): Handler | undefined {
  return Object.prototype.hasOwnProperty.call(handlers, funcName) ? handlers[funcName] : getRegisteredTask(funcName);
}

/**
 * Call the handler. Python keyword arguments, when there are any, arrive as one trailing object.
 * `resolvedArgs` (dataflow references already replaced, kwargs appended) replaces the job's own.
 * Rejects with a {@link JobOutcomeError}: a failure (exception, timeout) or a stop.
 */
export async function runHandler(
  handler: Handler,
  job: Job,
  timeoutSeconds: number,
  stop: AbortSignal,
  resolvedArgs?: readonly unknown[],
): Promise<unknown> {
  const args = resolvedArgs ? [...resolvedArgs] : [...job.args];
  if (!resolvedArgs && Object.keys(job.kwargs).length > 0) args.push(job.kwargs);
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const ended = new Promise<never>((_, reject) => {
    if (timeoutSeconds > 0) {
      timer = setTimeout(() => {
        const message = `Task exceeded maximum timeout value (${timeoutSeconds} seconds)`;
        controller.abort(new Error(message));
        reject(new JobOutcomeError('failure', traceback('JobTimeoutException', message)));
      }, timeoutSeconds * 1000);
    }
    const onStop = (): void => {
      controller.abort(new Error('stopped'));
      reject(new JobOutcomeError('stopped', 'Job stopped by user, work-horse terminated.'));
    };
    if (stop.aborted) onStop();
    else stop.addEventListener('abort', onStop, { once: true });
  });
  try {
    const run = current.run({ job, signal: controller.signal }, async () => handler(...args));
    return await Promise.race([run, ended]);
  } catch (error) {
    if (error instanceof JobOutcomeError) throw error;
    throw new JobOutcomeError('failure', describeError(error));
  } finally {
    clearTimeout(timer);
  }
}

/** A JS error as RQ stores a Python one: a traceback ending in `Type: message`. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const frames = (error.stack ?? '').split('\n').slice(1).map((l) => `  ${l.trim()}`).join('\n');
    return traceback(error.name || 'Error', error.message, frames);
  }
  return traceback('Error', String(error));
}

function traceback(type: string, message: string, frames = ''): string {
  return `Traceback (most recent call last):\n${frames ? `${frames}\n` : ''}${type}: ${message}\n`;
}

/** The failure text for a job whose function this worker does not know (as RQ fails an unimportable one). */
export function unknownFunction(funcName: string): string {
  return traceback('ValueError', `Invalid attribute name: ${funcName} (no handler registered in this rqts worker)`);
}
