/**
 * Running one job's function in the Node worker: resolve the handler by `func_name`, call it with the job's
 * arguments under its timeout and stop signal, and describe a failure the way RQ's tools read it (a
 * traceback whose last line is `ExceptionType: message`).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { getRegisteredTask } from '../tasks.js';
import type { Job } from '../job.js';
import type { Serializer } from '../serializers/serializer.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Handler = (...args: any[]) => unknown;

/**
 * Where a task runs. `'none'`: in the worker's event loop (fastest; on timeout or stop the handler's
 * `signal` aborts but the function is not killed). `'thread'`: a `worker_threads` thread; `'process'`: a
 * child process. Both are pooled, reused between jobs, and terminated for real on timeout, stop-job,
 * kill-horse and cold shutdown, as RQ kills its work-horse.
 */
export type Isolation = 'none' | 'thread' | 'process';
export const ISOLATIONS: readonly Isolation[] = ['none', 'thread', 'process'];

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

/**
 * Why a running job must end early (timeout, stop-job, kill-horse, cold shutdown), with the outcome as its
 * reason: an AbortController cut to what a job needs, made once per job on the worker's hot path. The
 * real AbortSignal is made only when something asks for it (an isolated executor).
 */
export class Halt {
  #aborted = false;
  #reason: unknown;
  #listeners: (() => void)[] = [];
  #controller: AbortController | undefined;

  get aborted(): boolean {
    return this.#aborted;
  }
  get reason(): unknown {
    return this.#reason;
  }
  abort(reason: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason;
    this.#controller?.abort(reason);
    for (const listener of this.#listeners.splice(0)) listener();
  }
  /** Call `listener` once when halted (at once if already halted). */
  onAbort(listener: () => void): void {
    if (this.#aborted) listener();
    else this.#listeners.push(listener);
  }
  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
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
  stop: Halt,
  resolvedArgs?: readonly unknown[],
): Promise<unknown> {
  const args = resolvedArgs ? [...resolvedArgs] : [...job.args];
  if (!resolvedArgs && Object.keys(job.kwargs).length > 0) args.push(job.kwargs);
  // The handler's signal is made only if the handler reads it; an abort before that is kept for it.
  let controller: AbortController | undefined;
  let abortedWith: Error | undefined;
  const abort = (reason: Error): void => {
    abortedWith ??= reason;
    controller?.abort(reason);
  };
  const context: CurrentJob = {
    job,
    get signal(): AbortSignal {
      if (!controller) {
        controller = new AbortController();
        if (abortedWith) controller.abort(abortedWith);
      }
      return controller.signal;
    },
  };
  if (!stop.aborted) {
    let result: unknown;
    try {
      result = current.run(context, handler, ...args);
    } catch (error) {
      throw error instanceof JobOutcomeError ? error : new JobOutcomeError('failure', describeError(error));
    }
    // A synchronous handler ran to its end: nothing in this event loop could halt it meanwhile.
    if (!isThenable(result)) return result;
    return race(result, timeoutSeconds, stop, abort);
  }
  // Halted already (a cold shutdown): the handler is called as always, and the halt wins at once.
  return race(current.run(context, async () => handler(...args)), timeoutSeconds, stop, abort);
}

/** A running handler's value against its timeout and its job's halt; rejects with a {@link JobOutcomeError}. */
async function race(pending: PromiseLike<unknown>, timeoutSeconds: number, stop: Halt, abort: (reason: Error) => void): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await new Promise<unknown>((resolve, reject) => {
      if (timeoutSeconds > 0) {
        timer = setTimeout(() => {
          abort(new Error(timeoutMessage(timeoutSeconds)));
          reject(new JobOutcomeError('failure', timeoutText(timeoutSeconds)));
        }, timeoutSeconds * 1000);
      }
      // A stop carries its outcome (a stop-job, a timeout the worker enforces, a cold shutdown) as its reason.
      stop.onAbort(() => {
        const outcome = stop.reason instanceof JobOutcomeError ? stop.reason : new JobOutcomeError('stopped', STOPPED_TEXT);
        abort(new Error(outcome.kind === 'stopped' ? 'stopped' : lastLine(outcome.excString)));
        reject(outcome);
      });
      pending.then(resolve, reject);
    });
  } catch (error) {
    if (error instanceof JobOutcomeError) throw error;
    throw new JobOutcomeError('failure', describeError(error));
  } finally {
    clearTimeout(timer);
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as { then?: unknown }).then === 'function';
}

const timeoutMessage = (seconds: number): string => `Task exceeded maximum timeout value (${seconds} seconds)`;

/** RQ's failure text for a timeout, so Python code matching on `JobTimeoutException` keeps working. */
export function timeoutText(seconds: number): string {
  return traceback('rq.timeouts.JobTimeoutException', timeoutMessage(seconds));
}

/** RQ's text for a job stopped by the stop-job command. */
export const STOPPED_TEXT = 'Job stopped by user, work-horse terminated.';

/** RQ's text for a work-horse that died (kill-horse, cold shutdown, a crash of the thread or process). */
export function horseKilledText(detail: string): string {
  return `Work-horse terminated unexpectedly; waitpid returned ${detail}; `;
}

/** base64 of the serialized value; '' for None (RQ writes no field); RQ's placeholder when it cannot be serialized. */
export function encodeResult(serializer: Serializer, value: unknown): string {
  if (value === null || value === undefined) return '';
  try {
    return serializer.dumps(value).toString('base64');
  } catch {
    return serializer.dumps('Unserializable return value').toString('base64');
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

function lastLine(text: string): string {
  return text.trimEnd().split('\n').pop() ?? '';
}

function traceback(type: string, message: string, frames = ''): string {
  return `Traceback (most recent call last):\n${frames ? `${frames}\n` : ''}${type}: ${message}\n`;
}

/** The failure text for a job whose function this worker does not know (as RQ fails an unimportable one). */
export function unknownFunction(funcName: string): string {
  return traceback('ValueError', `Invalid attribute name: ${funcName} (no handler registered in this rqts worker)`);
}
