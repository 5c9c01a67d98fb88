/**
 * Groups: RQ 2.x's `Group` (a named set of jobs, `rq:group:<name>` plus the name in `rq:groups`, and each
 * job's `group_id`), with collected results, cancel and delete; and `queue.map(...)` / `group.reduce(...)`
 * built on it and on dataflow references.
 *
 * Expiry follows RQ 2.x: the set has no TTL. RQ 2.x worker maintenance (`Group.clean_registries`) removes
 * ids whose job hash has gone (finished jobs expire after their `resultTtl`, failed ones after their
 * `failureTtl`), and a set left empty disappears with its name in `rq:groups`. rqts runs the same cleanup
 * whenever it lists a group's jobs, and the Node worker in its maintenance ({@link Group.cleanRegistries}),
 * so 1.x-only deployments (which ignore groups) are cleaned too.
 */
import { randomUUID } from 'node:crypto';
import { Connection, type SharedConnection } from './connection.js';
import { ResultsRef } from './dataflow.js';
import { GroupFailedError, InvalidArgumentError, NoSuchGroupError, NoSuchJobError, WaitTimeoutError } from './errors.js';
import { Job } from './job.js';
import { dependenciesKey, dependentsKey, executionKey, groupKey, groupsKey, jobKey } from './keys.js';
import type { EnqueueCallOptions, PreparedJob } from './prepare.js';
import { DataflowEntry, GROUP_NAME_PATTERN, JobStatus } from './protocol.js';
// queue.ts imports this module too; each uses the other only inside functions, so the cycle is safe.
import { Queue } from './queue.js';
import { CANCEL_WAITING_JOB, DELETE_JOB, jobOperationKeys } from './scripts.js';
import { resolveSerializer, type SerializerLike } from './serializers/index.js';
import type { Serializer } from './serializers/serializer.js';
import { validateJobId } from './validate.js';
import type { WaitOptions } from './waiter.js';

/** Where a group is written: its name and whether it must be new. */
export interface GroupWrite {
  name: string;
  isNew: boolean;
}

/** Writes prepared jobs into a group (the queue's own atomic enqueue script). */
export type GroupWriter = (prepared: PreparedJob[], group: GroupWrite) => Promise<Job[]>;

/** How a Group knows its jobs' item order. */
type Order = { kind: 'ids'; ids: readonly string[] } | { kind: 'map'; size: number; chunked: boolean };

/** Options of {@link Group.results}. */
export interface GroupResultsOptions {
  /** Milliseconds for the whole group; rejects with WaitTimeoutError naming a job not done in time. */
  timeout?: number;
  signal?: AbortSignal;
  /** Resolve with one `PromiseSettledResult` per job instead of rejecting when some failed. */
  settle?: boolean;
}

/**
 * Most jobs a reduce (or one of its gather steps) waits on directly: see {@link Group.reduce}. Each job that
 * finishes makes an RQ worker re-read the status of every dependency of its dependent (RQ's
 * `dependencies_are_met`), so one dependent of n jobs costs n² reads; gather steps keep n at this size.
 */
export const REDUCE_FAN_IN = 1_000;
/** Gather jobs written per atomic enqueue (each declares the keys of up to {@link REDUCE_FAN_IN} parents). */
const GATHER_BATCH = 10;

/** Validate a group name: letters, digits, `_` and `-` (it ends up in a key name and in `group_id`). */
export function validateGroupName(name: unknown): string {
  if (typeof name !== 'string' || !GROUP_NAME_PATTERN.test(name)) {
    throw new InvalidArgumentError('name', name, 'a group name must match [A-Za-z0-9_-]+');
  }
  return name;
}

/** A fresh group name, as RQ makes one (`uuid4().hex`). */
export const newGroupName = (): string => randomUUID().replace(/-/g, '');

/**
 * A group of jobs (RQ 2.x's `rq.group.Group`): made by `queue.enqueueGroup(...)` or `queue.map(...)`, or
 * loaded with {@link Group.fetch}. RQ 2.x tools list it (`Group.fetch(name).get_jobs()`); 1.x workers run
 * its jobs and ignore the group.
 *
 * @typeParam R - the type of each job's return value.
 */
export class Group<R = unknown> {
  readonly name: string;
  /** The group's Redis set, `rq:group:<name>`. */
  readonly key: string;
  readonly connection: Connection;
  readonly serializer: Serializer;
  /** The queue its jobs went to, when this process wrote them. */
  readonly #queue: Queue | null;
  readonly #order: Order | null;

