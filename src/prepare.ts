/**
 * Enqueue options → a validated job record, with no I/O (RQ's `Queue.prepare_data` + `Job.create`).
 * Everything a caller can get wrong is rejected here, before any Redis command is sent.
 */
import { randomUUID } from 'node:crypto';
import { toCallback, type CallbackLike } from './callbacks.js';
import type { RedisPipeline } from './connection.js';
import { storeCall, type ResultRef } from './dataflow.js';
import { resolveDependsOn, type DependsOn, type JobRef } from './dependencies.js';
import { resolveHold, type Hold } from './deferred.js';
import { InvalidArgumentError } from './errors.js';
import { encodePayload } from './payload.js';
import { formatDescription } from './py/repr.js';
import { emptyRecord, type JobRecord } from './record.js';
import { Repeat } from './repeat.js';
import { Retry } from './retry.js';
import { toWebhooks, type Webhook, type WebhookOptions } from './webhook.js';
import type { Serializer } from './serializers/serializer.js';
import { isPlainObject } from './py/values.js';
import {
  parseFailureTtl,
  parseJobTimeout,
  parseResultTtl,
  parseTtl,
  rejectUnknownOptions,
  validateFuncName,
  validateJobId,
  type Duration,
} from './validate.js';

/** Options of {@link Queue.enqueueCall}; the RQ keyword each one maps to is in its description. */
export interface EnqueueCallOptions {
  /** Positional arguments (`args=`). */
  args?: readonly unknown[];
  /** Keyword arguments (`kwargs=`). */
  kwargs?: Record<string, unknown>;
  /** Job id (`job_id=`); letters, digits, `_` and `-` only. @defaultValue a random UUID4 */
  jobId?: string;
  /** Seconds or `'5m'`-style; -1 = no limit (`job_timeout=`). @defaultValue the queue's default, 180 s */
  jobTimeout?: Duration;
  /** How long a success is kept; 0 = delete at once; -1 or null = forever (`result_ttl=`). @defaultValue 500 s (worker) */
  resultTtl?: Duration | null;
  /** How long the job may wait in the queue before it expires (`ttl=`). @defaultValue no limit */
  ttl?: Duration | null;
  /** How long a failure is kept; -1 or null = forever (`failure_ttl=`). @defaultValue one year (worker) */
  failureTtl?: Duration | null;
  /** Display text (`description=`). @defaultValue the Python call string, e.g. `mylib.add(1, 2)` */
  description?: string;
  /** Metadata dict, stored with the queue's serializer (`meta=`). */
  meta?: Record<string, unknown>;
  /** Push to the front of the queue (`at_front=`). @defaultValue false */
  atFront?: boolean;
  /** Refuse to overwrite an existing job with this id: {@link DuplicateJobError} (`unique=`, RQ 2.8+). */
  unique?: boolean;
  /**
   * Jobs to wait for: a Job, an id, a {@link Dependency}, or a list (`depends_on=`). Every one must exist.
   * The job is queued at once when all have finished, else deferred until a worker finishes them.
   */
  dependsOn?: DependsOn;
  /** Retry policy on failure (`retry=`). */
  retry?: Retry;
  /** Run again after each success, `times` more times (`repeat=`, RQ 2.2+; 1.x workers run it once). */
  repeat?: Repeat;
  /** HTTP requests an RQ 2.10+ worker sends when the job finishes or fails (`webhooks=`; older workers ignore them). */
  webhooks?: readonly (Webhook | WebhookOptions)[];
  /** Python callback after success (`on_success=`): a dotted path or a {@link Callback}. */
  onSuccess?: CallbackLike;
  /** Python callback after failure (`on_failure=`). */
  onFailure?: CallbackLike;
  /** Python callback after a stop (`on_stopped=`, RQ 1.15+; older workers ignore it). */
  onStopped?: CallbackLike;
  /**
   * Write the job inside the caller's transaction (`pipeline=`): a `multi()` of this queue's client (or of a
   * duplicate from `connection.openDuplicate()`, for WATCH). Everything is validated now and the Job returned
   * at once; nothing is written until the caller's `exec()`, and a discarded transaction writes nothing.
   */
  pipeline?: RedisPipeline;
  /**
   * Create a *future*: status `deferred`, never pushed, until {@link release} queues the jobs `blockedBy` it
   * and then (when they have all finished) the future itself. Not an RQ option (RQ fork semantics).
   */
  deferred?: boolean;
  /**
   * Hold this job for a future (a Job or an id, in any queue): it runs when the future is released, and the
   * future runs after it. `dependsOn` may only name that same future.
   */
  blockedBy?: JobRef;
  /** With `deferred: true`: the future runs even when a job it waits for failed. */
  allowFailure?: boolean;
}

