/**
 * Pure validators for everything a caller hands rqts. Each returns the value as RQ stores it or throws an
 * {@link InvalidArgumentError} naming the option, before any Redis command is sent.
 */
import { InvalidArgumentError } from './errors.js';
import { FUNC_NAME_PATTERN, JOB_ID_PATTERN, QUEUE_NAME_PATTERN } from './protocol.js';

/**
 * Seconds as a number, or RQ's duration strings: `'30s'`, `'5m'`, `'1h'`, `'2d'` (also plain `'90'`).
 * A template-literal type, so `'3 minutes'` is a compile error; values are still checked at run time.
 */
export type Duration = number | `${number}` | `${number}${'s' | 'm' | 'h' | 'd' | 'S' | 'M' | 'H' | 'D'}`;

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/**
 * Parse a duration into whole seconds the way RQ's `parse_timeout` does: a number is cut to an integer
 * toward zero (Python's `int()`: `1.9` → 1, `-1.5` → -1); a string is an integer with an optional unit.
 * Unknown units and fractional strings (`'1.5m'`) are rejected, as RQ rejects them.
 */
export function parseDuration(option: string, value: Duration): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new InvalidArgumentError(option, value, 'expected a finite number of seconds');
    const seconds = Math.trunc(value) || 0; // -0.5 → -0 → 0
    if (!Number.isSafeInteger(seconds)) throw new InvalidArgumentError(option, value, 'too large');
    return seconds;
  }
  if (typeof value === 'string') {
    const m = /^([+-]?\d+)([smhdSMHD]?)$/.exec(value.trim());
    if (!m) throw new InvalidArgumentError(option, value, "expected seconds or a duration like '30s', '5m', '1h', '2d'");
    const seconds = Number(m[1]) * (UNIT_SECONDS[(m[2] || 's').toLowerCase()] ?? 1);
    if (!Number.isSafeInteger(seconds)) throw new InvalidArgumentError(option, value, 'too large');
    return seconds;
  }
  throw new InvalidArgumentError(option, value, 'expected a number of seconds or a duration string');
}

// The ranges below are RQ's own checks (`Queue.create_job`, the same in 1.13, 1.16 and 2.x): a zero
// `job_timeout` and a `ttl` that is not positive are refused. RQ also takes any negative result or failure
// TTL, but only -1 works: its workers `EXPIRE` the results stream with any other negative TTL, which deletes
// the result (or the traceback) at once while the job stays "finished" for ever; rqts refuses those.

/**
 * `jobTimeout`: any whole number of seconds but 0 (RQ: "0 timeout is not allowed"). -1 means no limit, and
 * so does any other negative value on every worker (`signal.alarm` wraps it to ~136 years; the Node worker
 * and RQ's timer-based death penalty skip timeouts <= 0).
 */
export function parseJobTimeout(value: Duration | null | undefined, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  const s = parseDuration('jobTimeout', value);
  if (s === 0) throw new InvalidArgumentError('jobTimeout', value, 'expected seconds other than 0 (-1 for no limit), as RQ requires');
  return s;
}

/** A result or failure TTL: seconds >= 0, or -1 / null to keep forever (see above for other negatives). */
function parseKeepTtl(option: string, value: Duration | null): number {
  if (value === null) return -1;
  const s = parseDuration(option, value);
  if (s < -1) {
    throw new InvalidArgumentError(option, value, 'expected seconds >= 0, or -1 to keep forever (RQ workers delete the result at once on other negative values)');
  }
  return s;
}

/** `resultTtl`: 0 deletes the job once it succeeds; -1 (or null) keeps it forever; undefined = the worker's default (500 s). */
export function parseResultTtl(value: Duration | null | undefined): number | undefined {
  return value === undefined ? undefined : parseKeepTtl('resultTtl', value);
}

/**
 * `failureTtl`: 0 deletes the job as soon as it fails (RQ's failed registry calls `cleanup(0)`); -1 (or
 * null) keeps it forever; undefined = one year (worker default).
 */
export function parseFailureTtl(value: Duration | null | undefined): number | undefined {
  return value === undefined ? undefined : parseKeepTtl('failureTtl', value);
}

/**
 * `ttl` (time a job may wait before it runs): seconds > 0, or undefined/null for no limit. RQ rejects 0 and
 * negatives ("Job ttl must be greater than 0"), -1 included.
 */
export function parseTtl(value: Duration | null | undefined): number | undefined {
  if (value === undefined || value === null) return undefined;
  const s = parseDuration('ttl', value);
  if (s <= 0) throw new InvalidArgumentError('ttl', value, 'expected seconds > 0 (or null for no limit), as RQ requires');
  return s;
}

/** Job ids every RQ version can load: `[A-Za-z0-9_-]+` (protocol §8.1). */
export function validateJobId(value: unknown, option = 'jobId'): string {
  if (typeof value !== 'string' || !JOB_ID_PATTERN.test(value)) {
    throw new InvalidArgumentError(option, value, 'job ids may contain only letters, digits, "_" and "-" (RQ 2.8+ rule)');
  }
  return value;
}

/** A Python dotted path such as `billing.tasks.charge` or `pkg.mod.Class.method`. */
export function validateFuncName(value: unknown, option = 'func'): string {
  if (typeof value !== 'string' || !FUNC_NAME_PATTERN.test(value)) {
    throw new InvalidArgumentError(option, value, "expected a Python dotted path such as 'pkg.module.function'");
  }
  return value;
}

/** Queue names: non-empty, no whitespace or `:` (they become part of key names). */
export function validateQueueName(value: unknown): string {
  if (typeof value !== 'string' || !QUEUE_NAME_PATTERN.test(value)) {
    throw new InvalidArgumentError('queue name', value, 'expected a non-empty name without spaces or ":"');
  }
  return value;
}

/** Reject option keys that are not in `allowed`, naming the closest known one. */
export function rejectUnknownOptions(where: string, options: object, allowed: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      const hint = allowed.find((a) => a.toLowerCase() === key.toLowerCase().replace(/_/g, ''));
      throw new InvalidArgumentError(`${where} option "${key}"`, (options as Record<string, unknown>)[key],
        hint ? `unknown option; did you mean "${hint}"?` : `unknown option; known options: ${allowed.join(', ')}`);
    }
  }
}
