/**
 * A queue: where jobs are enqueued and what the queue holds. Mirrors RQ's `rq.queue.Queue`; every accessor
 * that touches Redis is a promise.
 */
import { Connection, ownsTarget, type Arg, type ConnectionLike, type RedisPipeline, type SharedConnection } from './connection.js';
import { DuplicateJobError, InvalidArgumentError, PartialEnqueueError, RqtsError } from './errors.js';
import { Job, queuePosition } from './job.js';
import type { JobRef } from './dependencies.js';
import { jobKey, queueKey, queueNameFromKey, queuesKey, type RegistryName } from './keys.js';
import { JobRegistry } from './registries.js';
import { checkSameRedis } from './dataflow.js';
// groups.ts imports this module too; each uses the other only inside functions, so the cycle is safe.
import { newGroupName, PendingGroup, validateGroupName, writeGroup, writeMap, type Group, type GroupWrite, type MapOptions } from './groups.js';
import { deferredScore } from './dependencies.js';
import { createdJobs, prepareJob, type EnqueueCallOptions, type PreparedJob } from './prepare.js';
import { Defaults, FUTURE_FIELD, FutureState, JobStatus } from './protocol.js';
import { blockedByError } from './deferred.js';
import { epochSeconds, formatDatetime, nowMicros, recordToFields, type JobRecord } from './record.js';
import { COMPACT_QUEUE, EMPTY_QUEUE, emptyQueueArgs, EnqueueOutcome, enqueueJobsArgs, expectedStatus, type EnqueueMode, type EnqueueSpec } from './scripts.js';
import { writeJobs } from './enqueue-batch.js';
import { resolveSerializer, type SerializerLike } from './serializers/index.js';
import type { Serializer } from './serializers/serializer.js';
import { endPublishSpan, otel, startPublishSpan, traceMeta, type PublishInfo } from './telemetry.js';
import { checkSyncJobs, DEFAULT_PYTHON, runSync } from './sync.js';
import { parseDuration, parseJobTimeout, rejectUnknownOptions, validateJobId, validateQueueName, type Duration } from './validate.js';

export type { EnqueueCallOptions } from './prepare.js';

/** A job description for {@link Queue.enqueueMany}, made by {@link Queue.prepareData}. */
export interface EnqueueData {
  readonly func: string;
  readonly options: EnqueueCallOptions;
}

/** Ids each caller's pipeline will write, so a later job in the same pipeline may depend on them. */
const pipelined = new WeakMap<object, Set<string>>();
/** Script outcomes that reject a `blockedBy` (the reply is then {code, future id, status}). */
const BLOCKED_BY_ERRORS: Record<number, Parameters<typeof blockedByError>[0]> = {
  [EnqueueOutcome.MISSING_FUTURE]: 'missing',
  [EnqueueOutcome.NOT_A_FUTURE]: 'not-a-future',
  [EnqueueOutcome.FUTURE_RELEASED]: 'released',
  [EnqueueOutcome.FUTURE_NOT_DEFERRED]: 'not-deferred',
};

/** Status of a freshly written job, by script outcome; ALREADY_WRITTEN leaves it to be read. */
const STATUS_BY_OUTCOME: Record<number, JobStatus> = {
  [EnqueueOutcome.QUEUED]: JobStatus.QUEUED,
  [EnqueueOutcome.DEFERRED]: JobStatus.DEFERRED,
  [EnqueueOutcome.SCHEDULED]: JobStatus.SCHEDULED,
};

export interface QueueOptions {
  /** A `redis://` URL, a node-redis client, or a {@link Connection}. */
  connection: ConnectionLike;
  /**
   * How job payloads, meta and results are encoded. Must match the workers' `--serializer`.
   * @defaultValue `'pickle'` (RQ's default)
   */
  serializer?: SerializerLike;
  /**
   * Job timeout for jobs that set none.
   * @defaultValue 180 seconds (RQ's `Queue.DEFAULT_TIMEOUT`)
   */
  defaultTimeout?: Duration;
  /**
   * OpenTelemetry producer spans and trace context in `meta` for this queue's jobs, when
   * `@opentelemetry/api` is installed (see `configureTelemetry` for the process-wide switch).
   * @defaultValue true
   */
  telemetry?: boolean;
  /**
   * `false` runs every job before the enqueue resolves, with no worker (RQ's `is_async=False`, "for testing
   * purposes"): the job is written, then run, and the promise resolves with the finished or failed job, its
   * result, registries and callbacks recorded as RQ's synchronous path records them. A JS task registered
   * with `job()` runs in this process; a Python function runs through the real RQ code in a child process
   * of {@link QueueOptions.python}. As in RQ, a job deferred behind an unfinished dependency is not run, and
   * dependents are not enqueued by a synchronous run. `enqueueAt`/`enqueueIn` are rejected.
   * @defaultValue true
   */
  isAsync?: boolean;
  /**
   * The Python interpreter that runs Python functions when `isAsync` is false; it must have RQ installed and
   * import your functions (it inherits this process's environment and working directory, so `PYTHONPATH`
   * and virtualenvs apply).
   * @defaultValue `'python3'`
   */
  python?: string;
}

