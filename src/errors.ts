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

/** Base of the errors about one job's outcome or state; carries the job id. */
export class JobError extends RqtsError {
  override name = 'JobError';
  readonly jobId: string;
  constructor(jobId: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.jobId = jobId;
  }
}

/** The job hash does not exist (never created, deleted, or expired). */
export class NoSuchJobError extends JobError {
  override name = 'NoSuchJobError';
  constructor(jobId: string) {
    super(jobId, `No such job: ${jobId}`);
  }
}

/** The job is not in a state that allows this (RQ's `InvalidJobOperation`), e.g. requeueing a job that did not fail. */
export class InvalidOperationError extends JobError {
  override name = 'InvalidOperationError';
}

/** A job with this id already exists and `unique: true` was asked for. Nothing was written. */
export class DuplicateJobError extends JobError {
  override name = 'DuplicateJobError';
  constructor(jobId: string) {
    super(jobId, `Job ${jobId} already exists (unique: true)`);
  }
}

/** The job failed on the worker. Carries the Python traceback text and exception type. */
export class JobFailedError extends JobError {
  override name = 'JobFailedError';
  /** The traceback text the worker stored (`exc_string`). */
  readonly excInfo: string | null;
  /** The exception type named on the traceback's last line, e.g. `ValueError`. */
  readonly excType: string | null;
  constructor(jobId: string, excInfo: string | null) {
    const excType = excInfo ? lastExceptionType(excInfo) : null;
    super(jobId, `Job ${jobId} failed${excType ? `: ${lastLine(excInfo!)}` : ''}`);
    this.excInfo = excInfo;
    this.excType = excType;
  }
}

/** The job was stopped (RQ's stop-job command). */
export class JobStoppedError extends JobError {
  override name = 'JobStoppedError';
  constructor(jobId: string) {
    super(jobId, `Job ${jobId} was stopped`);
  }
}

/** The job was canceled. */
export class JobCanceledError extends JobError {
  override name = 'JobCanceledError';
  constructor(jobId: string) {
    super(jobId, `Job ${jobId} was canceled`);
  }
}

/** A wait ran past its deadline. */
export class WaitTimeoutError extends JobError {
  override name = 'WaitTimeoutError';
  readonly timeoutMs: number;
  constructor(jobId: string, timeoutMs: number) {
    super(jobId, `Timed out after ${timeoutMs} ms waiting for job ${jobId}`);
    this.timeoutMs = timeoutMs;
  }
}

/** No worker of this name is registered (its `rq:worker:<name>` hash is gone, or it never existed). */
export class NoSuchWorkerError extends RqtsError {
  override name = 'NoSuchWorkerError';
  readonly workerName: string;
  constructor(workerName: string) {
    super(`No such worker: ${workerName} (not registered)`);
    this.workerName = workerName;
  }
}

/**
 * A job's argument referred (with `resultOf`) to a job that has no return value to give: it failed, was
 * deleted, or its result expired. `jobId` is that parent's id. The Node worker fails the dependent job with it.
 */
export class ParentJobError extends JobError {
  override name = 'ParentJobError';
}

/** No group of that name exists (`rq:group:<name>` is gone: never made, deleted, or every job expired). */
export class NoSuchGroupError extends RqtsError {
  override name = 'NoSuchGroupError';
  readonly groupName: string;
  constructor(groupName: string) {
    super(`No such group: ${groupName}`);
    this.groupName = groupName;
  }
}

/** Some jobs of a group failed (or were stopped, canceled, deleted): `failures` holds each one's error. */
export class GroupFailedError extends RqtsError {
  override name = 'GroupFailedError';
  readonly groupName: string;
  readonly failures: readonly { jobId: string; error: unknown }[];
  constructor(groupName: string, total: number, failures: readonly { jobId: string; error: unknown }[]) {
    const first = failures[0];
    super(`${failures.length} of ${total} jobs of group ${groupName} did not succeed; first: ${first?.jobId}: ${(first?.error as Error)?.message ?? String(first?.error)}`);
    this.groupName = groupName;
    this.failures = failures;
  }
}

/**
 * Redis could not be reached, or a command failed after the retry budget was spent. `code` names a known
 * cause when there is one (`ECONNREFUSED`, `ENOTFOUND`, a TLS code such as `SELF_SIGNED_CERT_IN_CHAIN`).
 */
export class ConnectionError extends RqtsError {
  override name = 'ConnectionError';
  /** The system or TLS error code behind it, when known. */
  readonly code: string | null;
  constructor(message: string, options?: { cause?: unknown; code?: string | null }) {
    super(message, options);
    this.code = options?.code ?? null;
  }
}

/** Redis answered a command with an error reply. `message` keeps the server's text; `reply` is that text alone. */
export class RedisReplyError extends RqtsError {
  override name = 'RedisReplyError';
  /** The server's error text, e.g. `WRONGTYPE Operation against a key holding the wrong kind of value`. */
  readonly reply: string;
  constructor(reply: string, options?: { cause?: unknown; message?: string }) {
    super(options?.message ?? `Redis replied: ${reply}`, options);
    this.reply = reply;
  }
}

/** Redis refused the credentials, or needs some and none were given (`NOAUTH`, `WRONGPASS`). */
export class AuthenticationError extends RedisReplyError {
  override name = 'AuthenticationError';
}

/** The ACL user may not run a command or touch a key or channel (`NOPERM`). */
export class PermissionError extends RedisReplyError {
  override name = 'PermissionError';
}

/**
 * A streamed enqueue (`queue.enqueueStream`) stopped at a failed batch, which wrote nothing (each batch is
 * atomic). `written` counts the jobs of the batches that were written (those sent before the failure was
 * known), `cause` says why the batch failed.
 */
export class PartialEnqueueError extends RqtsError {
  override name = 'PartialEnqueueError';
  /** Jobs written before the failure (whole batches). */
  readonly written: number;
  constructor(written: number, cause: unknown) {
    super(`Enqueued ${written} jobs, then a batch failed (nothing of it was written): ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.written = written;
  }
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
