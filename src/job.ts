/**
 * A job: a snapshot of its fixed facts (id, function, arguments, origin…) plus promise accessors for
 * everything a worker changes (status, result, timestamps, meta). Mirrors RQ's `rq.job.Job`.
 */
import { Connection, type Reply, type SharedConnection } from './connection.js';
import {
  DeserializationError,
  InvalidArgumentError,
  InvalidOperationError,
  JobCanceledError,
  JobFailedError,
  JobStoppedError,
  NoSuchJobError,
  WaitTimeoutError,
} from './errors.js';
import { dependenciesKey, dependentsKey, executionKey, groupKey, jobKey, queueKey, queuesKey, registryKeys, resultsKey, workerCommandChannel } from './keys.js';
import { CANCEL_JOB, CANCEL_JOB_WITH_OPTIONS, CancelOutcome, DELETE_JOB, jobOperationKeys, SAVE_META } from './scripts.js';
import { cancelFuture, deleteHeldFuture, release, type ReleaseResult } from './deferred.js';
import { requeueFromRegistry } from './requeue.js';
import { isPlainObject } from './py/values.js';
import { asResultRef, userCall, type ResultRef } from './dataflow.js';
import { decodePayload, loadsFor, type Payload } from './payload.js';
import { createdJobs, prepareJob, type EnqueueCallOptions } from './prepare.js';
import { Defaults, JobStatus, ResultType } from './protocol.js';
import { fieldsFromReply, formatDatetime, nowMicros, parseDatetime, recordFromFields, type JobRecord, type WebhookRecord } from './record.js';
import { fetchLatestResult, fetchResults, parseResultEntry, type Result } from './results.js';
import { resolveSerializer, type SerializerLike } from './serializers/index.js';
import type { Serializer } from './serializers/serializer.js';
import { validateJobId } from './validate.js';
import { otel, traceWait } from './telemetry.js';
import { waiterFor, type WaitOptions } from './waiter.js';

/** Statuses after which no more results come. */
const DONE = new Set<string>([JobStatus.FINISHED, JobStatus.FAILED, JobStatus.STOPPED]);

/** Where a job lives and how its payloads are encoded. */
export interface JobContext {
  /** A Connection or node-redis client (open one with `connect(url)` and share it). */
  connection: SharedConnection;
  /**
   * Must match the workers' `--serializer`.
   * @defaultValue `'pickle'`
   */
  serializer?: SerializerLike;
}

/**
 * A job in Redis.
 *
 * @typeParam R - the type of the job's return value.
 * @see RQ `rq.job.Job`
 */
export class Job<R = unknown> {
  readonly id: string;
  readonly connection: Connection;
  readonly serializer: Serializer;
  #record: JobRecord;
  #payload: Payload | null = null;

  /**
   * @internal A job from a record rqts read or wrote. Users get jobs from {@link Job.fetch} or
   * `queue.enqueue`; the constructor is private so the public types offer no other way.
   */
  static fromRecord<R = unknown>(record: JobRecord, connection: Connection, serializer: Serializer, payload?: Payload): Job<R> {
    return new Job<R>(record, connection, serializer, payload);
  }

  private constructor(record: JobRecord, connection: Connection, serializer: Serializer, payload?: Payload) {
    this.id = record.id;
    this.#record = record;
    this.connection = connection;
    this.serializer = serializer;
    this.#payload = payload ?? null;
  }

  /**
   * A job prepared but not written (RQ's `Job.create`): every option is validated now; `queue.enqueueJob(job)`
   * writes it. Takes {@link EnqueueCallOptions} (all but `pipeline`, which goes to `enqueueJob`).
   * @throws InvalidArgumentError for a bad path or option.
   * @see RQ `Job.create`
   */
  static create<R = unknown>(func: string, options: Omit<EnqueueCallOptions, 'pipeline'> & JobContext): Job<R> {
    if (!options || typeof options !== 'object') throw new InvalidArgumentError('options', options, 'expected { connection, … }');
    const { connection, serializer: serializerLike, ...enqueue } = options;
    if ((enqueue as EnqueueCallOptions).pipeline !== undefined) {
      throw new InvalidArgumentError('pipeline', (enqueue as EnqueueCallOptions).pipeline, 'pass { pipeline } to queue.enqueueJob()');
    }
    const serializer = resolveSerializer(serializerLike ?? 'pickle');
    // The queue is not known yet: enqueueJob sets origin (and its default timeout when none was given).
    const prepared = prepareJob({ queue: '', serializer, defaultTimeout: Defaults.JOB_TIMEOUT }, func, enqueue);
    const job = new Job<R>(prepared.record, Connection.from(connection), serializer, {
      funcName: prepared.funcName, instance: null, args: prepared.args, kwargs: prepared.kwargs,
    });
    createdJobs.set(job, { prepared, timeoutGiven: enqueue.jobTimeout !== undefined });
    return job;
  }