/**
 * A named RQ queue.
 *
 * @example
 * ```ts
 * const queue = new Queue('default', { connection: 'redis://localhost:6379/0' });
 * const job = await queue.enqueue('mylib.add', 1, 2);
 * console.log(await job.status); // 'queued'
 * ```
 * @see RQ `rq.queue.Queue`
 */
export class Queue {
  readonly name: string;
  readonly connection: Connection;
  readonly serializer: Serializer;
  /** The queue's Redis list, `rq:queue:<name>`. */
  readonly key: string;
  readonly defaultTimeout: number;
  /** `false`: jobs run at enqueue, without a worker (see {@link QueueOptions.isAsync}). */
  readonly isAsync: boolean;
  /** The interpreter of synchronous Python runs. */
  readonly python: string;
  readonly #ownsConnection: boolean;
  readonly #telemetry: boolean;

  /**
   * `new Queue('high', { connection })`, or `new Queue({ connection })` for RQ's `'default'` queue.
   * @throws InvalidArgumentError for a bad name, connection, serializer or timeout.
   */
  constructor(name: string, options: QueueOptions);
  constructor(options: QueueOptions);
  constructor(nameOrOptions: string | QueueOptions, maybeOptions?: QueueOptions) {
    const [name, options] = typeof nameOrOptions === 'string' ? [nameOrOptions, maybeOptions!] : [Defaults.QUEUE_NAME, nameOrOptions];
    this.name = validateQueueName(name);
    if (!options || typeof options !== 'object') {
      throw new InvalidArgumentError('options', options, 'expected { connection, serializer? }');
    }
    rejectUnknownOptions('Queue', options, ['connection', 'serializer', 'defaultTimeout', 'telemetry', 'isAsync', 'python']);
    if (options.telemetry !== undefined && typeof options.telemetry !== 'boolean') {
      throw new InvalidArgumentError('telemetry', options.telemetry, 'expected a boolean');
    }
    this.#telemetry = options.telemetry ?? true;
    if (options.isAsync !== undefined && typeof options.isAsync !== 'boolean') {
      throw new InvalidArgumentError('isAsync', options.isAsync, 'expected a boolean');
    }
    if (options.python !== undefined && (typeof options.python !== 'string' || options.python.length === 0)) {
      throw new InvalidArgumentError('python', options.python, 'expected the path or name of a Python interpreter');
    }
    this.#ownsConnection = ownsTarget(options.connection);
    this.connection = Connection.from(options.connection);
    this.serializer = resolveSerializer(options.serializer ?? 'pickle');
    this.key = queueKey(this.name);
    this.defaultTimeout = parseJobTimeout(options.defaultTimeout, Defaults.JOB_TIMEOUT);
    this.isAsync = options.isAsync ?? true;
    this.python = options.python ?? DEFAULT_PYTHON;
  }

  /**
   * Enqueue a call to a Python function by dotted path, with positional arguments.
   * @throws InvalidArgumentError for a bad path or an argument the serializer cannot carry (nothing is written).
   * @see RQ `Queue.enqueue`
   */
  enqueue<R = unknown>(func: string, ...args: unknown[]): Promise<Job<R>> {
    return this.enqueueCall<R>(func, { args });
  }

  /**
   * Enqueue with options. Validates everything first, then writes the job hash and pushes its id (or defers
   * it behind its dependencies) in one atomic script; a retried call after a lost reply never pushes twice.
   * @throws InvalidArgumentError before anything is written (also when a dependency does not exist);
   *   DuplicateJobError with `unique` when the id is taken.
   * @see RQ `Queue.enqueue_call`
   */
  async enqueueCall<R = unknown>(func: string, options: EnqueueCallOptions = {}): Promise<Job<R>> {
    const [job] = await this.#enqueue<R>([this.#prepare(func, options)], undefined, options?.pipeline);
    return job!;
  }

