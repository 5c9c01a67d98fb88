/**
 * Dataflow: one job's return value as another job's argument (`resultOf`), resolved on stock Python workers
 * by the helper module `python/rqts_dataflow.py` and natively by the Node worker.
 *
 * On the wire a reference is a marker dict (`{'__rqts_result_of__': id}`, see {@link DataflowMarker}), and a
 * job holding one is stored as `rqts_dataflow.call(target, *args, **kwargs)`; the job depends on every job it
 * references (stock `depends_on`). Reading a job back undoes the wrapping, so `job.funcName` is the target
 * and its arguments hold {@link ResultRef}s again.
 */
import type { Connection, Reply } from './connection.js';
import { InvalidArgumentError, ParentJobError, RqtsError } from './errors.js';
import { jobKey, resultsKey } from './keys.js';
import type { Payload } from './payload.js';
import { DataflowEntry, DataflowMarker, JobStatus, ResultType } from './protocol.js';
import { childPath, isPlainObject, isTuple, py, PY_REPR } from './py/values.js';
import { parseResultEntry } from './results.js';
import type { Serializer } from './serializers/serializer.js';
import { validateJobId } from './validate.js';

/** A job's future return value, passed as an argument: made by {@link resultOf}. */
export class ResultRef {
  /** The job whose return value this stands for. */
  readonly jobId: string;
  /** The connection of the Job it was made from, to reject a job of another Redis. */
  readonly connection: Connection | null;

  /** @internal Use {@link resultOf}. */
  constructor(jobId: string, connection: Connection | null = null) {
    this.jobId = jobId;
    this.connection = connection;
  }

  /** How the job description shows it: `mylib.add(<result of 1f3…>, 2)`. */
  [PY_REPR](): string {
    return `<result of ${this.jobId}>`;
  }

  toString(): string {
    return `ResultRef(${this.jobId})`;
  }
}

/**
 * Several jobs' results as one list argument, in order; `chained` concatenates their (list) results.
 * @internal Made by `group.reduce()`.
 */
export class ResultsRef {
  constructor(
    readonly jobIds: readonly string[],
    readonly chained: boolean,
  ) {}

  [PY_REPR](): string {
    return `<results of ${this.jobIds.length} jobs>`;
  }
}

/**
 * Stand for `job`'s return value in another job's arguments (anywhere in `args`, `kwargs`, or lists and
 * dicts nested in them). The job that receives it depends on `job` and runs with its value; on Python
 * workers this needs the `rqts_dataflow` helper module on the workers' path (see the README).
 *
 * A JS task run by the Node worker may also *return* `resultOf(other)`: `job.wait()` then follows it.
 * @example
 * ```ts
 * const a = await queue.enqueue('mylib.add', 1, 2);
 * const total = await queue.enqueue('mylib.add', resultOf(a), 10); // runs mylib.add(3, 10)
 * ```
 * @throws InvalidArgumentError for something that is not a Job or a valid job id.
 */
export function resultOf(job: string | { readonly id: string; readonly connection?: unknown }): ResultRef {
  if (typeof job === 'string') return new ResultRef(validateJobId(job, 'resultOf'));
  if (job && typeof job === 'object' && typeof job.id === 'string') {
    const connection = (job.connection ?? null) as Connection | null;
    return new ResultRef(validateJobId(job.id, 'resultOf'), connection);
  }
  throw new InvalidArgumentError('resultOf', job, 'expected a Job or a job id');
}

// ---- writing -------------------------------------------------------------------------------------

/** A call as stored: the helper's entry point and marked arguments when it holds references. */
export interface StoredCall {
  funcName: string;
  args: readonly unknown[];
  kwargs: Record<string, unknown>;
  /** Every job referenced, once each, in first-seen order. */
  referencedIds: string[];
  /** The references made from Job objects (their connections are checked before writing). */
  references: ResultRef[];
}

/**
 * The call to store for `func(*args, **kwargs)`: unchanged without references, else
 * `rqts_dataflow.call(func, *args, **kwargs)` with each reference replaced by its marker.
 * @throws InvalidArgumentError for a reference where no marker can go (a set member or a dict key).
 */
export function storeCall(funcName: string, args: readonly unknown[], kwargs: Record<string, unknown>): StoredCall {
  const found = { ids: new Set<string>(), refs: [] as ResultRef[] };
  const markedArgs = markAll(args, 'args', found, new Set()) as readonly unknown[];
  const markedKwargs = markAll(kwargs, 'kwargs', found, new Set()) as Record<string, unknown>;
  if (found.ids.size === 0) return { funcName, args, kwargs, referencedIds: [], references: [] };
  return {
    funcName: DataflowEntry.CALL,
    args: [funcName, ...markedArgs],
    kwargs: markedKwargs,
    referencedIds: [...found.ids],
    references: found.refs,
  };
}

