/**
 * The Node worker's options: their documentation, RQ's defaults, and validation before anything touches
 * Redis (a typo such as `burts: true` is rejected, naming the option).
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ConnectionLike } from '../connection.js';
import { InvalidArgumentError } from '../errors.js';
import { Defaults } from '../protocol.js';
import type { SerializerLike } from '../serializers/serializer.js';
import { isPlainObject } from '../py/values.js';
import { rejectUnknownOptions, validateQueueName } from '../validate.js';
import { ISOLATIONS, type Handler, type Isolation } from './execute.js';

export type { Isolation } from './execute.js';

export interface WorkerOptions {
  /** A `redis://` URL, a node-redis client, or a Connection. */
  connection: ConnectionLike;
  /** Queues to listen on, in priority order. */
  queues: readonly string[];
  /** Must match the producers'. @defaultValue `'pickle'` */
  serializer?: SerializerLike;
  /** Functions by `func_name`, in addition to those registered with `job()`. They always run with isolation `'none'`. */
  handlers?: Record<string, Handler>;
  /**
   * Task modules (paths or `file:` URLs) that register tasks with `job()`. `work()` imports them, and so does
   * every isolated thread or process, which is how an isolated executor finds a task by its name.
   */
  require?: readonly string[];
  /** @defaultValue a random hex name, as RQ's */
  name?: string;
  /** Stop when the queues are empty (`rq worker --burst`). @defaultValue false */
  burst?: boolean;
  /** Jobs run at once, each with its own execution record, heartbeat and started-registry entry. @defaultValue 1 */
  concurrency?: number;
  /**
   * Where tasks run: `'none'` in the worker's event loop (on timeout or stop the handler's `signal` aborts but
   * the function is NOT killed), `'thread'` or `'process'` in pooled executors that are killed on timeout,
   * stop-job, kill-horse and cold shutdown. @defaultValue `'none'`
   */
  isolation?: Isolation;
  /** Isolation per task name, overriding {@link WorkerOptions.isolation}. */
  taskIsolation?: Record<string, Isolation>;
  /** Seconds a success is kept when the job sets no `result_ttl` (`--results-ttl`). @defaultValue 500 */
  resultTtl?: number;
  /**
   * Started-registry layout: `2` writes execution records and `<id>:<execution>` members (RQ 2.x), `1` plain
   * ids (for deployments whose Python workers are 1.x). @defaultValue 2
   */
  layout?: 1 | 2;
  /** Seconds one blocking dequeue waits before the worker heartbeats and loops. @defaultValue 10 */
  dequeueTimeout?: number;
  /** Stop after this many jobs (`--max-jobs`). */
  maxJobs?: number;
  /** Stop after this many seconds without a job (`--max-idle-time`). */
  maxIdleTime?: number;
  /**
   * Install SIGINT/SIGTERM handlers while working: the first signal is a warm shutdown (running jobs finish),
   * the second a cold one (running jobs are halted and failed, or retried when they have retries left).
   * @defaultValue true
   */
  handleSignals?: boolean;
  /** Seconds between maintenance runs (registry cleanup, dead workers) (`--maintenance-interval`). @defaultValue 600 */
  maintenanceInterval?: number;
  /** Move due scheduled jobs and delayed retries to their queues, as `rq worker --with-scheduler`. @defaultValue false */
  withScheduler?: boolean;
  /** Where the worker logs. @defaultValue console */
  logger?: Pick<Console, 'info' | 'warn' | 'error'>;
  /**
   * A consumer span per job that continues the producer's trace (from `traceparent` in the job's meta), and
   * job metrics, when `@opentelemetry/api` is installed (see `configureTelemetry`). @defaultValue true
   */
  telemetry?: boolean;
}

const OPTION_NAMES = [
  'connection', 'queues', 'serializer', 'handlers', 'require', 'name', 'burst', 'concurrency', 'isolation', 'taskIsolation',
  'resultTtl', 'layout', 'dequeueTimeout', 'maxJobs', 'maxIdleTime', 'handleSignals', 'maintenanceInterval',
  'withScheduler', 'logger', 'telemetry',
] as const;

/** RQ's worker defaults (rq/defaults.py). */
export const WorkerDefaults = {
  /** Seconds the worker hash lives without a heartbeat (plus 60, as RQ sets it). */
  WORKER_TTL: 420,
  /** Seconds between heartbeats of a running job. */
  JOB_MONITORING_INTERVAL: 30,
  /** Seconds between maintenance runs. */
  MAINTENANCE_INTERVAL: 600,
} as const;