  /**
   * Load a job.
   * @throws NoSuchJobError when the hash does not exist (or has no `data`).
   * @see RQ `Job.fetch`
   */
  static async fetch<R = unknown>(id: string, context: JobContext): Promise<Job<R>> {
    validateJobId(id, 'id');
    const job = (await Job.fetchMany<R>([id], context))[0];
    if (!job) throw new NoSuchJobError(id);
    return job;
  }

  /** Load several jobs in one round trip; missing ones are `null`, in the same positions. @see RQ `Job.fetch_many` */
  static async fetchMany<R = unknown>(ids: readonly string[], context: JobContext): Promise<(Job<R> | null)[]> {
    ids.forEach((id, i) => validateJobId(id, `ids[${i}]`));
    const connection = Connection.shared(context?.connection);
    const serializer = resolveSerializer(context.serializer ?? 'pickle');
    const replies = await connection.pipeline(ids.map((id) => ['HGETALL', jobKey(id)]));
    return replies.map((reply, i) => {
      const fields = fieldsFromReply(reply);
      if (!fields.has('data')) return null;
      return new Job<R>(recordFromFields(ids[i]!, fields), connection, serializer);
    });
  }

  /** Whether the job hash exists. @see RQ `Job.exists` */
  static async exists(id: string, context: { connection: SharedConnection }): Promise<boolean> {
    validateJobId(id);
    return (await Connection.shared(context?.connection).command(['EXISTS', jobKey(id)])) === 1;
  }

  // ---- fixed facts, from the snapshot --------------------------------------------------------------

  /** The Python dotted path (or, for Python method jobs, the method name). */
  get funcName(): string {
    return this.#decoded().funcName;
  }
  /** Positional arguments (a `py.tuple` when the payload holds a tuple). */
  get args(): readonly unknown[] {
    return this.#decoded().args;
  }
  /** Keyword arguments. */
  get kwargs(): Record<string, unknown> {
    return this.#decoded().kwargs;
  }
  /** The queue the job belongs to. */
  get origin(): string {
    return this.#record.origin;
  }
  get description(): string | null {
    return this.#record.description;
  }
  /** Seconds; -1 = no limit; null = the worker's default. */
  get timeout(): number | null {
    return this.#record.timeout;
  }
  get resultTtl(): number | null {
    return this.#record.resultTtl;
  }
  get failureTtl(): number | null {
    return this.#record.failureTtl;
  }
  get ttl(): number | null {
    return this.#record.ttl;
  }
  get createdAt(): Date | null {
    return this.#record.createdAt;
  }
  /** Ids of the jobs this one waits on. */
  /** Repeats still to come after a success (RQ 2.2+; `null` when the job does not repeat). As loaded. */
  get repeatsLeft(): number | null {
    return this.#record.repeatsLeft;
  }
  /** Seconds before each repeat (RQ 2.2+). As loaded. */
  get repeatIntervals(): readonly number[] | null {
    return this.#record.repeatIntervals;
  }
  /** The job's webhooks as stored (RQ 2.10+). */
  get webhooks(): readonly WebhookRecord[] {
    return this.#record.webhooks ?? [];
  }
  /** The group the job belongs to (RQ 2.x `Group`), or `null`. */
  get groupId(): string | null {
    return this.#record.groupId;
  }
  get dependencyIds(): readonly string[] {
    return this.#record.dependencyIds;
  }
  /** @internal The record as last loaded (a copy is not made; treat as read-only). */
  get record(): Readonly<JobRecord> {
    return this.#record;
  }

  // ---- live state, read from Redis ---------------------------------------------------------------

  /** The stored status, or `null` when the job no longer exists. @see RQ `Job.get_status` */
  get status(): Promise<JobStatus | null> {
    return this.#field('status').then((v) => (v ? (v.toString('utf8') as JobStatus) : null));
  }