  /** @internal Use `queue.enqueueGroup`, `queue.map` or {@link Group.fetch}. */
  constructor(name: string, connection: Connection, serializer: Serializer, queue: Queue | null, order: Order | null) {
    this.name = name;
    this.key = groupKey(name);
    this.connection = connection;
    this.serializer = serializer;
    this.#queue = queue;
    this.#order = order;
  }

  /**
   * Load a group by name. Its jobs' item order is then their enqueue order (`created_at`).
   * @throws NoSuchGroupError when `rq:group:<name>` does not exist (never made, or every job expired).
   * @see RQ `Group.fetch`
   */
  static async fetch<R = unknown>(name: string, context: { connection: SharedConnection; serializer?: SerializerLike }): Promise<Group<R>> {
    validateGroupName(name);
    const connection = Connection.from(context.connection);
    if ((await connection.command(['EXISTS', groupKey(name)])) !== 1) throw new NoSuchGroupError(name);
    return new Group<R>(name, connection, resolveSerializer(context.serializer ?? 'pickle'), null, null);
  }

  /**
   * Every group named in `rq:groups`, by name. A name whose set has gone (every job expired or deleted) is
   * dropped from `rq:groups` on the way, as RQ does.
   * @see RQ `Group.all`
   */
  static async all(context: { connection: SharedConnection; serializer?: SerializerLike }): Promise<Group[]> {
    const connection = Connection.from(context.connection);
    const serializer = resolveSerializer(context.serializer ?? 'pickle');
    const names = await liveGroupNames(connection);
    return names.map((name) => new Group(name, connection, serializer, null, null));
  }

  /**
   * RQ 2.x's `Group.clean_registries`, which RQ 2.x workers (and the Node worker) run in their maintenance:
   * drop the ids of jobs that have gone from every group, then the names of groups left empty from
   * `rq:groups`.
   * @see RQ `Group.clean_registries`
   */
  static async cleanRegistries(context: { connection: SharedConnection }): Promise<void> {
    const connection = Connection.from(context.connection);
    for (const name of await liveGroupNames(connection)) await dropGoneJobs(connection, groupKey(name));
    await liveGroupNames(connection);
  }

  /** How many jobs the set holds (`SCARD`; jobs that expired count until the next cleanup). */
  get count(): Promise<number> {
    return this.connection.command(['SCARD', this.key]).then(Number);
  }

