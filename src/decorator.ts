/**
 * `job()`: RQ's `@job` decorator for TypeScript, in three forms with one implementation.
 *
 * - a typed stub for a Python function: `job<[x: number, y: number], number>('mylib.add', options)`;
 * - a wrapper for a JS function: `job(options)(async function resize(url: string) { … })`, still callable;
 * - a TC39 decorator on static methods: `class Tasks { @job(options) static async resize(url) { … } }`.
 *
 * Each gets `.delay(...args)`, `.delayWith(options, ...args)`, `.enqueueAt`, `.enqueueIn` and
 * `.prepareData`. JS functions are registered by name so a Node worker can resolve them.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { Connection, type ConnectionLike, type SharedConnection } from './connection.js';
import { InvalidArgumentError } from './errors.js';
import type { Job } from './job.js';
import { prepareJob, type EnqueueCallOptions } from './prepare.js';
import { Defaults } from './protocol.js';
import { Queue, type EnqueueData } from './queue.js';
import { resolveSerializer } from './serializers/index.js';
import { registerTask } from './tasks.js';
import type { SerializerLike } from './serializers/serializer.js';
import { rejectUnknownOptions, validateFuncName, validateQueueName, type Duration } from './validate.js';

/** Options fixed when a task is defined (RQ's `@job(queue, connection=…, timeout=…)`). */
export interface TaskOptions extends Pick<EnqueueCallOptions, 'jobTimeout' | 'resultTtl' | 'ttl' | 'failureTtl' | 'retry' | 'onSuccess' | 'onFailure' | 'onStopped' | 'meta' | 'description'> {
  /**
   * Queue name, or a {@link Queue} (as RQ's `@job(queue)` takes one): its connection, serializer and
   * `isAsync` then apply, so a task bound to `new Queue(…, { isAsync: false })` runs at `.delay()`.
   * @defaultValue `'default'`
   */
  queue?: string | Queue;
  /**
   * Where to enqueue. A URL opens one connection for this task that lives as long as the process (as RQ's
   * `@job(connection=Redis(...))` does); share a {@link Connection} to control its lifetime.
   * @defaultValue the connection of {@link withConnection}, else of {@link setDefaultConnection}
   */
  connection?: ConnectionLike;
  /** Must match the workers' `--serializer`. @defaultValue `'pickle'` */
  serializer?: SerializerLike;
  /**
   * The job's `func_name` for JS functions (a Node worker resolves it). Defaults to the function's name
   * (`Class.method` for decorated static methods); set it explicitly when code is minified.
   */
  name?: string;
}

/** Options of one call, on top of the task's. */
export type CallOptions = Omit<EnqueueCallOptions, 'args'>;

/**
 * A function that can be enqueued.
 * @typeParam A - its parameters; @typeParam R - what it returns (the job's result type).
 */
export interface Task<A extends unknown[], R> {
  /** The `func_name` stored in the job. */
  readonly funcName: string;
  /** Enqueue a call (RQ's `func.delay(*args)`). */
  delay(...args: A): Promise<Job<R>>;
  /** Enqueue with per-call options (`kwargs`, `jobId`, `dependsOn`, `atFront`, overrides…). */
  delayWith(options: CallOptions, ...args: A): Promise<Job<R>>;
  /** Schedule a call for a time (needs `rq worker --with-scheduler`). */
  enqueueAt(when: Date, ...args: A): Promise<Job<R>>;
  /** Schedule a call after a delay: seconds or `'10m'`-style. */
  enqueueIn(delay: Duration, ...args: A): Promise<Job<R>>;
  /** A description for `queue.enqueueMany`, with the task's options. */
  prepareData(...args: A): EnqueueData;
}


// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyFunction = (...args: any[]) => any;

/** A JS function with a {@link Task} attached. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type TaskFunction<F extends (...args: any[]) => any> = F & Task<Parameters<F>, Awaited<ReturnType<F>>>;

/** What `job(options)` returns: wraps a function, or decorates a static method. */
export interface TaskWrapper {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  <F extends (...args: any[]) => any>(fn: F, context?: ClassMethodDecoratorContext): TaskFunction<F>;
}

// ---- default connection (RQ's push_connection idea) ------------------------------------------------------

let defaultConnection: Connection | null = null;
const scopedConnection = new AsyncLocalStorage<Connection>();

/** The connection tasks use when they were given none. */
export function setDefaultConnection(connection: SharedConnection | null): void {
  defaultConnection = connection === null ? null : Connection.shared(connection);
}

/** Run `fn` with `connection` as the tasks' connection for everything it awaits. */
export function withConnection<T>(connection: SharedConnection, fn: () => T): T {
  return scopedConnection.run(Connection.shared(connection), fn);
}

// ---- job() --------------------------------------------------------------------------------------------

const TASK_OPTIONS = [
  'queue', 'connection', 'serializer', 'name', 'jobTimeout', 'resultTtl', 'ttl', 'failureTtl', 'retry', 'onSuccess',
  'onFailure', 'onStopped', 'meta', 'description',
] as const;

/**
 * A typed stub for a Python function, by dotted path.
 * @example
 * ```ts
 * const add = job<[x: number, y: number], number>('mylib.add', { queue: 'default', connection });
 * const j = await add.delay(1, 2);   // Job<number>
 * ```
 * @throws InvalidArgumentError for a bad path or option (at definition, before anything is written).
 * @see RQ `rq.decorators.job`
 */