/** Replace references by markers, copying only the containers that hold one. */
function markAll(value: unknown, path: string, found: { ids: Set<string>; refs: ResultRef[] }, ancestors: Set<object>): unknown {
  if (value instanceof ResultRef) {
    found.ids.add(value.jobId);
    found.refs.push(value);
    return { [DataflowMarker.RESULT_OF]: value.jobId };
  }
  if (value instanceof ResultsRef) {
    for (const id of value.jobIds) found.ids.add(id);
    return { [value.chained ? DataflowMarker.CHAINED_RESULTS_OF : DataflowMarker.RESULTS_OF]: [...value.jobIds] };
  }
  if (value === null || typeof value !== 'object' || ancestors.has(value)) return value; // cycles: the serializer names them
  ancestors.add(value);
  try {
    if (Array.isArray(value)) {
      let out: unknown[] | null = null;
      value.forEach((item, i) => {
        const marked = markAll(item, childPath(path, i), found, ancestors);
        if (marked !== item) (out ??= [...value])[i] = marked;
      });
      if (!out) return value;
      return isTuple(value) ? py.tuple(...(out as unknown[])) : out;
    }
    if (isPlainObject(value)) {
      let out: Record<string, unknown> | null = null;
      for (const key of Object.keys(value)) {
        const marked = markAll(value[key], childPath(path, key), found, ancestors);
        if (marked !== value[key]) (out ??= { ...value })[key] = marked;
      }
      return out ?? value;
    }
    if (value instanceof Map) {
      let out: Map<unknown, unknown> | null = null;
      let i = 0;
      for (const [k, v] of value) {
        if (k instanceof ResultRef || k instanceof ResultsRef) {
          throw new InvalidArgumentError(`${path}.keys()[${i}]`, k, 'a resultOf() reference cannot be a dict key (Python dicts are unhashable)');
        }
        const marked = markAll(v, childPath(path, String(k)), found, ancestors);
        if (marked !== v) (out ??= new Map(value)).set(k, marked);
        i += 1;
      }
      return out ?? value;
    }
    if (value instanceof Set) {
      let i = 0;
      for (const member of value) {
        if (member instanceof ResultRef || member instanceof ResultsRef) {
          throw new InvalidArgumentError(`${path}.values()[${i}]`, member, 'a resultOf() reference cannot be a set member (its marker is a dict, which is unhashable)');
        }
        i += 1;
      }
    }
    return value;
  } finally {
    ancestors.delete(value);
  }
}

/** Identity of the Redis database a connection talks to (server run id + db index), cached per connection. */
const identities = new WeakMap<Connection, Promise<string>>();

function redisIdentity(connection: Connection): Promise<string> {
  let id = identities.get(connection);
  if (!id) {
    id = connection
      .pipeline([['INFO', 'server'], ['CLIENT', 'INFO']])
      .then(([info, client]) => {
        const runId = /run_id:(\w+)/.exec(String(info))?.[1] ?? '?';
        const db = /\bdb=(\d+)/.exec(String(client))?.[1] ?? '?';
        return `${runId}/${db}`;
      });
    identities.set(connection, id);
    id.catch(() => identities.delete(connection));
  }
  return id;
}

/**
 * Reject references to jobs of another Redis (a Job fetched or enqueued through another connection).
 * @throws InvalidArgumentError naming the job; nothing has been written yet.
 */
export async function checkSameRedis(connection: Connection, refs: readonly ResultRef[]): Promise<void> {
  const foreign = refs.filter((r) => r.connection !== null && r.connection !== connection);
  if (foreign.length === 0) return;
  const here = await redisIdentity(connection);
  for (const ref of foreign) {
    if ((await redisIdentity(ref.connection!)) !== here) {
      throw new InvalidArgumentError('resultOf', ref.jobId, 'that job lives in another Redis database than this queue');
    }
  }
}

// ---- reading -------------------------------------------------------------------------------------

/** The marker's kind and ids, or null when `value` is not a marker dict. */
function markerOf(value: unknown): { key: string; ids: string[] } | null {
  let entries: [unknown, unknown][];
  if (isPlainObject(value)) entries = Object.entries(value);
  else if (value instanceof Map) entries = [...value];
  else return null;
  if (entries.length !== 1) return null;
  const [key, v] = entries[0]!;
  if (key === DataflowMarker.RESULT_OF) return typeof v === 'string' ? { key, ids: [v] } : null;
  if ((key === DataflowMarker.RESULTS_OF || key === DataflowMarker.CHAINED_RESULTS_OF) && Array.isArray(v) && v.every((x) => typeof x === 'string')) {
    return { key, ids: v as string[] };
  }
  return null;
}