  /**
   * Ids of the group's jobs that still exist, in item order (after dropping ids whose job has gone, as
   * RQ's `Group.cleanup` does). @see RQ `Group.get_jobs`
   */
  get jobIds(): Promise<string[]> {
    return (async () => {
      const members = new Set(await this.#cleanup());
      const ordered = await this.#orderedIds(members);
      return ordered.filter((id) => members.has(id));
    })();
  }

  /** The group's jobs, in item order. */
  get jobs(): Promise<Job<R>[]> {
    return this.jobIds.then(async (ids) => {
      const jobs = await fetchInWindows<R>(ids, this.connection, this.serializer);
      return jobs.filter((j): j is Job<R> => j !== null);
    });
  }

  /**
   * Wait until every job has ended and return their values in item order.
   * @throws GroupFailedError carrying every failure (unless `settle`), WaitTimeoutError, or the signal's reason.
   */
  results(options?: GroupResultsOptions & { settle?: false }): Promise<R[]>;
  results(options: GroupResultsOptions & { settle: true }): Promise<PromiseSettledResult<R>[]>;
  async results(options: GroupResultsOptions = {}): Promise<R[] | PromiseSettledResult<R>[]> {
    const { timeout, signal, settle = false } = options;
    if (timeout !== undefined && (!Number.isFinite(timeout) || timeout < 0)) {
      throw new InvalidArgumentError('timeout', timeout, 'expected milliseconds >= 0');
    }
    const deadline = timeout === undefined ? undefined : Date.now() + timeout;
    const ids = await this.#expectedIds();
    const settled: PromiseSettledResult<R>[] = [];
    for (let start = 0; start < ids.length; start += WINDOW) {
      const window = ids.slice(start, start + WINDOW);
      const jobs = await fetchInWindows<R>(window, this.connection, this.serializer);
      const remaining = deadline === undefined ? undefined : Math.max(0, deadline - Date.now());
      const outcomes = await Promise.allSettled(
        jobs.map((job, i) => (job ? job.wait({ timeout: remaining, signal } satisfies WaitOptions) : Promise.reject(new NoSuchJobError(window[i]!)))),
      );
      for (const outcome of outcomes) {
        if (outcome.status === 'rejected' && (outcome.reason instanceof WaitTimeoutError || signal?.aborted)) throw outcome.reason;
      }
      settled.push(...outcomes);
    }
    if (settle) return settled;
    const failures = settled.flatMap((s, i) => (s.status === 'rejected' ? [{ jobId: ids[i]!, error: s.reason as unknown }] : []));
    if (failures.length > 0) throw new GroupFailedError(this.name, ids.length, failures);
    return settled.map((s) => (s as PromiseFulfilledResult<R>).value);
  }

  /**
   * Cancel every job of the group that has not started (queued, deferred or scheduled). Returns how many
   * were canceled. @see RQ `Job.cancel`
   */
  async cancel(): Promise<number> {
    let canceled = 0;
    const now = String(Math.floor(Date.now() / 1000));
    for (const [id, origin] of await this.#origins()) {
      const outcome = await this.connection.script(CANCEL_WAITING_JOB, jobOperationKeys(id, origin), [id, now], { idempotent: false });
      if (outcome === 1) canceled += 1;
    }
    return canceled;
  }

  /** Delete every job of the group (as `job.delete()` does), then the group itself. */
  async delete(): Promise<void> {
    for (const [id, origin] of await this.#origins()) {
      await this.connection.script(
        DELETE_JOB,
        [...jobOperationKeys(id, origin), dependentsKey(id), dependenciesKey(id), this.key],
        [id, executionKey(id, '')],
      );
    }
    await this.connection.pipeline([['DEL', this.key], ['SREM', groupsKey(), this.name]]);
  }

  /**
   * Take one job id out of the group's set (RQ's `Group.delete_job`); the job itself stays as it is.
   * @throws InvalidArgumentError for a malformed job id.
   */
  async deleteJob(jobId: string): Promise<void> {
    await this.connection.command(['SREM', this.key, validateJobId(jobId, 'jobId')]);
  }

  /**
   * Enqueue `func(results, ...args)`: one job that depends on every job of the group (stock `depends_on`)
   * and receives the list of their results in item order as its first argument (a chunked map's results
   * are concatenated), through the `rqts_dataflow` helper on Python workers. Options are
   * `queue.enqueueCall`'s (`args` are appended after the results), plus `queue` for a fetched group.
   *
   * A group of more than {@link REDUCE_FAN_IN} jobs is reduced through gather jobs
   * (`rqts_dataflow.gather`, each waiting on up to that many jobs and passing their results on as one
   * list), so no job waits on more than {@link REDUCE_FAN_IN} others; `job.dependencyIds` of the reduce
   * then names the gather jobs. Gather jobs take the reduce's `resultTtl`, `failureTtl` and `ttl`.
   * @throws InvalidArgumentError for an empty group (nothing is written).
   */
  reduce<T = unknown>(func: string, options: EnqueueCallOptions & { queue?: Queue } = {}): PendingJob<T> {
    return new PendingJob<T>(this.#reduce<T>(func, options));
  }

  async #reduce<T>(func: string, options: EnqueueCallOptions & { queue?: Queue }): Promise<Job<T>> {
    const { queue: target, ...rest } = options ?? {};
    const ids = await this.#expectedIds();
    if (ids.length === 0) throw new InvalidArgumentError('reduce', this.name, 'the group is empty');
    if (rest.args !== undefined && !Array.isArray(rest.args)) throw new InvalidArgumentError('args', rest.args, 'expected an array');
    let chained = this.#order?.kind === 'map' ? this.#order.chunked : await this.#isChunked(ids[0]!);
    const queue = target ?? this.#queue ?? (await this.#originQueue(ids[0]!));
    // Checked before any gather job is written (enqueueCall would only check it after).
    queue.checkCall(func, { ...rest, args: [] });
    let level = ids;
    while (level.length > REDUCE_FAN_IN) {
      const gathers = await writeGathers(queue, level, chained, rest);
      [level, chained] = [gathers, true];
    }
    return queue.enqueueCall<T>(func, { ...rest, args: [new ResultsRef(level, chained), ...(rest.args ?? [])] });
  }

  toString(): string {
    return `Group(${this.name})`;
  }

  /** Ids in item order as this process wrote them, else the members ordered by `created_at`. */
  async #expectedIds(): Promise<string[]> {
    if (this.#order?.kind === 'ids') return [...this.#order.ids];
    if (this.#order?.kind === 'map') return Array.from({ length: this.#order.size }, (_, i) => mapJobId(this.name, i));
    return this.#orderedIds(new Set(await this.#cleanup()));
  }

  async #orderedIds(members: Set<string>): Promise<string[]> {
    if (this.#order) return this.#expectedIds();
    const ids = [...members];
    const created: string[] = [];
    for (let start = 0; start < ids.length; start += WINDOW) {
      const replies = await this.connection.pipeline(ids.slice(start, start + WINDOW).map((id) => ['HGET', jobKey(id), 'created_at']));
      created.push(...replies.map((r) => (r === null ? '' : String(r))));
    }
    const at = new Map(ids.map((id, i) => [id, created[i]!]));
    return ids.sort((a, b) => (at.get(a)! < at.get(b)! ? -1 : at.get(a)! > at.get(b)! ? 1 : a < b ? -1 : a > b ? 1 : 0));
  }

  /** RQ's `Group.cleanup`: drop ids whose job hash has gone; returns the remaining members. */
  #cleanup(): Promise<string[]> {
    return dropGoneJobs(this.connection, this.key);
  }

  /** [id, origin] of every member that still exists. */
  async #origins(): Promise<[string, string][]> {
    const ids = await this.#cleanup();
    const out: [string, string][] = [];
    for (let start = 0; start < ids.length; start += WINDOW) {
      const window = ids.slice(start, start + WINDOW);
      const origins = await this.connection.pipeline(window.map((id) => ['HGET', jobKey(id), 'origin']));
      window.forEach((id, i) => origins[i] !== null && out.push([id, String(origins[i])]));
    }
    return out;
  }

