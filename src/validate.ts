/**
 * Pure validators for everything a caller hands rqts. Each returns the value as RQ stores it or throws an
 * {@link InvalidArgumentError} naming the option, before any Redis command is sent.
 */
import { InvalidArgumentError } from './errors.js';
import { FUNC_NAME_PATTERN, JOB_ID_PATTERN, QUEUE_NAME_PATTERN } from './protocol.js';

/** Seconds as a number, or RQ's duration strings: `'30s'`, `'5m'`, `'1h'`, `'2d'` (also plain `'90'`). */
export type Duration = number | string;

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/**
 * Parse a duration into whole seconds the way RQ's `parse_timeout` does, but stricter: fractions and
 * unknown units are rejected instead of being stored as strings a worker cannot `int()`.
 */
export function parseDuration(option: string, value: Duration): number {
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new InvalidArgumentError(option, value, 'expected whole seconds');
    return value;
  }
  if (typeof value === 'string') {
    const m = /^(-?\d+)([smhdSMHD]?)$/.exec(value.trim());
    if (!m) throw new InvalidArgumentError(option, value, "expected seconds or a duration like '30s', '5m', '1h', '2d'");
    const seconds = Number(m[1]) * (UNIT_SECONDS[(m[2] || 's').toLowerCase()] ?? 1);
    if (!Number.isSafeInteger(seconds)) throw new InvalidArgumentError(option, value, 'too large');
    return seconds;
  }
  throw new InvalidArgumentError(option, value, 'expected a number of seconds or a duration string');
}

/** `jobTimeout`: positive seconds, or -1 for no limit (RQ rejects 0). */
export function parseJobTimeout(value: Duration | null | undefined, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  const s = parseDuration('jobTimeout', value);
  if (s === 0 || s < -1) throw new InvalidArgumentError('jobTimeout', value, 'expected seconds > 0, or -1 for no limit');
  return s;
}

/** `resultTtl`: seconds ≥ 0 (0 = delete at once), or -1 / null to keep forever; undefined = worker default. */
export function parseResultTtl(value: Duration | null | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (value === null) return -1;
  const s = parseDuration('resultTtl', value);
  if (s < -1) throw new InvalidArgumentError('resultTtl', value, 'expected seconds >= 0, or -1 to keep forever');
  return s;
}

/** `failureTtl`: seconds > 0, or -1 / null for forever; undefined = one year (worker default). */
export function parseFailureTtl(value: Duration | null | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (value === null) return -1;
  const s = parseDuration('failureTtl', value);
  if (s === 0 || s < -1) throw new InvalidArgumentError('failureTtl', value, 'expected seconds > 0, or -1 to keep forever');
  return s;
}

/** `ttl` (time a job may wait in its queue): seconds > 0; undefined/null/-1 = no limit. */
export function parseTtl(value: Duration | null | undefined): number | undefined {
  if (value === undefined || value === null) return undefined;
  const s = parseDuration('ttl', value);
  if (s === -1) return undefined;
  if (s <= 0) throw new InvalidArgumentError('ttl', value, 'expected seconds > 0, or -1 / null for no limit');
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

/** A plain `{}` object (not an array, Map, Date or class instance). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