/**
 * The reference a job returned, or null: a {@link ResultRef} as such, or a `{'__rqts_result_of__': id}`
 * marker as a Python task's `rqts_dataflow.result_of(job)` returns it.
 */
export function asResultRef(value: unknown): ResultRef | null {
  if (value instanceof ResultRef) return value;
  const marker = markerOf(value);
  return marker?.key === DataflowMarker.RESULT_OF ? new ResultRef(marker.ids[0]!) : null;
}

/** Markers back to references, copying only what holds one. */
function unmark(value: unknown, ancestors = new Set<object>()): unknown {
  const marker = markerOf(value);
  if (marker) {
    if (marker.key === DataflowMarker.RESULT_OF) return new ResultRef(marker.ids[0]!);
    return new ResultsRef(marker.ids, marker.key === DataflowMarker.CHAINED_RESULTS_OF);
  }
  if (value === null || typeof value !== 'object' || ancestors.has(value)) return value;
  ancestors.add(value);
  try {
    if (Array.isArray(value)) {
      const out = value.map((v) => unmark(v, ancestors));
      if (out.every((v, i) => v === value[i])) return value;
      return isTuple(value) ? py.tuple(...out) : out;
    }
    if (isPlainObject(value)) {
      let out: Record<string, unknown> | null = null;
      for (const key of Object.keys(value)) {
        const v = unmark(value[key], ancestors);
        if (v !== value[key]) (out ??= { ...value })[key] = v;
      }
      return out ?? value;
    }
    return value;
  } finally {
    ancestors.delete(value);
  }
}

/**
 * The call a stored payload makes, as the user wrote it: `rqts_dataflow.call(f, …)` reads back as `f(…)`
 * with {@link ResultRef}s in place of markers. Other payloads (chunked-map jobs too) are returned as stored.
 */
export function userCall(payload: Payload): Payload {
  if (payload.funcName !== DataflowEntry.CALL || typeof payload.args[0] !== 'string') return payload;
  const args = payload.args.slice(1).map((a) => unmark(a));
  return {
    funcName: payload.args[0],
    instance: payload.instance,
    args: isTuple(payload.args) ? py.tuple(...args) : args,
    kwargs: unmark(payload.kwargs) as Record<string, unknown>,
  };
}

/** A reference or a result returned by a JS task, as the wire carries it (markers for references). */
export function toWire(value: unknown): unknown {
  return markAll(value, 'return value', { ids: new Set(), refs: [] }, new Set());
}

// ---- resolving (the Node worker) --------------------------------------------------------------------

/** Every job id referenced in `value`. */
function collectIds(value: unknown, out: Set<string>, ancestors = new Set<object>()): void {
  if (value instanceof ResultRef) out.add(value.jobId);
  else if (value instanceof ResultsRef) for (const id of value.jobIds) out.add(id);
  else if (value !== null && typeof value === 'object' && !ancestors.has(value)) {
    ancestors.add(value);
    if (Array.isArray(value)) for (const v of value) collectIds(v, out, ancestors);
    else if (isPlainObject(value)) for (const v of Object.values(value)) collectIds(v, out, ancestors);
    else if (value instanceof Map) for (const v of value.values()) collectIds(v, out, ancestors);
    ancestors.delete(value);
  }
}

/** References replaced by values (tuples stay tuples). */
function substitute(value: unknown, values: ReadonlyMap<string, unknown>): unknown {
  if (value instanceof ResultRef) return values.get(value.jobId);
  if (value instanceof ResultsRef) {
    if (!value.chained) return value.jobIds.map((id) => values.get(id));
    return value.jobIds.flatMap((id) => {
      const part = values.get(id);
      if (!Array.isArray(part)) throw new ParentJobError(id, `job ${id} returned ${typeof part}, not a list of results to chain`);
      return part;
    });
  }
  if (Array.isArray(value)) {
    const out = value.map((v) => substitute(v, values));
    return isTuple(value) ? py.tuple(...out) : out;
  }
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, values)]));
  if (value instanceof Map) return new Map([...value].map(([k, v]) => [k, substitute(v, values)]));
  return value;
}

/** Ids read per round trip when fetching parents' results. */
const FETCH_WINDOW = 500;

/**
 * The return values of finished jobs, from the results stream (RQ 1.12+ on Redis 5+) or else the legacy
 * `result` field of the job hash.
 * @throws ParentJobError naming a job that does not exist any more, did not finish, or has no result.
 */