  async #isChunked(id: string): Promise<boolean> {
    const job = (await Job.fetchMany([id], { connection: this.connection, serializer: this.serializer }))[0];
    return job?.funcName === DataflowEntry.MAP_CHUNK;
  }

  async #originQueue(id: string): Promise<Queue> {
    const origin = await this.connection.command(['HGET', jobKey(id), 'origin']);
    if (origin === null) throw new NoSuchJobError(id);
    return new Queue(String(origin), { connection: this.connection, serializer: this.serializer });
  }
}

/**
 * One gather job per {@link REDUCE_FAN_IN} ids, in order: each depends on its slice and returns their results
 * as one list (concatenated when `chained`). Returns the gather jobs' ids, in order.
 */
async function writeGathers(queue: Queue, ids: readonly string[], chained: boolean, options: EnqueueCallOptions): Promise<string[]> {
  const { resultTtl, failureTtl, ttl } = options;
  const slices: string[][] = [];
  for (let start = 0; start < ids.length; start += REDUCE_FAN_IN) slices.push(ids.slice(start, start + REDUCE_FAN_IN));
  const out: string[] = [];
  for (let start = 0; start < slices.length; start += GATHER_BATCH) {
    const batch = slices.slice(start, start + GATHER_BATCH).map((slice) =>
      Queue.prepareData(DataflowEntry.GATHER, [new ResultsRef(slice, chained)], { resultTtl, failureTtl, ttl }),
    );
    out.push(...(await queue.enqueueMany(batch)).map((job) => job.id));
  }
  return out;
}

/** Ids fetched per round trip. */
const WINDOW = 1_000;

/** RQ's `Group.cleanup` on one group's set: drop ids whose job hash has gone; returns the remaining members. */
async function dropGoneJobs(connection: Connection, key: string): Promise<string[]> {
  const reply = await connection.command(['SMEMBERS', key]);
  const ids = Array.isArray(reply) ? reply.map(String) : [];
  const gone: string[] = [];
  for (let start = 0; start < ids.length; start += WINDOW) {
    const window = ids.slice(start, start + WINDOW);
    const exists = await connection.pipeline(window.map((id) => ['EXISTS', jobKey(id)]));
    window.forEach((id, i) => exists[i] === 0 && gone.push(id));
  }
  for (let start = 0; start < gone.length; start += WINDOW) {
    await connection.command(['SREM', key, ...gone.slice(start, start + WINDOW)]);
  }
  const left = new Set(gone);
  return ids.filter((id) => !left.has(id));
}