export const ENQUEUE_OPTIONS = [
  'args', 'kwargs', 'jobId', 'jobTimeout', 'resultTtl', 'ttl', 'failureTtl', 'description', 'meta', 'atFront', 'unique',
  'dependsOn', 'retry', 'onSuccess', 'onFailure', 'onStopped', 'pipeline', 'repeat', 'webhooks', 'deferred', 'blockedBy', 'allowFailure',
] as const;


/**
 * Jobs made by `Job.create` and not enqueued yet, with what `queue.enqueueJob` needs to write them; an
 * entry goes once the job is enqueued, so one created job is written once.
 */
export const createdJobs = new WeakMap<object, { prepared: PreparedJob; timeoutGiven: boolean }>();

/** Where a job is being prepared for. */
export interface PrepareContext {
  queue: string;
  serializer: Serializer;
  /** Seconds, used when the options set no `jobTimeout`. */
  defaultTimeout: number;
}

/** A validated job, ready to be written. */
export interface PreparedJob {
  funcName: string;
  args: readonly unknown[];
  kwargs: Record<string, unknown>;
  /** Status and timestamps are set by the writer. */
  record: JobRecord;
  atFront: boolean;
  unique: boolean;
  /** The caller's `meta`, kept so a writer can add entries (the trace context) before it is stored. */
  meta?: Record<string, unknown>;
  /** A future, or a job held for one (`deferred.ts`); null for every other job. */
  hold: Hold | null;
  /** Jobs whose results the arguments take (`resultOf`); they are dependencies too. */
  referencedIds: readonly string[];
  /** The references made from Job objects, whose Redis is checked before writing. */
  references: readonly ResultRef[];
}

/**
 * Validate enqueue options and build the job record.
 * @throws InvalidArgumentError naming the option and value at fault.
 */
