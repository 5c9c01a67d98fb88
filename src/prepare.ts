/**
 * Enqueue options → a validated job record, with no I/O (RQ's `Queue.prepare_data` + `Job.create`).
 * Everything a caller can get wrong is rejected here, before any Redis command is sent.
 */
import { randomUUID } from 'node:crypto';
import { toCallback, type CallbackLike } from './callbacks.js';
import { storeCall, type ResultRef } from './dataflow.js';
import { resolveDependsOn, type DependsOn } from './dependencies.js';
import { InvalidArgumentError } from './errors.js';
import { encodePayload } from './payload.js';
import { formatDescription } from './py/repr.js';
import { emptyRecord, type JobRecord } from './record.js';
import { Retry } from './retry.js';
import type { Serializer } from './serializers/serializer.js';
import {
  isPlainObject,
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
  /** Python callback after success (`on_success=`): a dotted path or a {@link Callback}. */
  onSuccess?: CallbackLike;
  /** Python callback after failure (`on_failure=`). */
  onFailure?: CallbackLike;
  /** Python callback after a stop (`on_stopped=`, RQ 1.15+; older workers ignore it). */
  onStopped?: CallbackLike;
}

export const ENQUEUE_OPTIONS = [
  'args', 'kwargs', 'jobId', 'jobTimeout', 'resultTtl', 'ttl', 'failureTtl', 'description', 'meta', 'atFront', 'unique',
  'dependsOn', 'retry', 'onSuccess', 'onFailure', 'onStopped',
] as const;


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
  if (options.retry !== undefined && !(options.retry instanceof Retry)) {
    throw new InvalidArgumentError('retry', options.retry, 'expected new Retry({ max, interval })');
  }
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
  record.dependencyIds = deps.ids;
  // RQ sets both flags (to False when not asked for) as soon as a Dependency object is given.
  if (deps.fromDependency) {
    record.allowDependencyFailures = deps.allowFailure;
    record.enqueueAtFront = deps.enqueueAtFront;
  }
  if (options.retry) {
    record.retriesLeft = options.retry.max;
    record.retryIntervals = [...options.retry.intervals];
    if (options.retry.enqueueAtFront) record.enqueueAtFrontOnRetry = true;
  }
  record.successCallbackName = callbacks.success?.funcName ?? null;
  record.successCallbackTimeout = callbacks.success?.timeout ?? null;
  record.failureCallbackName = callbacks.failure?.funcName ?? null;
  record.failureCallbackTimeout = callbacks.failure?.timeout ?? null;
  record.stoppedCallbackName = callbacks.stopped?.funcName ?? null;
  record.stoppedCallbackTimeout = callbacks.stopped?.timeout ?? null;
  return {
    funcName, args, kwargs, record, atFront: options.atFront ?? false, unique: options.unique ?? false, meta: options.meta,
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