/** The names in `rq:groups` whose set exists, sorted; the others are dropped from `rq:groups` (RQ's `Group.all`). */
async function liveGroupNames(connection: Connection): Promise<string[]> {
  const reply = await connection.command(['SMEMBERS', groupsKey()]);
  const names = (Array.isArray(reply) ? reply.map(String) : []).sort();
  const live: string[] = [];
  const gone: string[] = [];
  for (let start = 0; start < names.length; start += WINDOW) {
    const window = names.slice(start, start + WINDOW);
    const exists = await connection.pipeline(window.map((name) => ['EXISTS', groupKey(name)]));
    window.forEach((name, i) => (Number(exists[i]) === 1 ? live : gone).push(name));
  }
  for (let start = 0; start < gone.length; start += WINDOW) {
    await connection.command(['SREM', groupsKey(), ...gone.slice(start, start + WINDOW)]);
  }
  return live;
}

async function fetchInWindows<R>(ids: readonly string[], connection: Connection, serializer: Serializer): Promise<(Job<R> | null)[]> {
  const out: (Job<R> | null)[] = [];
  for (let start = 0; start < ids.length; start += WINDOW) {
    out.push(...(await Job.fetchMany<R>(ids.slice(start, start + WINDOW), { connection, serializer })));
  }
  return out;
}

/** The id of a map's job for item (or chunk) `index`. */
export const mapJobId = (group: string, index: number): string => `${group}-${index}`;

// ---- writing groups --------------------------------------------------------------------------------

/** Options of `queue.map`: enqueue options for every job, plus the group's shape. */
export interface MapOptions extends Omit<EnqueueCallOptions, 'args' | 'kwargs' | 'jobId' | 'unique'> {
  /** Items per job; above 1 each job runs `rqts_dataflow.map_chunk` (the helper, on Python workers). @defaultValue 1 */
  chunkSize?: number;
  /** Jobs per atomic write. @defaultValue 1000 */
  batchSize?: number;
  /** The group's name, `[A-Za-z0-9_-]+`; it must not exist yet. @defaultValue a random hex name */
  name?: string;
}

export const MAP_OPTIONS = ['chunkSize', 'batchSize', 'name'] as const;

/** Prepares one job of a map (the queue's own validation). */
export type Preparer = (func: string, options: EnqueueCallOptions, where: string) => PreparedJob;

/**
 * Write a map: one job per item (or chunk) as `<name>-<index>`, in batches of `batchSize` jobs, each batch
 * one atomic write into the group; items are read lazily, so a generator of a million items is never held.
 * A bad item stops it: the batches already written are deleted (group and jobs) and the error is thrown.
 */