/** The options with defaults applied; everything checked. */
export interface ResolvedOptions {
  queues: string[];
  handlers: Record<string, Handler>;
  modules: string[];
  name: string;
  burst: boolean;
  concurrency: number;
  isolation: Isolation;
  taskIsolation: Record<string, Isolation>;
  resultTtl: number;
  layout: 1 | 2;
  dequeueTimeout: number;
  maxJobs: number;
  maxIdleTime: number;
  handleSignals: boolean;
  maintenanceInterval: number;
  withScheduler: boolean;
  logger: Pick<Console, 'info' | 'warn' | 'error'>;
  telemetry: boolean;
}

/** Validate every option (nothing is written before this passes). @throws InvalidArgumentError naming the option. */
export function resolveWorkerOptions(options: WorkerOptions, defaultName: string): ResolvedOptions {
  if (!options || typeof options !== 'object') throw new InvalidArgumentError('Worker options', options, 'expected { connection, queues }');
  rejectUnknownOptions('Worker', options, OPTION_NAMES);
  if (!Array.isArray(options.queues) || options.queues.length === 0) {
    throw new InvalidArgumentError('queues', options.queues, 'expected at least one queue name');
  }
  const name = options.name ?? defaultName;
  if (typeof name !== 'string' || !/^[A-Za-z0-9_.-]+$/.test(name)) throw new InvalidArgumentError('name', name, 'expected letters, digits, ".", "_" or "-"');
  const handlers = { ...(options.handlers ?? {}) };
  for (const [key, fn] of Object.entries(handlers)) {
    if (typeof fn !== 'function') throw new InvalidArgumentError(`handlers.${key}`, fn, 'expected a function');
  }
  const isolation = isolationOption('isolation', options.isolation ?? 'none');
  const taskIsolation: Record<string, Isolation> = {};
  if (options.taskIsolation !== undefined) {
    if (!isPlainObject(options.taskIsolation)) throw new InvalidArgumentError('taskIsolation', options.taskIsolation, 'expected { [funcName]: isolation }');
    for (const [task, value] of Object.entries(options.taskIsolation)) taskIsolation[task] = isolationOption(`taskIsolation.${task}`, value);
  }
  // Functions handed over as values live in this process only: they cannot run in a thread or child.
  for (const task of Object.keys(handlers)) {
    if ((taskIsolation[task] ?? isolation) !== 'none') {
      throw new InvalidArgumentError(`handlers.${task}`, handlers[task], 'handlers run in the worker\'s event loop; register isolated tasks with job() in a module listed in `require`');
    }
  }
  const modules = (options.require ?? []).map((m, i) => moduleUrl(`require[${i}]`, m));
  if (!Array.isArray(options.require ?? [])) throw new InvalidArgumentError('require', options.require, 'expected module paths');
  const layout = options.layout ?? 2;
  if (layout !== 1 && layout !== 2) throw new InvalidArgumentError('layout', layout, 'expected 1 or 2');
  return {
    queues: options.queues.map((q) => validateQueueName(q)),
    handlers,
    modules,
    name,
    burst: bool('burst', options.burst, false),
    concurrency: int('concurrency', options.concurrency, 1, 1),
    isolation,
    taskIsolation,
    resultTtl: int('resultTtl', options.resultTtl, Defaults.RESULT_TTL, -1),
    layout,
    dequeueTimeout: seconds('dequeueTimeout', options.dequeueTimeout, 10),
    maxJobs: int('maxJobs', options.maxJobs, Infinity, 1),
    maxIdleTime: seconds('maxIdleTime', options.maxIdleTime, Infinity),
    handleSignals: bool('handleSignals', options.handleSignals, true),
    maintenanceInterval: seconds('maintenanceInterval', options.maintenanceInterval, WorkerDefaults.MAINTENANCE_INTERVAL),
    withScheduler: bool('withScheduler', options.withScheduler, false),
    logger: options.logger ?? console,
    telemetry: bool('telemetry', options.telemetry, true),
  };
}

function isolationOption(option: string, value: unknown): Isolation {
  if (!ISOLATIONS.includes(value as Isolation)) throw new InvalidArgumentError(option, value, `expected one of ${ISOLATIONS.join(', ')}`);
  return value as Isolation;
}

function bool(option: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new InvalidArgumentError(option, value, 'expected true or false');
  return value;
}

function int(option: string, value: unknown, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) throw new InvalidArgumentError(option, value, `expected a whole number ≥ ${min}`);
  return value;
}

function seconds(option: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw new InvalidArgumentError(option, value, 'expected seconds > 0');
  return value;
}

/** A module path or URL as the `file:` URL `import()` takes. */
function moduleUrl(option: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) throw new InvalidArgumentError(option, value, 'expected a module path or file: URL');
  return value.startsWith('file:') ? value : pathToFileURL(resolve(value)).href;
}