export function prepareJob(ctx: PrepareContext, func: string, options: EnqueueCallOptions = {}): PreparedJob {
  const funcName = validateFuncName(func);
  if (!options || typeof options !== 'object') throw new InvalidArgumentError('options', options, 'expected an object');
  rejectUnknownOptions('enqueueCall', options, ENQUEUE_OPTIONS);
  const args = options.args ?? [];
  if (!Array.isArray(args)) throw new InvalidArgumentError('args', args, 'expected an array');
  const kwargs = options.kwargs ?? {};
  if (!isPlainObject(kwargs)) throw new InvalidArgumentError('kwargs', kwargs, 'expected a plain object');
  const id = options.jobId === undefined ? randomUUID() : validateJobId(options.jobId);
  if (options.description !== undefined && typeof options.description !== 'string') {
    throw new InvalidArgumentError('description', options.description, 'expected a string');
  }
  if (options.meta !== undefined && !isPlainObject(options.meta)) {
    throw new InvalidArgumentError('meta', options.meta, 'expected a plain object');
  }
  for (const flag of ['atFront', 'unique'] as const) {
    if (options[flag] !== undefined && typeof options[flag] !== 'boolean') {
      throw new InvalidArgumentError(flag, options[flag], 'expected a boolean');
    }
  }
  if (options.unique && options.jobId === undefined) {
    throw new InvalidArgumentError('unique', true, 'unique jobs need an explicit jobId (as in RQ)');
  }
  const deps = resolveDependsOn(options.dependsOn);
  // resultOf() references become dependencies: the job runs once every referenced job has finished.
  const call = storeCall(funcName, args, kwargs);
  for (const id of call.referencedIds) if (!deps.ids.includes(id)) deps.ids.push(id);
  if (options.unique && deps.ids.length > 0) {
    throw new InvalidArgumentError('unique', true, 'cannot be combined with dependsOn or resultOf() arguments (as in RQ)');
  }
  if (deps.ids.includes(id)) throw new InvalidArgumentError('dependsOn', id, 'a job cannot depend on itself');
  if (call.referencedIds.length > 0 && options.blockedBy !== undefined) {
    // A held job has no dependencies of its own (its future depends on it), so it cannot wait for results.
    throw new InvalidArgumentError('blockedBy', options.blockedBy, 'cannot be combined with resultOf() arguments: a held job has no dependencies of its own to wait for their results');
  }
  const held = resolveHold(options, id, deps);
  // A future's checks (does it exist, is it released?) answer in the script's reply, which a caller's
  // transaction only delivers at exec(): too late to reject, so the two are not combined.
  if (held.hold !== null && options.pipeline !== undefined) {
    throw new InvalidArgumentError('pipeline', '(a transaction)', 'cannot be combined with deferred or blockedBy');
  }
  if (options.retry !== undefined && !(options.retry instanceof Retry)) {
    throw new InvalidArgumentError('retry', options.retry, 'expected new Retry({ max, interval })');
  }
  if (options.repeat !== undefined && !(options.repeat instanceof Repeat)) {
    throw new InvalidArgumentError('repeat', options.repeat, 'expected new Repeat({ times, interval })');
  }
  const webhooks = options.webhooks === undefined ? null : toWebhooks(options.webhooks);
  const callbacks = {
    success: toCallback('onSuccess', options.onSuccess),
    failure: toCallback('onFailure', options.onFailure),
    stopped: toCallback('onStopped', options.onStopped),
  };

  const data = encodePayload(ctx.serializer, call.funcName, call.args, call.kwargs);
  const record = emptyRecord(id, ctx.queue, data);
  // RQ stores `description or job.get_call_string()`: an empty description gets the call string too.
  record.description = options.description || formatDescription(funcName, args, kwargs);
  record.timeout = parseJobTimeout(options.jobTimeout, ctx.defaultTimeout);
  record.resultTtl = parseResultTtl(options.resultTtl) ?? null;
  record.failureTtl = parseFailureTtl(options.failureTtl) ?? null;
  record.ttl = parseTtl(options.ttl) ?? null;
  if (options.meta && Object.keys(options.meta).length > 0) record.meta = dumpsOption(ctx.serializer, 'meta', options.meta);
  record.dependencyIds = held.dependencyIds;
  // RQ sets both flags (to False when not asked for) as soon as a Dependency object is given.
  if (deps.fromDependency && held.hold?.kind !== 'blocked') {
    record.allowDependencyFailures = deps.allowFailure;
    record.enqueueAtFront = deps.enqueueAtFront;
  }
  if (held.allowFailure) record.allowDependencyFailures = true;
  // A held job is pushed by release, which reads enqueue_at_front as a worker releasing a dependent does.
  if (held.hold?.kind === 'blocked' && (options.atFront || held.atFrontOnRelease)) record.enqueueAtFront = true;
  if (options.retry) {
    record.retriesLeft = options.retry.max;
    record.retryIntervals = [...options.retry.intervals];
    if (options.retry.enqueueAtFront) record.enqueueAtFrontOnRetry = true;
  }
  if (options.repeat) {
    record.repeatsLeft = options.repeat.times;
    record.repeatIntervals = [...options.repeat.intervals];
  }
  if (webhooks && webhooks.length > 0) record.webhooks = webhooks.map((w) => w.toDict());
  record.successCallbackName = callbacks.success?.funcName ?? null;
  record.successCallbackTimeout = callbacks.success?.timeout ?? null;
  record.failureCallbackName = callbacks.failure?.funcName ?? null;
  record.failureCallbackTimeout = callbacks.failure?.timeout ?? null;
  record.stoppedCallbackName = callbacks.stopped?.funcName ?? null;
  record.stoppedCallbackTimeout = callbacks.stopped?.timeout ?? null;
  return {
    funcName, args, kwargs, record, atFront: options.atFront ?? false, unique: options.unique ?? false, meta: options.meta, hold: held.hold,
    referencedIds: call.referencedIds, references: call.references,
  };
}

function dumpsOption(serializer: Serializer, option: string, value: unknown): Buffer {
  try {
    return serializer.dumps(value);
  } catch (error) {
    if (error instanceof InvalidArgumentError) {
      throw new InvalidArgumentError(option, value, error.message, { cause: error });
    }
    throw error;
  }
}