export async function writeMap<R>(
  queue: Queue,
  prepare: Preparer,
  write: GroupWriter,
  func: string,
  items: Iterable<unknown> | AsyncIterable<unknown>,
  options: MapOptions,
): Promise<Group<R>> {
  const { chunkSize = 1, batchSize = 1_000, name: given, ...jobOptions } = options;
  if (items === null || items === undefined || (typeof (items as Iterable<unknown>)[Symbol.iterator] !== 'function' && typeof (items as AsyncIterable<unknown>)[Symbol.asyncIterator] !== 'function')) {
    throw new InvalidArgumentError('items', items, 'expected an iterable (an array, a generator, …)');
  }
  for (const [option, value] of [['chunkSize', chunkSize], ['batchSize', batchSize]] as const) {
    if (!Number.isSafeInteger(value) || value < 1) throw new InvalidArgumentError(option, value, 'expected an integer >= 1');
  }
  for (const forbidden of ['args', 'kwargs', 'jobId', 'unique'] as const) {
    if (forbidden in jobOptions) throw new InvalidArgumentError(forbidden, (jobOptions as Record<string, unknown>)[forbidden], 'not an option of map (each job gets one item)');
  }
  if (jobOptions.pipeline !== undefined) {
    throw new InvalidArgumentError('pipeline', '(a transaction)', "not an option of map: it writes its jobs in batches of its own, not in a caller's transaction");
  }
  if (jobOptions.deferred !== undefined && jobOptions.deferred !== false) {
    throw new InvalidArgumentError('deferred', jobOptions.deferred, 'not an option of map (every job would be a future of its own); hold the map for one future with blockedBy');
  }
  const name = given === undefined ? newGroupName() : validateGroupName(given);
  prepare(func, { ...jobOptions, args: [] }, 'map'); // options and path checked before anything is written

  const chunked = chunkSize > 1;
  let index = 0;
  let written = 0;
  let batch: PreparedJob[] = [];
  let chunk: unknown[] = [];
  const group = (): Group<R> => new Group<R>(name, queue.connection, queue.serializer, queue, { kind: 'map', size: index, chunked });
  const addJob = (args: unknown[], itemIndex: number): void => {
    const jobId = mapJobId(name, index);
    const options: EnqueueCallOptions = chunked
      ? { ...jobOptions, jobId, args: [func, args], description: jobOptions.description ?? `${func}(…) over items ${itemIndex}..${itemIndex + args.length - 1} of ${name}` }
      : { ...jobOptions, jobId, args };
    const p = prepare(chunked ? DataflowEntry.MAP_CHUNK : func, options, `items[${itemIndex}]`);
    p.record.groupId = name;
    batch.push(p);
    index += 1;
  };
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const jobs = batch;
    batch = [];
    await write(jobs, { name, isNew: written === 0 });
    written += jobs.length;
  };
  try {
    let itemIndex = 0;
    let chunkStart = 0;
    for await (const item of items as AsyncIterable<unknown>) {
      if (chunked) {
        if (chunk.length === 0) chunkStart = itemIndex;
        chunk.push(item);
        if (chunk.length === chunkSize) {
          addJob(chunk, chunkStart);
          chunk = [];
        }
      } else {
        addJob([item], itemIndex);
      }
      itemIndex += 1;
      if (batch.length >= batchSize) await flush();
    }
    if (chunk.length > 0) addJob(chunk, chunkStart);
    await flush();
  } catch (error) {
    if (written > 0) await group().delete().catch(() => undefined);
    throw error;
  }
  return group();
}

/** `queue.enqueueGroup`: every job in one atomic write, into a new group. */
export async function writeGroup<R>(queue: Queue, prepared: PreparedJob[], write: GroupWriter, name: string): Promise<Group<R>> {
  for (const p of prepared) p.record.groupId = name;
  const jobs = await write(prepared, { name, isNew: true });
  return new Group<R>(name, queue.connection, queue.serializer, queue, { kind: 'ids', ids: jobs.map((j) => j.id) });
}

// ---- chaining without intermediate awaits ------------------------------------------------------------

/** A job being enqueued: await it for the Job, or chain `.wait()`. */
export class PendingJob<R = unknown> implements PromiseLike<Job<R>> {
  readonly #promise: Promise<Job<R>>;
  constructor(promise: Promise<Job<R>>) {
    this.#promise = promise;
  }
  then<A = Job<R>, B = never>(onFulfilled?: ((job: Job<R>) => A | PromiseLike<A>) | null, onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<A | B> {
    return this.#promise.then(onFulfilled, onRejected);
  }
  catch<B = never>(onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<Job<R> | B> {
    return this.#promise.catch(onRejected);
  }
  /** Once enqueued, `job.wait(options)`. */
  wait(options?: WaitOptions): Promise<R> {
    return this.#promise.then((job) => job.wait(options));
  }
}

/** A group being written: await it for the Group, or chain `.reduce(…)` / `.results()`. */
export class PendingGroup<R = unknown> implements PromiseLike<Group<R>> {
  readonly #promise: Promise<Group<R>>;
  constructor(promise: Promise<Group<R>>) {
    this.#promise = promise;
  }
  then<A = Group<R>, B = never>(onFulfilled?: ((group: Group<R>) => A | PromiseLike<A>) | null, onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<A | B> {
    return this.#promise.then(onFulfilled, onRejected);
  }
  catch<B = never>(onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<Group<R> | B> {
    return this.#promise.catch(onRejected);
  }
  /** Once written, `group.reduce(func, options)`. */
  reduce<T = unknown>(func: string, options?: EnqueueCallOptions & { queue?: Queue }): PendingJob<T> {
    return new PendingJob<T>(this.#promise.then((group) => group.reduce<T>(func, options)));
  }
  /** Once written, `group.results(options)`. */
  results(options?: GroupResultsOptions): Promise<R[]> {
    return this.#promise.then((group) => group.results({ ...options, settle: false }));
  }
}
