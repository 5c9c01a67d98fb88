/**
 * Job callbacks in the Node worker (protocol §6.8): `on_success`, `on_failure` and `on_stopped` that name a
 * registered JS function run with RQ's arguments under RQ's callback timeout. A callback (or RQ 2.10+
 * webhook) this worker cannot honour — a Python function — is never dropped: the job fails before its
 * function runs, with an exc_info saying why, so the caller can route it to a Python worker.
 */
import type { Connection } from '../connection.js';
import type { Job } from '../job.js';
import { Defaults } from '../protocol.js';
import type { JobRecord } from '../record.js';
import { describeError, JobOutcomeError, resolveHandler, timeoutText, type Handler } from './execute.js';

type Kind = 'success' | 'failure' | 'stopped';

/** A resolved callback: the JS function and its timeout in seconds. */
export interface JobCallback {
  readonly name: string;
  readonly fn: Handler;
  readonly timeout: number;
}

export type JobCallbacks = Partial<Record<Kind, JobCallback>>;

/** RQ's option name for each callback, as users write it. */
const OPTION: Record<Kind, string> = { success: 'on_success', failure: 'on_failure', stopped: 'on_stopped' };

/**
 * The job's callbacks as JS functions.
 * @throws JobOutcomeError (failure) naming the first callback or webhook that cannot run in Node.
 */
export function resolveCallbacks(record: JobRecord, fields: ReadonlyMap<string, Buffer>, handlers: Readonly<Record<string, Handler>>): JobCallbacks {
  const named: Record<Kind, [string | null, number | null]> = {
    success: [record.successCallbackName, record.successCallbackTimeout],
    failure: [record.failureCallbackName, record.failureCallbackTimeout],
    stopped: [record.stoppedCallbackName, record.stoppedCallbackTimeout],
  };
  const callbacks: JobCallbacks = {};
  for (const kind of Object.keys(named) as Kind[]) {
    const [name, timeout] = named[kind];
    if (!name) continue;
    const fn = resolveHandler(name, handlers);
    if (!fn) throw new JobOutcomeError('failure', unsupported(`its ${OPTION[kind]} callback ${name} is not a JS function registered in this Node worker`));
    callbacks[kind] = { name, fn, timeout: timeout && timeout > 0 ? timeout : Defaults.CALLBACK_TIMEOUT };
  }
  // RQ 2.10+ stores webhooks as a JSON list; an empty one is nothing to send.
  const webhooks = fields.get('webhooks')?.toString('utf8').trim();
  if (webhooks && webhooks !== '[]' && webhooks !== 'null') {
    throw new JobOutcomeError('failure', unsupported('it has webhooks, which Node workers do not send'));
  }
  return callbacks;
}

function unsupported(why: string): string {
  return `Traceback (most recent call last):\nrqts.UnsupportedCallbackError: Not run on a Node worker: ${why}. Run it on a Python worker (a queue only Python workers serve).\n`;
}

/**
 * Run a callback under its timeout: success `(job, connection, result)`, failure `(job, connection,
 * excType, excValue, traceback)`, stopped `(job, connection)`, as RQ calls them.
 * @throws JobOutcomeError (failure) with the callback's error or RQ's timeout text. The callback runs in the
 * worker's event loop: a timeout abandons it, it does not kill it.
 */
export async function runCallback(callback: JobCallback, job: Job, connection: Connection, ...rest: unknown[]): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new JobOutcomeError('failure', timeoutText(callback.timeout))), callback.timeout * 1000);
  });
  try {
    await Promise.race([Promise.resolve().then(() => callback.fn(job, connection, ...rest)), expired]);
  } catch (error) {
    if (error instanceof JobOutcomeError) throw error;
    throw new JobOutcomeError('failure', describeError(error));
  } finally {
    clearTimeout(timer);
  }
}

/** `[excType, excValue]` from a traceback's last line (`Type: message`), as RQ passes them to on_failure. */
export function excTypeAndValue(text: string): [string, string] {
  const last = text.trimEnd().split('\n').pop() ?? '';
  const colon = last.indexOf(': ');
  return colon < 0 ? [last.trim(), ''] : [last.slice(0, colon).trim(), last.slice(colon + 2)];
}