  /**
   * Enqueue a job made with {@link Job.create} (RQ's `enqueue_job`): it joins this queue (origin and, when
   * it set none, this queue's default timeout), honouring its dependencies like any enqueue.
   * @throws InvalidArgumentError when the job was not made by `Job.create`, was already enqueued, or was
   *   made with another connection or serializer.
   * @see RQ `Queue.enqueue_job`
   */
  async enqueueJob<R = unknown>(job: Job<R>, { atFront, pipeline }: { atFront?: boolean; pipeline?: RedisPipeline } = {}): Promise<Job<R>> {
    const created = createdJobs.get(job);
    if (!created) throw new InvalidArgumentError('job', job, 'expected a job made with Job.create() and not enqueued yet');
    if (job.connection !== this.connection) throw new InvalidArgumentError('job', job, "was created with another connection than this queue's");
    if (job.serializer.name !== this.serializer.name) {
      throw new InvalidArgumentError('job', job, `was created with the ${job.serializer.name} serializer, this queue uses ${this.serializer.name}`);
    }
    if (atFront !== undefined && typeof atFront !== 'boolean') throw new InvalidArgumentError('atFront', atFront, 'expected a boolean');
    const { prepared, timeoutGiven } = created;
    const record = { ...prepared.record, origin: this.name, timeout: timeoutGiven ? prepared.record.timeout : this.defaultTimeout };
    const [written] = await this.#enqueue<R>([{ ...prepared, record, atFront: atFront ?? prepared.atFront }], undefined, pipeline);
    createdJobs.delete(job);
    return written!;
  }

  /**
   * Describe a job for {@link Queue.enqueueMany} without writing anything.
   * @see RQ `Queue.prepare_data`
   */
  static prepareData(func: string, args: readonly unknown[] = [], options: Omit<EnqueueCallOptions, 'args'> = {}): EnqueueData {
    return { func, options: { ...options, args } };
  }

  /**
   * Enqueue many jobs in one round trip and one atomic script: either all are written or none. A job may
   * depend on one earlier in the list.
   * With `{ pipeline }` the jobs are written by the caller's `exec()` instead (see {@link EnqueueCallOptions.pipeline}).
   * @throws InvalidArgumentError before anything is written, naming the position at fault.
   * @see RQ `Queue.enqueue_many`
   */
  async enqueueMany<R = unknown>(items: readonly EnqueueData[], { pipeline }: { pipeline?: RedisPipeline } = {}): Promise<Job<R>[]> {
    const prepared = this.#prepareMany(items, 'enqueueMany');
    if (prepared.length === 0) return [];
    return this.#enqueue<R>(prepared, (i) => `enqueueMany[${i}]`, pipeline);
  }

