/**
 * Job callbacks (protocol §6.8): RQ's `Callback(func, timeout)`. Only the dotted path and the timeout are
 * stored; Python workers import and call the function in the job's process.
 */
import { InvalidArgumentError } from './errors.js';
import { Defaults } from './protocol.js';
import { parseDuration, validateFuncName, type Duration } from './validate.js';

/**
 * A Python function a worker calls after the job: `onSuccess(job, connection, result)`,
 * `onFailure(job, connection, type, value, traceback)`, `onStopped(job, connection)`.
 * @see RQ `rq.Callback`
 */
export class Callback {
  readonly funcName: string;
  /** Seconds the callback may run. */
  readonly timeout: number;

  /** @throws InvalidArgumentError for a path that is not a dotted path or a bad timeout. */
  constructor(funcName: string, options: { timeout?: Duration } = {}) {
    this.funcName = validateFuncName(funcName, 'callback');
    // RQ's `Callback`: `parse_timeout(timeout) if timeout else CALLBACK_TIMEOUT` — a falsy timeout (0) means
    // the default, anything else is parsed as given ('0' and 0.5 become 0: no limit on every worker).
    const { timeout } = options;
    this.timeout = timeout === undefined || timeout === 0 ? Defaults.CALLBACK_TIMEOUT : parseDuration('callback timeout', timeout);
  }
}

/** A dotted path or a {@link Callback}. */
export type CallbackLike = string | Callback;

/** Normalise an `onSuccess`/`onFailure`/`onStopped` option. */
export function toCallback(option: string, value: CallbackLike | undefined): Callback | null {
  if (value === undefined || value === null) return null;
  if (value instanceof Callback) return value;
  if (typeof value === 'string') {
    try {
      return new Callback(value);
    } catch (error) {
      throw new InvalidArgumentError(option, value, "expected a Python dotted path such as 'pkg.module.function'", { cause: error });
    }
  }
  throw new InvalidArgumentError(option, value, 'expected a dotted path or a Callback');
}