export async function fetchReturnValues(connection: Connection, serializer: Serializer, ids: Iterable<string>): Promise<Map<string, unknown>> {
  const all = [...new Set(ids)];
  const values = new Map<string, unknown>();
  for (let start = 0; start < all.length; start += FETCH_WINDOW) {
    const window = all.slice(start, start + FETCH_WINDOW);
    const replies = await connection.pipeline(
      window.flatMap((id) => [
        ['HGET', jobKey(id), 'status'],
        ['XREVRANGE', resultsKey(id), '+', '-', 'COUNT', '1'],
        ['HGET', jobKey(id), 'result'],
      ]),
    );
    window.forEach((id, i) => {
      const [status, latest, legacy] = replies.slice(3 * i, 3 * i + 3) as [Reply, Reply, Reply];
      values.set(id, returnValueOf(id, status, latest, legacy, serializer));
    });
  }
  return values;
}

function returnValueOf(id: string, status: Reply, latest: Reply, legacy: Reply, serializer: Serializer): unknown {
  const unavailable = (why: string): ParentJobError => new ParentJobError(id, `the result of job ${id} is not available: ${why}`);
  if (status === null) throw unavailable('that job no longer exists (deleted, or its result expired)');
  if (String(status) !== JobStatus.FINISHED) throw unavailable(`that job is ${String(status)}, not finished`);
  const entry = Array.isArray(latest) && latest.length > 0 ? latest[0]! : null;
  if (entry) {
    const result = parseResultEntry(entry, serializer, id);
    if (result.type !== ResultType.SUCCESSFUL) throw unavailable('its latest result is not a success');
    return result.returnValue;
  }
  if (Buffer.isBuffer(legacy) && legacy.length > 0) return serializer.loads(legacy);
  throw unavailable('it has no stored result (expired?)');
}

/** The function a job runs in the end: a chunked-map job's target, else the job's own (user-facing) `funcName`. */
export function targetName(job: Pick<CallSource, 'funcName' | 'args'>): string {
  if (job.funcName === DataflowEntry.MAP_CHUNK && typeof job.args[0] === 'string') return job.args[0];
  return job.funcName;
}

/** The built-in `rqts_dataflow.gather`: the list of results it was given. */
const gather = (values: unknown): unknown[] => {
  if (!Array.isArray(values)) throw new RqtsError(`${DataflowEntry.GATHER} expects a list of results`);
  return [...values];
};

/** What the Node worker calls for a job, after dataflow resolution. */
export interface Invocation {
  /** The function name looked up (the target for a `rqts_dataflow.*` job). */
  funcName: string;
  /** The handler, or undefined when none is registered under `funcName`. */
  handler: ((...args: unknown[]) => unknown) | undefined;
  /** Positional arguments, with references replaced by values and kwargs (if any) appended as one object. */
  args: unknown[];
}

/** The parts of a Job the resolver reads (a Job satisfies it). */
export interface CallSource {
  readonly funcName: string;
  readonly args: readonly unknown[];
  readonly kwargs: Record<string, unknown>;
  readonly connection: Connection;
  readonly serializer: Serializer;
}

/**
 * For the Node worker: the handler to run and its arguments, with every reference replaced by the
 * referenced job's return value (read as Python's helper reads it), and chunked-map jobs turned into one
 * call of the target per item. Synchronous unless references must be read (the worker's hot path).
 * @throws ParentJobError when a referenced job has no value to give (the job then fails, naming it).
 */
export function resolveInvocation(job: CallSource, lookup: (funcName: string) => ((...args: never[]) => unknown) | undefined): Invocation | Promise<Invocation> {
  if (job.funcName === DataflowEntry.MAP_CHUNK) {
    const [target, items] = job.args;
    if (typeof target !== 'string' || !Array.isArray(items)) throw new RqtsError(`Malformed ${DataflowEntry.MAP_CHUNK} job`);
    const fn = lookup(target) as ((...args: unknown[]) => unknown) | undefined;
    const handler = fn && (async (...list: unknown[]) => {
      const out: unknown[] = [];
      for (const item of list[0] as unknown[]) out.push(await fn(item));
      return out;
    });
    return { funcName: target, handler, args: [items] };
  }
  // A large reduce's gather step is built in: no task module has to define it.
  const handler = job.funcName === DataflowEntry.GATHER ? gather : (lookup(job.funcName) as ((...args: unknown[]) => unknown) | undefined);
  const kwargs = Object.keys(job.kwargs).length > 0 ? [job.kwargs] : [];
  if (!handler) return { funcName: job.funcName, handler, args: [...job.args, ...kwargs] };
  const ids = new Set<string>();
  collectIds(job.args, ids);
  collectIds(job.kwargs, ids);
  if (ids.size === 0) return { funcName: job.funcName, handler, args: [...job.args, ...kwargs] };
  return fetchReturnValues(job.connection, job.serializer, ids).then((values) => ({
    funcName: job.funcName, handler, args: [...job.args, ...kwargs].map((a) => substitute(a, values)),
  }));
}