  /**
   * Enqueue jobs as one new group (RQ 2.x's `Group.enqueue_many`): one atomic write of the jobs (each with
   * `group_id`), the group's set `rq:group:<name>` and its name in `rq:groups`, so RQ 2.x tools list it;
   * 1.x workers run the jobs and ignore the group.
   * @throws InvalidArgumentError for no jobs, a bad item, a name outside `[A-Za-z0-9_-]+` or one that
   *   exists already (nothing is written).
   * @see RQ `Group.enqueue_many`
   */
  async enqueueGroup<R = unknown>(items: readonly EnqueueData[], options: { name?: string } = {}): Promise<Group<R>> {
    if (!options || typeof options !== 'object') throw new InvalidArgumentError('options', options, 'expected { name? }');
    rejectUnknownOptions('enqueueGroup', options, ['name']);
    if (!this.isAsync) throw new InvalidArgumentError('isAsync', false, 'groups need workers; this queue runs jobs at once');
    const name = options.name === undefined ? newGroupName() : validateGroupName(options.name);
    const prepared = this.#prepareMany(items, 'enqueueGroup');
    if (prepared.length === 0) throw new InvalidArgumentError('enqueueGroup', items, 'expected at least one job (RQ has no empty groups)');
    return writeGroup<R>(this, prepared, (p, group) => this.#write(p, 'queue', undefined, undefined, group), name);
  }

  /**
   * Enqueue `func(item)` for every item, as one group: one job per item, or per `chunkSize` items (those
   * run `rqts_dataflow.map_chunk` and return the list of results; Python workers need the helper). Items
   * are read lazily and written in atomic batches of `batchSize` jobs, so a generator of a million items is
   * never held in memory. Chain `.reduce(func)` to combine the results.
   * @example `const sum = await queue.map('mylib.square', items, { chunkSize: 500 }).reduce('mylib.total').wait()`
   * @throws (the promise rejects) InvalidArgumentError for a non-iterable, a bad option or item (batches
   *   already written are then deleted), or a group name that exists.
   */
  map<R = unknown>(func: string, items: Iterable<unknown> | AsyncIterable<unknown>, options: MapOptions = {}): PendingGroup<R> {
    return new PendingGroup<R>(
      (async () => {
        if (!options || typeof options !== 'object') throw new InvalidArgumentError('options', options, 'expected an object');
        if (!this.isAsync) throw new InvalidArgumentError('isAsync', false, 'map needs workers; this queue runs jobs at once');
        return writeMap<R>(this, (f, o, where) => this.#prepare(f, o, where), (p, group) => this.#write(p, 'queue', undefined, undefined, group), func, items, options);
      })(),
    );
  }

  #prepareMany(items: readonly EnqueueData[], what: string): PreparedJob[] {
    if (!Array.isArray(items)) throw new InvalidArgumentError(what, items, 'expected an array of Queue.prepareData(...)');
    const prepared = items.map((item, i) => {
      if (!item || typeof item !== 'object' || typeof item.func !== 'string') {
        throw new InvalidArgumentError(`${what}[${i}]`, item, 'expected Queue.prepareData(...)');
      }
      if (item.options?.pipeline !== undefined) {
        const why = what === 'enqueueMany' ? 'pass { pipeline } to enqueueMany itself' : `${what} writes its jobs in its own atomic step, not in a caller's transaction`;
        throw new InvalidArgumentError(`${what}[${i}].pipeline`, item.options.pipeline, why);
      }
      return this.#prepare(item.func, item.options, `${what}[${i}]`);
    });
    const ids = new Set<string>();
    for (const p of prepared) {
      if (ids.has(p.record.id)) throw new InvalidArgumentError(what, p.record.id, 'the same job id appears twice');
      ids.add(p.record.id);
    }
    return prepared;
  }

  /**
   * Enqueue jobs from a source of any length (an array, a generator, an async generator reading a file…)
   * in batches of `batchSize`, each one atomic {@link Queue.enqueueMany}, with up to `inFlight` batches on
   * the wire while the next is made and encoded, so neither Redis nor the client waits for the other.
   * Memory stays flat: no Job objects are kept. A job may depend on any job of an earlier batch.
   * Not an RQ call (RQ's `enqueue_many` takes a list).
   * @returns the number of jobs written.
   * @throws PartialEnqueueError when a batch fails: no further batch is sent; `written` counts the jobs of
   *   the batches that were written, `cause` is the batch's own error (InvalidArgumentError, ConnectionError…).
   */
  async enqueueStream(
    source: Iterable<EnqueueData> | AsyncIterable<EnqueueData>,
    { batchSize = 1000, inFlight = 2 }: { batchSize?: number; inFlight?: number } = {},
  ): Promise<number> {
    const isIterable = (v: unknown): boolean =>
      !!v && (typeof (v as Iterable<unknown>)[Symbol.iterator] === 'function' || typeof (v as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function');
    if (!isIterable(source) || typeof source === 'string') throw new InvalidArgumentError('source', source, 'expected an iterable or async iterable of Queue.prepareData(...)');
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new InvalidArgumentError('batchSize', batchSize, 'expected an integer >= 1');
    if (!Number.isInteger(inFlight) || inFlight < 1) throw new InvalidArgumentError('inFlight', inFlight, 'expected an integer >= 1');
    let written = 0;
    let failure: { error: unknown } | null = null;
    const sending = new Set<Promise<void>>();
    const send = (batch: EnqueueData[]): void => {
      const sent: Promise<void> = this.enqueueMany(batch).then(
        () => void (written += batch.length),
        (error: unknown) => void (failure ??= { error }),
      ).finally(() => sending.delete(sent));
      sending.add(sent);
    };
    let batch: EnqueueData[] = [];
    try {
      for await (const item of source) {
        if (failure) break;
        batch.push(item);
        if (batch.length < batchSize) continue;
        send(batch);
        batch = [];
        while (sending.size >= inFlight) await Promise.race(sending);
      }
    } catch (error) {
      // The source itself failed: let the batches on the wire land before saying so.
      await Promise.all(sending);
      throw error;
    }
    if (!failure && batch.length > 0) send(batch);
    await Promise.all(sending);
    if (failure) throw new PartialEnqueueError(written, (failure as { error: unknown }).error);
    return written;
  }

  /**
   * Schedule a job to be queued at a given time (needs a worker started with `--with-scheduler`).
   * `dependsOn` is rejected: RQ ignores dependencies of scheduled jobs.
   * @see RQ `Queue.enqueue_at`
   */
  enqueueAt<R = unknown>(when: Date, func: string, ...args: unknown[]): Promise<Job<R>> {
    return this.enqueueCallAt<R>(when, func, { args });
  }

  /** {@link Queue.enqueueAt} with options. */
  async enqueueCallAt<R = unknown>(when: Date, func: string, options: EnqueueCallOptions = {}): Promise<Job<R>> {
    if (!this.isAsync) {
      // RQ itself would store the job in the scheduled registry, where nothing runs it without a worker.
      throw new InvalidArgumentError('isAsync', false, 'enqueueAt/enqueueIn need a worker with a scheduler; this queue runs jobs at once');
    }
    if (!(when instanceof Date) || Number.isNaN(when.getTime())) throw new InvalidArgumentError('when', when, 'expected a valid Date');
    if (options?.dependsOn !== undefined) {
      throw new InvalidArgumentError('dependsOn', options.dependsOn, 'scheduled jobs cannot have dependencies (RQ ignores them)');
    }
    for (const option of ['blockedBy', 'deferred'] as const) {
      if (options?.[option] !== undefined && options[option] !== false) {
        throw new InvalidArgumentError(option, options[option], 'cannot be combined with enqueueAt/enqueueIn: held jobs run when their future is released');
      }
    }
    const prepared = this.#prepare(func, options);
    if (prepared.referencedIds.length > 0) {
      throw new InvalidArgumentError('args', prepared.referencedIds[0], 'resultOf() arguments make dependencies, which scheduled jobs cannot have');
    }
    // The job key expires after `ttl` (as RQ 2.x has it): one that expires before it is due is only ever lost.
    const due = (when.getTime() - Date.now()) / 1000;
    if (prepared.record.ttl !== null && prepared.record.ttl <= due) {
      throw new InvalidArgumentError('ttl', options.ttl, `the job would expire before it is due (in ${Math.ceil(due)} s) and never run`);
    }
    // RQ persists at_front of a scheduled job so the scheduler pushes it to the head.
    if (prepared.atFront) prepared.record.enqueueAtFront = true;
    const [job] = await this.#write<R>([prepared], 'schedule', Math.floor(when.getTime() / 1000), options.pipeline);
    return job!;
  }

  /**
   * Schedule a job to be queued after a delay: seconds or `'10m'`-style (needs `--with-scheduler`).
   * @see RQ `Queue.enqueue_in`
   */
  enqueueIn<R = unknown>(delay: Duration, func: string, ...args: unknown[]): Promise<Job<R>> {
    return this.enqueueCallIn<R>(delay, func, { args });
  }

  /** {@link Queue.enqueueIn} with options. */
  enqueueCallIn<R = unknown>(delay: Duration, func: string, options: EnqueueCallOptions = {}): Promise<Job<R>> {
    // A negative delay is a time in the past, as RQ's `enqueue_in` allows: the scheduler queues it at once.
    const seconds = parseDuration('delay', delay);
    return this.enqueueCallAt<R>(new Date(Date.now() + seconds * 1000), func, options);
  }

  /** @internal Validate a call as `enqueueCall` does, writing nothing (`group.reduce` checks before its gather steps). */
  checkCall(func: string, options?: EnqueueCallOptions): void {
    this.#prepare(func, options);
  }

  #prepare(func: string, options: EnqueueCallOptions | undefined, where?: string): PreparedJob {
    try {
      return prepareJob({ queue: this.name, serializer: this.serializer, defaultTimeout: this.defaultTimeout }, func, options);
    } catch (error) {
      if (where && error instanceof InvalidArgumentError) {
        throw new InvalidArgumentError(`${where}.${error.option}`, error.value, error.message.replace(/^Invalid [^:]*: /, ''), { cause: error });
      }
      throw error;
    }
  }

  /**
   * Write prepared jobs; with `isAsync: false`, first check that each can run here, then run each one that
   * was queued (not deferred), in order, as RQ's `_enqueue_job` does.
   */
  async #enqueue<R>(prepared: readonly PreparedJob[], where?: (i: number) => string, pipeline?: RedisPipeline): Promise<Job<R>[]> {
    if (this.isAsync) return this.#write<R>(prepared, 'queue', undefined, pipeline);
    if (pipeline !== undefined) throw new InvalidArgumentError('pipeline', pipeline, 'a queue with isAsync: false runs jobs at once, outside any transaction');
    const context = { connection: this.connection, serializer: this.serializer, python: this.python };
    await checkSyncJobs(prepared, context, where);
    const jobs = await this.#write<R>(prepared, 'sync');
    for (const job of jobs) await runSync(job, context);
    return jobs;
  }

  /**
   * Write prepared jobs, inside an OpenTelemetry producer span when telemetry is on (the span's context goes
   * into each job's meta, where Python's opentelemetry-instrumentation-rq and the Node worker read it).
   */
  async #write<R>(
    prepared: readonly PreparedJob[],
    mode: EnqueueMode,
    scheduledScore?: number,
    pipeline?: RedisPipeline,
    group?: GroupWrite,
  ): Promise<Job<R>[]> {
    if (pipeline !== undefined) this.#checkPipeline(pipeline, prepared);
    let api = otel(this.#telemetry);
    if (api instanceof Promise) api = await api;
    if (!api) return this.#send<R>(prepared, mode, scheduledScore, pipeline, group);
    const info: PublishInfo = {
      queue: this.name,
      operation: mode === 'schedule' ? 'schedule' : 'publish',
      jobs: prepared.map((p) => ({ id: p.record.id, funcName: p.funcName })),
    };
    const span = startPublishSpan(api, info);
    try {
      for (const p of prepared) {
        const meta = traceMeta(api, span, p.meta);
        if (meta) p.record.meta = this.serializer.dumps(meta);
      }
      const jobs = await this.#send<R>(prepared, mode, scheduledScore, pipeline, group);
      endPublishSpan(api, span, info);
      return jobs;
    } catch (error) {
      endPublishSpan(api, span, info, error);
      throw error;
    }
  }

  /**
   * Write prepared jobs in one script call, shared with the enqueues issued in the same tick (or add it to
   * the caller's pipeline), and wrap them as Jobs.
   */
  async #send<R>(
    prepared: readonly PreparedJob[],
    mode: EnqueueMode,
    scheduledScore?: number,
    pipeline?: RedisPipeline,
    group?: GroupWrite,
  ): Promise<Job<R>[]> {
    const records: JobRecord[] = [];
    const specs: EnqueueSpec[] = prepared.map((p) => {
      // created_at is written at microsecond precision, as RQ writes it, and doubles as the script's retry
      // fingerprint (strictly increasing per process).
      const micros = nowMicros();
      const stamp = formatDatetime(micros);
      const record: JobRecord = { ...p.record, createdAt: new Date(micros / 1000) };
      records.push(record);
      const jobMode: EnqueueMode = p.hold ? (p.hold.kind === 'future' ? 'future' : 'blocked') : mode;
      const status = expectedStatus(jobMode);
      const fields = recordToFields({ ...record, status }, { createdAt: stamp });
      if (p.hold?.kind === 'future') fields.push(FUTURE_FIELD, FutureState.HELD);
      if (status === JobStatus.QUEUED) fields.push('enqueued_at', stamp);
      return {
        mode: jobMode,
        futureId: p.hold?.kind === 'blocked' ? p.hold.futureId : undefined,
        queue: this.name,
        jobId: record.id,
        // Only `atFront` decides where a job queued now goes, as in RQ; the record's enqueue_at_front (from a
        // Dependency, or a scheduled job's at_front) is for when a worker or the scheduler queues it later.
        atFront: p.atFront,
        ttl: record.ttl,
        unique: p.unique,
        createdAt: stamp,
        scheduledScore,
        dependencyIds: record.dependencyIds,
        allowDependencyFailures: record.allowDependencyFailures === true,
        deferredScore: deferredScore(epochSeconds(micros), record.ttl),
        fields,
        group,
      };
    });
    await checkSameRedis(this.connection, prepared.flatMap((p) => p.references));
    if (pipeline !== undefined) {
      const { script, keys, args } = enqueueJobsArgs([specs]);
      return this.#addToPipeline<R>(pipeline, prepared, records, [script.source, keys, args]);
    }
    const reply = await writeJobs(this.connection, specs);
    if (!reply.written) {
      if (reply.code === EnqueueOutcome.MISSING_DEPENDENCY) {
        const option = prepared.some((p) => p.referencedIds.includes(reply.id)) ? 'resultOf' : 'dependsOn';
        throw new InvalidArgumentError(option, reply.id, 'no such job (nothing was written)');
      }
      if (reply.code === EnqueueOutcome.GROUP_EXISTS) {
        throw new InvalidArgumentError('name', reply.id, 'a group with this name exists already (nothing was written)');
      }
      const blockedByCode = BLOCKED_BY_ERRORS[reply.code];
      if (blockedByCode) throw blockedByError(blockedByCode, reply.id, reply.status);
      throw new RqtsError(`Unexpected reply from the enqueue script: code ${reply.code}`);
    }
    return reply.outcomes.map((outcome, i) => {
      const record = records[i]!;
      if (outcome === EnqueueOutcome.DUPLICATE) throw new DuplicateJobError(record.id);
      record.status = STATUS_BY_OUTCOME[outcome] ?? null;
      if (record.status === JobStatus.QUEUED) record.enqueuedAt = record.createdAt;
      const p = prepared[i]!;
      return Job.fromRecord<R>(record, this.connection, this.serializer, { funcName: p.funcName, instance: null, args: p.args, kwargs: p.kwargs });
    });
  }

