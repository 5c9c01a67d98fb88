/**
 * Typed errors. Every error rqts throws extends {@link RqtsError}, so callers can catch anything from rqts
 * with one `instanceof` check, and each class carries the data a program needs (job id, option, value).
 */

/** Base class of every error rqts throws. */
export class RqtsError extends Error {
  override name = 'RqtsError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * A bad option, job id, function path, serializer name, URL or a value that cannot be serialized.
 * Raised before anything is written to Redis.
 */
export class InvalidArgumentError extends RqtsError {
  override name = 'InvalidArgumentError';
  /** The option or argument at fault, e.g. `jobTimeout` or `args[1]`. */
  readonly option: string;
  /** The offending value. */
  readonly value: unknown;
  constructor(option: string, value: unknown, reason: string, options?: { cause?: unknown }) {
    super(`Invalid ${option} (${describeValue(value)}): ${reason}`, options);
    this.option = option;
    this.value = value;
  }
}

/** Bytes read from Redis could not be decoded (malformed pickle/JSON, or limits exceeded). */
export class DeserializationError extends RqtsError {
  override name = 'DeserializationError';
}

/** The job hash does not exist (never created, deleted, or expired). */
export class NoSuchJobError extends RqtsError {
  override name = 'NoSuchJobError';
  readonly jobId: string;
  constructor(jobId: string) {
    super(`No such job: ${jobId}`);
    this.jobId = jobId;
  }
}

/** The job is not in a state that allows this (RQ's `InvalidJobOperation`), e.g. requeueing a job that did not fail. */
export class InvalidOperationError extends RqtsError {
  override name = 'InvalidOperationError';
  readonly jobId: string;
  constructor(jobId: string, message: string) {
    super(message);
    this.jobId = jobId;
  }
}

/** A job with this id already exists and `unique: true` was asked for. Nothing was written. */
export class DuplicateJobError extends RqtsError {
  override name = 'DuplicateJobError';
  readonly jobId: string;
  constructor(jobId: string) {
    super(`Job ${jobId} already exists (unique: true)`);
    this.jobId = jobId;
  }
}

/** The job failed on the worker. Carries the Python traceback text and exception type. */
export class JobFailedError extends RqtsError {
  override name = 'JobFailedError';
  readonly jobId: string;
  /** The traceback text the worker stored (`exc_string`). */
  readonly excInfo: string | null;
  /** The exception type named on the traceback's last line, e.g. `ValueError`. */
  readonly excType: string | null;
  constructor(jobId: string, excInfo: string | null) {
    const excType = excInfo ? lastExceptionType(excInfo) : null;
    super(`Job ${jobId} failed${excType ? `: ${lastLine(excInfo!)}` : ''}`);
    this.jobId = jobId;
    this.excInfo = excInfo;
    this.excType = excType;
  }
}

/** The job was stopped (RQ's stop-job command). */
export class JobStoppedError extends RqtsError {
  override name = 'JobStoppedError';
  readonly jobId: string;
  constructor(jobId: string) {
    super(`Job ${jobId} was stopped`);
    this.jobId = jobId;
  }
}

/** The job was canceled. */
export class JobCanceledError extends RqtsError {
  override name = 'JobCanceledError';
  readonly jobId: string;
  constructor(jobId: string) {
    super(`Job ${jobId} was canceled`);
    this.jobId = jobId;
  }
}

/** A wait ran past its deadline. */
export class WaitTimeoutError extends RqtsError {
  override name = 'WaitTimeoutError';
  readonly jobId: string;
  readonly timeoutMs: number;
  constructor(jobId: string, timeoutMs: number) {
    super(`Timed out after ${timeoutMs} ms waiting for job ${jobId}`);
    this.jobId = jobId;
    this.timeoutMs = timeoutMs;
  }
}

/** Redis could not be reached, or a command failed after the retry budget was spent. */
export class ConnectionError extends RqtsError {
  override name = 'ConnectionError';
}

/** A short, safe rendering of a value for error messages. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
  if (typeof value === 'symbol') return value.toString();
  if (value === null || typeof value !== 'object') return String(value);
  if (Array.isArray(value)) return `array(${value.length})`;
  const ctor = (value as object).constructor?.name;
  return ctor && ctor !== 'Object' ? `${ctor} object` : 'object';
}

function lastLine(text: string): string {
  const lines = text.trimEnd().split('\n');
  return lines[lines.length - 1] ?? '';
}

/** `ValueError: boom` → `ValueError`; `rq.timeouts.JobTimeoutException: …` → the dotted name. */
function lastExceptionType(text: string): string | null {
  const m = /^([A-Za-z_][\w.]*)(?::|$)/.exec(lastLine(text).trim());
  return m?.[1] ?? null;
}