  get isQueued(): Promise<boolean> {
    return this.#statusIs(JobStatus.QUEUED);
  }
  get isStarted(): Promise<boolean> {
    return this.#statusIs(JobStatus.STARTED);
  }
  get isFinished(): Promise<boolean> {
    return this.#statusIs(JobStatus.FINISHED);
  }
  get isFailed(): Promise<boolean> {
    return this.#statusIs(JobStatus.FAILED);
  }
  get isDeferred(): Promise<boolean> {
    return this.#statusIs(JobStatus.DEFERRED);
  }
  get isScheduled(): Promise<boolean> {
    return this.#statusIs(JobStatus.SCHEDULED);
  }
  get isCanceled(): Promise<boolean> {
    return this.#statusIs(JobStatus.CANCELED);
  }
  get isStopped(): Promise<boolean> {
    return this.#statusIs(JobStatus.STOPPED);
  }

  get enqueuedAt(): Promise<Date | null> {
    return this.#dateField('enqueued_at');
  }
  get startedAt(): Promise<Date | null> {
    return this.#dateField('started_at');
  }
  get endedAt(): Promise<Date | null> {
    return this.#dateField('ended_at');
  }

  /**
   * The return value: the newest successful result, else the legacy `result` hash field, else `null`.
   * @see RQ `Job.result` (deprecated there in favour of `return_value()`)
   */
  get result(): Promise<R | null> {
    return (async () => {
      // The traceback of a failure is not returned here, so it is not inflated either.
      const latest = await fetchLatestResult<R>(this.connection, this.serializer, this.id, 'returnValue');
      if (latest?.type === ResultType.SUCCESSFUL) return latest.returnValue;
      const legacy = await this.#field('result');
      return legacy && legacy.length > 0 ? (loadsFor(this.serializer, legacy, `Job ${this.id}'s result`) as R) : null;
    })();
  }

  /** The value of the newest result if it is a success, else `null`. @see RQ `Job.return_value` */
  async returnValue(): Promise<R | null> {
    const latest = await fetchLatestResult<R>(this.connection, this.serializer, this.id, 'returnValue');
    return latest?.type === ResultType.SUCCESSFUL ? latest.returnValue : null;
  }

  /** The newest result entry of any type. @see RQ `Job.latest_result` */
  latestResult(): Promise<Result<R> | null> {
    return fetchLatestResult<R>(this.connection, this.serializer, this.id);
  }

  /** Every stored result, newest first. @see RQ `Job.results` */
  results(): Promise<Result<R>[]> {
    return fetchResults<R>(this.connection, this.serializer, this.id);
  }

  /** The traceback of the newest failure, else the legacy `exc_info` field. @see RQ `Job.exc_info` */
  get excInfo(): Promise<string | null> {
    return (async () => {
      const latest = await fetchLatestResult<R>(this.connection, this.serializer, this.id, 'excString');
      if (latest?.type === ResultType.FAILED) return latest.excString;
      const fields = await this.#load();
      return fields ? recordFromFields(this.id, fields).excInfo : null;
    })();
  }