export function job<A extends unknown[] = unknown[], R = unknown>(funcName: string, options?: TaskOptions): Task<A, R>;
/**
 * A wrapper (or static-method decorator) that makes a JS function enqueueable; the function stays callable.
 * @example `export const resize = job({ queue: 'images' })(async function resize(url: string) { … });`
 */
export function job(options?: TaskOptions): TaskWrapper;
export function job(first?: string | TaskOptions, options?: TaskOptions): Task<unknown[], unknown> | TaskWrapper {
  if (typeof first === 'string') return makeTask(validateFuncName(first), checkOptions(options));
  const opts = checkOptions(first);
  return <F extends AnyFunction>(fn: F, context?: ClassMethodDecoratorContext): TaskFunction<F> => {
    if (typeof fn !== 'function') throw new InvalidArgumentError('job()', fn, 'expected a function to wrap');
    if (context) {
      if (context.kind !== 'method' || !context.static) {
        throw new InvalidArgumentError('@job', String(context.name), 'decorates static methods only (instances are not enqueueable)');
      }
      // The class name is known only once the class exists; resolve the name lazily.
      let className: string | null = null;
      context.addInitializer(function (this: unknown) {
        className = (this as { name?: string }).name ?? null;
        registerTask(validateFuncName(wrapped.funcName, 'name'), fn.bind(this));
      });
      const nameOf = () => opts.name ?? `${className ?? 'anonymous'}.${String(context.name)}`;
      const wrapped = attachTask(function (this: unknown, ...args: unknown[]) {
        return fn.apply(this, args);
      } as F, nameOf, opts);
      return wrapped;
    }
    const name = validateFuncName(opts.name ?? fn.name, 'name');
    registerTask(name, fn);
    return attachTask(((...args: unknown[]) => fn(...args)) as F, () => name, opts);
  };
}

function checkOptions(options: TaskOptions | undefined): TaskOptions {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object') throw new InvalidArgumentError('job() options', options, 'expected an object');
  rejectUnknownOptions('job()', options, TASK_OPTIONS);
  if (options.queue instanceof Queue) {
    for (const option of ['connection', 'serializer'] as const) {
      if (options[option] !== undefined) throw new InvalidArgumentError(option, options[option], 'the queue passed as { queue } brings its own');
    }
  } else if (options.queue !== undefined) validateQueueName(options.queue);
  if (options.name !== undefined) validateFuncName(options.name, 'name');
  if (options.serializer !== undefined) resolveSerializer(options.serializer);
  // Validate every enqueue option now with a dry run (nothing is written).
  const { queue: _q, connection: _c, serializer, name: _n, ...enqueueOptions } = options;
  prepareJob({ queue: 'validate', serializer: resolveSerializer(serializer ?? 'pickle'), defaultTimeout: Defaults.JOB_TIMEOUT }, 'validate.options', enqueueOptions);
  return options;
}

function attachTask<F extends AnyFunction>(fn: F, nameOf: () => string, options: TaskOptions): TaskFunction<F> {
  const task = makeTask(nameOf, options);
  Object.defineProperty(fn, 'funcName', { get: nameOf, enumerable: true });
  for (const key of ['delay', 'delayWith', 'enqueueAt', 'enqueueIn', 'prepareData'] as const) {
    Object.defineProperty(fn, key, { value: task[key], enumerable: true });
  }
  return fn as TaskFunction<F>;
}

function makeTask<A extends unknown[], R>(name: string | (() => string), options: TaskOptions): Task<A, R> {
  const nameOf = typeof name === 'string' ? () => name : name;
  const { queue: queueName = Defaults.QUEUE_NAME, connection, serializer, name: _name, ...defaults } = options;
  const queues = new WeakMap<Connection, Queue>();
  const pinned = connection === undefined ? null : Connection.from(connection);

  const queueFor = (): Queue => {
    if (queueName instanceof Queue) return queueName;
    const conn = pinned ?? scopedConnection.getStore() ?? defaultConnection;
    if (!conn) {
      throw new InvalidArgumentError('connection', undefined, 'no Redis connection: pass { connection } to job(), or call setDefaultConnection() / withConnection()');
    }
    let q = queues.get(conn);
    if (!q) queues.set(conn, (q = new Queue(queueName, { connection: conn, serializer })));
    return q;
  };
  const merged = (call: CallOptions, args: unknown[]): EnqueueCallOptions => {
    if (!call || typeof call !== 'object') throw new InvalidArgumentError('delayWith options', call, 'expected an object');
    return { ...defaults, ...call, args };
  };

  return {
    get funcName() {
      return nameOf();
    },
    // async, so that a missing connection rejects like every other failure instead of throwing.
    delay: async (...args: A) => queueFor().enqueueCall<R>(nameOf(), merged({}, args)),
    delayWith: async (call: CallOptions, ...args: A) => queueFor().enqueueCall<R>(nameOf(), merged(call, args)),
    enqueueAt: async (when: Date, ...args: A) => queueFor().enqueueCallAt<R>(when, nameOf(), merged({}, args)),
    enqueueIn: async (delay: Duration, ...args: A) => queueFor().enqueueCallIn<R>(delay, nameOf(), merged({}, args)),
    prepareData: (...args: A) => Queue.prepareData(nameOf(), args, defaults),
  };
}