  /** Refuse a pipeline rqts cannot vouch for, and what a transaction cannot report (a duplicate id). */
  #checkPipeline(pipeline: RedisPipeline, prepared: readonly PreparedJob[]): void {
    if (!this.connection.ownsPipeline(pipeline)) {
      throw new InvalidArgumentError('pipeline', pipeline, "expected a multi() of this queue's client (connection.multi(), or a client from connection.openDuplicate())");
    }
    if (prepared.some((p) => p.unique)) {
      throw new InvalidArgumentError('unique', true, 'cannot be combined with { pipeline }: a duplicate would only show at exec()');
    }
  }

  /**
   * Check dependencies now (in Redis, or written earlier in the same pipeline), then queue the enqueue
   * script on the caller's pipeline as EVAL (a MULTI cannot fall back from EVALSHA). The Jobs' status is
   * unknown until `exec()`.
   */
  async #addToPipeline<R>(
    pipeline: RedisPipeline,
    prepared: readonly PreparedJob[],
    records: JobRecord[],
    [source, keys, args]: [string, string[], Arg[]],
  ): Promise<Job<R>[]> {
    const pending = pipelined.get(pipeline) ?? new Set<string>();
    const batch = new Set(records.map((r) => r.id));
    const outside = [...new Set(records.flatMap((r) => r.dependencyIds))].filter((id) => !batch.has(id) && !pending.has(id));
    const exists = await this.connection.pipeline(outside.map((id) => ['EXISTS', jobKey(id)]));
    const missing = outside.find((_, i) => Number(exists[i]) !== 1);
    if (missing !== undefined) {
      const option = prepared.some((p) => p.referencedIds.includes(missing)) ? 'resultOf' : 'dependsOn';
      throw new InvalidArgumentError(option, missing, 'no such job (nothing was written)');
    }
    pipeline.addCommand(['EVAL', source, String(keys.length), ...keys, ...args]);
    for (const id of batch) pending.add(id);
    pipelined.set(pipeline, pending);
    return records.map((record, i) => {
      const p = prepared[i]!;
      return Job.fromRecord<R>(record, this.connection, this.serializer, { funcName: p.funcName, instance: null, args: p.args, kwargs: p.kwargs });
    });
  }

  // ---- reading -------------------------------------------------------------------------------------

  /** Number of jobs waiting (`LLEN`). @see RQ `Queue.count` */
  get count(): Promise<number> {
    return this.connection.command(['LLEN', this.key]).then(Number);
  }

  /** `count === 0`. @see RQ `Queue.is_empty` */
  get isEmpty(): Promise<boolean> {
    return this.count.then((n) => n === 0);
  }

  /** Ids of all waiting jobs, head first. @see RQ `Queue.job_ids` */
  get jobIds(): Promise<string[]> {
    return this.getJobIds();
  }

  /** Ids in a window of the queue (`LRANGE offset offset+length-1`). @see RQ `Queue.get_job_ids` */
  async getJobIds({ offset = 0, length = -1 }: { offset?: number; length?: number } = {}): Promise<string[]> {
    if (!Number.isInteger(offset) || offset < 0) throw new InvalidArgumentError('offset', offset, 'expected an integer >= 0');
    if (!Number.isInteger(length) || length < -1) throw new InvalidArgumentError('length', length, 'expected an integer >= -1');
    if (length === 0) return [];
    const end = length === -1 ? -1 : offset + length - 1;
    const reply = await this.connection.command(['LRANGE', this.key, String(offset), String(end)]);
    return Array.isArray(reply) ? reply.map(String) : [];
  }

  /**
   * Load a job of this queue, or `null` if it does not exist (its id is then dropped from the queue, as RQ
   * does) or belongs to another queue.
   * @see RQ `Queue.fetch_job`
   */
  async fetchJob<R = unknown>(id: string): Promise<Job<R> | null> {
    validateJobId(id, 'id');
    const [job] = await Job.fetchMany<R>([id], { connection: this.connection, serializer: this.serializer });
    if (!job) {
      await this.connection.command(['LREM', this.key, '1', id]);
      return null;
    }
    return job.origin === this.name ? job : null;
  }

  /** The jobs waiting, head first (ids whose hash is gone are skipped). @see RQ `Queue.jobs` */
  get jobs(): Promise<Job[]> {
    return this.getJobs();
  }

  /** Jobs in a window of the queue. @see RQ `Queue.get_jobs` */
  async getJobs(window: { offset?: number; length?: number } = {}): Promise<Job[]> {
    const ids = await this.getJobIds(window);
    const jobs = await Job.fetchMany(ids, { connection: this.connection, serializer: this.serializer });
    return jobs.filter((j): j is Job => j !== null && j.origin === this.name);
  }

  /**
   * Position of a job in this queue (0 = next), or `null` when it is not waiting here.
   * @see RQ `Queue.get_job_position`
   */
  async getJobPosition(job: JobRef): Promise<number | null> {
    const id = typeof job === 'string' ? validateJobId(job) : job.id;
    return queuePosition(this.connection, this.name, id);
  }

  /**
   * Drop ids whose job no longer exists from the queue list, keeping the order of the rest (RQ's
   * `compact`, in one atomic script). Returns how many were dropped.
   * @see RQ `Queue.compact`
   */
  async compact(): Promise<number> {
    const reply = await this.connection.command(['LRANGE', this.key, '0', '-1']);
    const ids = [...new Set(Array.isArray(reply) ? reply.map(String) : [])];
    return Number(await this.connection.script(COMPACT_QUEUE, [this.key, ...ids.map(jobKey)], ids));
  }

  /**
   * Remove every waiting job: pop each id and delete its hash and dependents set (registries and results
   * are left alone, as RQ leaves them). Returns how many were removed. @see RQ `Queue.empty`
   */
  async empty(): Promise<number> {
    return Number(await this.connection.script(EMPTY_QUEUE, [this.key], emptyQueueArgs()));
  }

  /**
   * Delete the queue: its jobs (unless `deleteJobs: false`), its list and its entry in `rq:queues`.
   * @see RQ `Queue.delete`
   */
  async delete({ deleteJobs = true }: { deleteJobs?: boolean } = {}): Promise<void> {
    if (deleteJobs) await this.empty();
    await this.connection.pipeline([['SREM', queuesKey(), this.key], ['DEL', this.key]]);
  }

  /**
   * Every queue that has been used (`rq:queues`), as Queue objects on the same connection.
   * @see RQ `Queue.all`
   */
  static async all(options: QueueOptions & { connection: SharedConnection }): Promise<Queue[]> {
    const connection = Connection.shared(options?.connection);
    const reply = await connection.command(['SMEMBERS', queuesKey()]);
    const names = (Array.isArray(reply) ? reply.map(String) : []).map(queueNameFromKey).filter((n): n is string => !!n);
    return names.sort().map((name) => new Queue(name, { ...options, connection }));
  }

  /** Jobs being run (`rq:wip:<name>`). */
  get startedJobRegistry(): JobRegistry {
    return this.#registry('started');
  }
  /** Jobs that succeeded, until their result TTL. */
  get finishedJobRegistry(): JobRegistry {
    return this.#registry('finished');
  }
  /** Jobs that failed (or were stopped), until their failure TTL. */
  get failedJobRegistry(): JobRegistry {
    return this.#registry('failed');
  }
  /** Jobs waiting for their dependencies. */
  get deferredJobRegistry(): JobRegistry {
    return this.#registry('deferred');
  }
  /** Jobs waiting for their time (`enqueueAt`/`enqueueIn`, delayed retries). */
  get scheduledJobRegistry(): JobRegistry {
    return this.#registry('scheduled');
  }
  /** Canceled jobs. */
  get canceledJobRegistry(): JobRegistry {
    return this.#registry('canceled');
  }

  readonly #registries = new Map<RegistryName, JobRegistry>();
  #registry(name: RegistryName): JobRegistry {
    let r = this.#registries.get(name);
    if (!r) this.#registries.set(name, (r = JobRegistry.of(name, this)));
    return r;
  }

  /** Whether a job hash with this id exists. */
  async jobExists(id: string): Promise<boolean> {
    return (await this.connection.command(['EXISTS', jobKey(validateJobId(id))])) === 1;
  }

  /** Close the connection if this queue opened it from a URL. */
  async close(): Promise<void> {
    if (this.#ownsConnection) await this.connection.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  toString(): string {
    return `Queue(${this.name})`;
  }
}