  /** The stored meta dict (`{}` when unset). @see RQ `Job.meta` */
  get meta(): Promise<Record<string, unknown>> {
    return this.#field('meta').then((raw) => {
      if (!raw || raw.length === 0) return {};
      const value = loadsFor(this.serializer, raw, `Job ${this.id}'s meta`);
      return value instanceof Map ? Object.fromEntries(value) : (value as Record<string, unknown>);
    });
  }

  /**
   * Wait for the job's outcome and return its value. A blocking read on the results stream, shared with
   * every other wait on this connection: no polling, and it resolves as soon as the worker writes.
   * When the job returns a reference to another job, the wait follows it (see {@link WaitOptions.follow}).
   * @throws JobFailedError (with the Python traceback and exception type), JobStoppedError,
   *   JobCanceledError, NoSuchJobError (deleted, e.g. `resultTtl: 0` jobs keep no result),
   *   WaitTimeoutError, InvalidOperationError when returned references form a cycle, or the AbortSignal's reason.
   */
  wait(options: WaitOptions & { follow: false }): Promise<R | ResultRef>;
  wait(options?: WaitOptions): Promise<R>;
  async wait(options: WaitOptions = {}): Promise<R | ResultRef> {
    const { timeout, follow = true } = options;
    if (timeout !== undefined && (!Number.isFinite(timeout) || timeout < 0)) {
      throw new InvalidArgumentError('timeout', timeout, 'expected milliseconds >= 0');
    }
    if (typeof follow !== 'boolean') throw new InvalidArgumentError('follow', follow, 'expected a boolean');
    let api = otel();
    if (api instanceof Promise) api = await api;
    if (!api) return this.#follow(options);
    return traceWait(api, { id: this.id, origin: this.origin, funcName: this.#funcNameOrEmpty() }, () => this.#follow(options));
  }

  /** For span attributes: a payload that does not decode must not fail the wait itself. */
  #funcNameOrEmpty(): string {
    try {
      return this.funcName;
    } catch {
      return '';
    }
  }

  /** Wait, following returned references: one deadline for the chain, a cycle is an error. */
  async #follow(options: WaitOptions): Promise<R | ResultRef> {
    const { timeout, follow = true } = options;
    const deadline = timeout === undefined ? undefined : Date.now() + timeout;
    // A job that returned a reference hands the wait on to the referenced job: one deadline for the chain.
    const seen = new Set<string>([this.id]);
    let job: Job = this;
    for (;;) {
      const remaining = deadline === undefined ? undefined : Math.max(0, deadline - Date.now());
      let value: unknown;
      try {
        value = await job.#wait({ ...options, timeout: remaining });
      } catch (error) {
        if (error instanceof WaitTimeoutError && job !== this) throw new WaitTimeoutError(this.id, timeout!);
        throw error;
      }
      const ref = asResultRef(value);
      if (!ref) return value as R;
      if (!follow) return ref;
      if (seen.has(ref.jobId)) {
        throw new InvalidOperationError(this.id, `Job ${this.id}: the chain of returned references loops back to job ${ref.jobId}`);
      }
      seen.add(ref.jobId);
      job = await Job.fetch(ref.jobId, { connection: this.connection, serializer: this.serializer });
    }
  }

  async #wait(options: WaitOptions): Promise<R> {
    const [status, latest] = await this.connection.pipeline([
      ['HGET', jobKey(this.id), 'status'],
      ['XREVRANGE', resultsKey(this.id), '+', '-', 'COUNT', '1'],
    ]);
    if (status === null) throw new NoSuchJobError(this.id);
    const state = String(status);
    if (state === JobStatus.CANCELED) throw new JobCanceledError(this.id);
    const newest = Array.isArray(latest) && latest.length > 0 ? latest[0]! : null;
    if (DONE.has(state) && newest) return this.#settle(newest);
    if (state === JobStatus.FINISHED) return (await this.result) as R; // legacy: no results stream
    // Anything written after the newest entry we saw is this run's outcome.
    const afterId = Array.isArray(newest) ? String(newest[0]) : '0-0';
    const entry = await waiterFor(this.connection).wait(this.id, afterId, options);
    return this.#settle(entry);
  }

  /** Decode only what the outcome needs: the value of a success, the traceback of a failure. */
  async #settle(entry: Reply): Promise<R> {
    const head = parseResultEntry<R>(entry, this.serializer, this.id, 'returnValue');
    if (head.type === ResultType.SUCCESSFUL) return head.returnValue as R;
    if ((await this.status) === JobStatus.STOPPED) throw new JobStoppedError(this.id);
    throw new JobFailedError(this.id, parseResultEntry<R>(entry, this.serializer, this.id, 'excString').excString);
  }

  /** Ids of jobs waiting on this one. @see RQ `Job.dependent_ids` */
  async dependentIds(): Promise<string[]> {
    const reply = await this.connection.command(['SMEMBERS', dependentsKey(this.id)]);
    return Array.isArray(reply) ? reply.map(String) : [];
  }

  /** The jobs this one waits on (those that still exist). @see RQ `Job.fetch_dependencies` */
  async dependencies(): Promise<Job[]> {
    const jobs = await Job.fetchMany(this.#record.dependencyIds, { connection: this.connection, serializer: this.serializer });
    return jobs.filter((j): j is Job => j !== null);
  }

  /**
   * Replace the stored meta dict (only the `meta` field is written). @see RQ `Job.save_meta`
   * @example `await job.saveMeta({ ...(await job.meta), progress: 50 })`
   */
  async saveMeta(meta: Record<string, unknown>): Promise<void> {
    if (!isPlainObject(meta)) throw new InvalidArgumentError('meta', meta, 'expected a plain object');
    let bytes: Buffer;
    try {
      bytes = this.serializer.dumps(meta);
    } catch (error) {
      if (error instanceof InvalidArgumentError) throw new InvalidArgumentError('meta', meta, error.message, { cause: error });
      throw error;
    }
    // HSET on a vanished key would create a hash with no data, so write only if it exists.
    const written = await this.connection.script(SAVE_META, [jobKey(this.id)], [bytes]);
    if (written !== 1) throw new NoSuchJobError(this.id);
  }

  /**
   * Cancel the job: status `canceled`, removed from its queue and registries, added to the canceled registry.
   * A job that is already running keeps running (use {@link Job.stop}). With `enqueueDependents`, each job
   * waiting on it whose other dependencies are met is queued (RQ 2.x); with `removeFromDependencies`, it
   * leaves the dependents sets of the jobs it waited on.
   * @throws InvalidOperationError when it is already canceled; NoSuchJobError when it does not exist.
   * @see RQ `Job.cancel`
   */
  async cancel({ enqueueDependents = false, removeFromDependencies = false }: { enqueueDependents?: boolean; removeFromDependencies?: boolean } = {}): Promise<void> {
    for (const [option, value] of [['enqueueDependents', enqueueDependents], ['removeFromDependencies', removeFromDependencies]] as const) {
      if (typeof value !== 'boolean') throw new InvalidArgumentError(option, value, 'expected a boolean');
    }
    // A future cancels its held jobs with it (before release) and leaves its dependencies' dependents sets.
    if (await cancelFuture(this.connection, this.id, this.origin)) return;
    const score = String(Math.floor(Date.now() / 1000));
    // Not idempotent: a second run after a lost reply would report "already canceled".
    const outcome =
      enqueueDependents || removeFromDependencies
        ? await this.#cancelWithOptions(score, enqueueDependents, removeFromDependencies)
        : await this.connection.script(CANCEL_JOB, jobOperationKeys(this.id, this.origin), [this.id, score], { idempotent: false });
    if (outcome === CancelOutcome.NO_SUCH_JOB) throw new NoSuchJobError(this.id);
    if (outcome === CancelOutcome.ALREADY_CANCELED) throw new InvalidOperationError(this.id, `Job ${this.id} is already canceled`);
  }

  /** Read the dependency graph around the job, then cancel in one script that declares every key it touches. */
  async #cancelWithOptions(score: string, enqueueDependents: boolean, removeFromDependencies: boolean): Promise<Reply> {
    const ids = async (key: string) => {
      const reply = await this.connection.command(['SMEMBERS', key]);
      return Array.isArray(reply) ? reply.map(String).sort() : [];
    };
    const leave = removeFromDependencies ? await ids(dependenciesKey(this.id)) : [];
    const dependents = enqueueDependents ? await ids(dependentsKey(this.id)) : [];
    const keys = [...jobOperationKeys(this.id, this.origin), dependentsKey(this.id), queuesKey(), ...leave.map(dependentsKey)];
    const args: string[] = [this.id, score, formatDatetime(nowMicros()), String(leave.length), String(dependents.length)];
    for (const x of dependents) {
      const origin = String((await this.connection.command(['HGET', jobKey(x), 'origin'])) ?? '');
      const others = (await ids(dependenciesKey(x))).filter((d) => d !== this.id);
      keys.push(jobKey(x), registryKeys.deferred(origin), queueKey(origin), ...others.map(jobKey));
      args.push(x, String(others.length));
    }
    return this.connection.script(CANCEL_JOB_WITH_OPTIONS, keys, args, { idempotent: false });
  }

  /**
   * Put a failed (or stopped) job back on its queue. @see RQ `Job.requeue`
   * @throws InvalidOperationError when the job is not in the failed registry.
   */
  async requeue({ atFront = false }: { atFront?: boolean } = {}): Promise<this> {
    await requeueFromRegistry(this.connection, {
      id: this.id, origin: this.origin, registryKey: registryKeys.failed(this.origin), registryLabel: `failed registry of ${this.origin}`, atFront,
    });
    return this.refresh();
  }

  /**
   * Delete the job: out of its queue and registries, its hash, dependents and dependencies sets and execution
     * records. The results stream stays, as in RQ. With `deleteDependents`, jobs waiting on it go too; with
   * `removeFromQueue: false` its id stays in the queue list (a worker then skips it; `queue.compact()` drops it).
   * @see RQ `Job.delete`
   */
  async delete({ deleteDependents = false, removeFromQueue = true }: { deleteDependents?: boolean; removeFromQueue?: boolean } = {}): Promise<void> {
    if (typeof removeFromQueue !== 'boolean') throw new InvalidArgumentError('removeFromQueue', removeFromQueue, 'expected a boolean');
    if (deleteDependents) {
      for (const id of await this.dependentIds()) {
        const dependent = await Job.fetch(id, { connection: this.connection, serializer: this.serializer }).catch(() => null);
        await dependent?.delete({ deleteDependents: true });
      }
    }
    // A future not released yet goes with every job held for it.
    if (await deleteHeldFuture(this.connection, this.id, this.origin)) return;
    const group = await this.connection.command(['HGET', jobKey(this.id), 'group_id']);
    const groupSet = Buffer.isBuffer(group) && group.length > 0 ? [groupKey(group.toString())] : [];
    await this.connection.script(
      DELETE_JOB,
      [...jobOperationKeys(this.id, this.origin), dependentsKey(this.id), dependenciesKey(this.id), ...groupSet],
      [this.id, executionKey(this.id, ''), removeFromQueue ? '1' : '0'],
    );
  }

  /**
   * Release this future (a job enqueued with `deferred: true`): queue every job held for it (`blockedBy`), and
   * the future itself when it waits for nothing else; otherwise a worker queues it after the last one.
   * Releasing twice does nothing and says so (`released: false`).
   * @throws InvalidOperationError when this job is not a future.
   */
  release(): Promise<ReleaseResult> {
    return release(this.id, { connection: this.connection });
  }

  /**
   * Ask the worker running this job to stop it (RQ's `stop-job` command on `rq:pubsub:<worker>`). The job
   * ends as `stopped` in the failed registry; `wait()` rejects with JobStoppedError.
   * @throws InvalidOperationError when the job is not running.
   * @see RQ `send_stop_job_command`
   */
  async stop(): Promise<void> {
    const [status, worker] = await this.connection.pipeline([
      ['HGET', jobKey(this.id), 'status'],
      ['HGET', jobKey(this.id), 'worker_name'],
    ]);
    if (status === null) throw new NoSuchJobError(this.id);
    if (String(status) !== JobStatus.STARTED || !Buffer.isBuffer(worker) || worker.length === 0) {
      throw new InvalidOperationError(this.id, `Job ${this.id} is not currently executing`);
    }
    // Python's json.dumps spacing, as RQ sends it.
    const command = `{"command": "stop-job", "job_id": ${JSON.stringify(this.id)}}`;
    await this.connection.command(['PUBLISH', workerCommandChannel(worker.toString()), command]);
  }

  /**
   * Position of the job in its queue (0 = next), or `null` when it is not waiting there.
   * @see RQ `Job.get_position`
   */
  async getPosition(): Promise<number | null> {
    return queuePosition(this.connection, this.origin, this.id);
  }

  /** Reload the snapshot from Redis. @throws NoSuchJobError when the job is gone. */
  async refresh(): Promise<this> {
    const fields = await this.#load();
    if (!fields) throw new NoSuchJobError(this.id);
    this.#record = recordFromFields(this.id, fields);
    this.#payload = null;
    return this;
  }

  toString(): string {
    return `Job(${this.id})`;
  }

  #decoded(): Payload {
    if (!this.#payload) {
      try {
        // A `rqts_dataflow.call(f, …)` record reads back as the call the user made.
        this.#payload = userCall(decodePayload(this.serializer, this.#record.data, this.id));
      } catch (error) {
        if (error instanceof DeserializationError) throw error;
        throw new DeserializationError(`Could not decode job ${this.id} with ${this.serializer.name}`, { cause: error });
      }
    }
    return this.#payload;
  }

  async #field(name: string): Promise<Buffer | null> {
    const v = await this.connection.command(['HGET', jobKey(this.id), name]);
    return Buffer.isBuffer(v) ? v : null;
  }

  async #statusIs(status: JobStatus): Promise<boolean> {
    return (await this.status) === status;
  }

  async #dateField(name: string): Promise<Date | null> {
    return parseDatetime((await this.#field(name))?.toString('utf8'));
  }

  async #load(): Promise<Map<string, Buffer> | null> {
    const fields = fieldsFromReply(await this.connection.command(['HGETALL', jobKey(this.id)]));
    return fields.has('data') ? fields : null;
  }
}

/** Index of `id` in a queue list: LPOS (Redis 6.0.6+), else a scan of the list as RQ falls back to. */
export async function queuePosition(connection: Connection, queue: string, id: string): Promise<number | null> {
  try {
    const reply = await connection.command(['LPOS', queueKey(queue), id]);
    return reply === null ? null : Number(reply);
  } catch (error) {
    if (!(error instanceof Error) || !/unknown command/i.test(error.message)) throw error;
    const ids = await connection.command(['LRANGE', queueKey(queue), '0', '-1']);
    const index = Array.isArray(ids) ? ids.map(String).indexOf(id) : -1;
    return index === -1 ? null : index;
  }
}
