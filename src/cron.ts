/**
 * Cron: functions enqueued on a schedule, every `interval` seconds or on a cron string, by a long-running
 * scheduler. Mirrors RQ 2.5+'s `rq.cron` (`CronJob`, `CronScheduler`, `rq cron`) and writes what it writes:
 * the scheduler's hash `rq:cron_scheduler:<name>` (TTL 120 s), its heartbeat in `rq:cron_schedulers`, each
 * cron job's history `rq:cron_job:<name>:jobs` and its name in `rq:cron_jobs`, so RQ's own
 * `CronScheduler.all()` / `cron_job_registry` readers list a Node scheduler beside Python ones. The jobs are
 * ordinary jobs, enqueued through {@link Queue.enqueueCall}, that any RQ worker (1.x too) runs.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { CronExpressionParser } from 'cron-parser';
import { Connection, ownsTarget, type ConnectionLike, type Reply } from './connection.js';
import { InvalidArgumentError, InvalidOperationError } from './errors.js';
import { cronJobHistoryKey, cronJobsKey, cronSchedulerKey, cronSchedulersKey } from './keys.js';
import { prepareJob, type EnqueueCallOptions } from './prepare.js';
import { CronDefaults, Defaults } from './protocol.js';
import { PyFloat } from './py/values.js';
import { pyFloatRepr } from './py/float-repr.js';
import { Queue } from './queue.js';
import { fieldsFromReply, formatDatetime, parseDatetime } from './record.js';
import { jsonLoads } from './serializers/json-parse.js';
import { resolveSerializer, type SerializerLike } from './serializers/index.js';
import type { Serializer } from './serializers/serializer.js';
import { isPlainObject } from './py/values.js';
import {
  parseDuration,
  parseFailureTtl,
  parseJobTimeout,
  parseResultTtl,
  parseTtl,
  rejectUnknownOptions,
  validateFuncName,
  validateQueueName,
  type Duration,
} from './validate.js';
import { pyJsonDumps, toWebhooks, type Webhook, type WebhookOptions } from './webhook.js';

/** A Python function by dotted path, or a `job()` task (its `funcName`). */
export type CronFunc = string | { readonly funcName: string };

/** Options of {@link CronScheduler.register} and `cron.register`; RQ's keyword for each is in its description. */
export interface CronJobOptions {
  /** The queue the jobs go to (`queue_name`). */
  queueName: string;
  /** Positional arguments of every job (`args`). */
  args?: readonly unknown[];
  /** Keyword arguments of every job (`kwargs`). */
  kwargs?: Record<string, unknown>;
  /** Enqueue every this many seconds (or `'5m'`-style), the first time at start (`interval`). */
  interval?: Duration;
  /** Enqueue at the times of a five-field cron string, in UTC, as RQ's croniter reads it (`cron`). */
  cron?: string;
  /** Seconds or `'5m'`-style (`job_timeout`). @defaultValue the queue's, 180 s */
  jobTimeout?: Duration;
  /** How long a success is kept (`result_ttl`). @defaultValue 500 s, which RQ's cron writes on every job */
  resultTtl?: Duration | null;
  /** How long a job may wait in the queue (`ttl`). */
  ttl?: Duration;
  /** How long a failure is kept (`failure_ttl`). */
  failureTtl?: Duration;
  /** Metadata of every job (`meta`). */
  meta?: Record<string, unknown>;
  /** Webhooks of every job (`webhooks`, RQ 2.10+ workers). */
  webhooks?: readonly (Webhook | WebhookOptions)[];
  /** Names the cron job in `rq:cron_jobs` and its history key; several may share one (`name`). @defaultValue the function's dotted path */
  name?: string;
}

const CRON_JOB_OPTIONS = [
  'queueName', 'args', 'kwargs', 'interval', 'cron', 'jobTimeout', 'resultTtl', 'ttl', 'failureTtl', 'meta', 'webhooks', 'name',
] as const;

/** RQ's placeholder for args/kwargs/meta that `json.dumps` cannot write (`rq.utils.NOT_JSON_SERIALIZABLE`). */
export const NOT_JSON_SERIALIZABLE = '<not JSON serializable>';

/** Macros both RQ's croniter and cron-parser read, as the five fields they stand for. */
const CRON_MACROS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

const MONTH_AND_DAY_NAMES = /\b(JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC|SUN|MON|TUE|WED|THU|FRI|SAT)\b/g;

/**
 * A cron string as five fields cron-parser reads the way RQ's croniter does. A sixth field is refused (croniter
 * reads it as seconds at the end, cron-parser at the start), and so are `H` (each library hashes differently),
 * `?`, `L` and `#` (written differently by the two).
 */
export function parseCronString(value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') throw new InvalidArgumentError('cron', value, 'expected a cron string such as "*/5 * * * *"');
  const text = value.trim();
  const fields = CRON_MACROS[text.toLowerCase()] ?? text;
  if (fields.startsWith('@')) {
    throw new InvalidArgumentError('cron', value, `unknown macro; expected five fields or one of ${Object.keys(CRON_MACROS).join(', ')}`);
  }
  const parts = fields.split(/\s+/);
  if (parts.length !== 5) {
    throw new InvalidArgumentError('cron', value, 'expected five fields (minute hour day-of-month month day-of-week); RQ and cron-parser read a sixth differently');
  }
  // Month and weekday names aside, letters and these characters are where the two libraries differ.
  if (/[A-Z?#]/.test(fields.toUpperCase().replace(MONTH_AND_DAY_NAMES, ''))) {
    throw new InvalidArgumentError('cron', value, "H, L, W, # and ? are not supported (RQ's croniter and cron-parser read them differently)");
  }
  try {
    CronExpressionParser.parse(fields, { tz: 'UTC', currentDate: new Date(0) }).next();
  } catch (error) {
    throw new InvalidArgumentError('cron', value, (error as Error).message, { cause: error });
  }
  return fields;
}

/** The first time of a cron string's five `fields` strictly after `after`, in UTC (croniter's `get_next`). */
export function nextCronTime(fields: string, after: Date): Date {
  return CronExpressionParser.parse(fields, { tz: 'UTC', currentDate: after }).next().toDate();
}

/** A registration, validated: what `cron.register` keeps until a scheduler loads it. */
export interface CronJobSpec {
  readonly funcName: string;
  readonly name: string;
  readonly queueName: string;
  readonly args: readonly unknown[];
  readonly kwargs: Record<string, unknown>;
  /** Whole seconds, or null for a cron job. */
  readonly interval: number | null;
  /** The cron string as given, or null for an interval job. */
  readonly cron: string | null;
  /** The enqueue options every job gets (RQ's `job_options`, without the ones left unset). */
  readonly enqueueOptions: Readonly<Pick<EnqueueCallOptions, 'jobTimeout' | 'resultTtl' | 'ttl' | 'failureTtl' | 'meta' | 'webhooks'>>;
  /** `job_options` as RQ's `to_dict` writes them, in its order. */
  readonly recordOptions: Readonly<Record<string, unknown>>;
}

/**
 * Validate a registration with no I/O (RQ's `CronJob.__init__` checks, and rqts's enqueue checks).
 * @throws InvalidArgumentError naming the option at fault.
 */
export function validateCronJob(func: CronFunc, options: CronJobOptions): CronJobSpec {
  const funcName = validateFuncName(typeof func === 'object' && func !== null ? func.funcName : func);
  if (!options || typeof options !== 'object') throw new InvalidArgumentError('options', options, 'expected { queueName, interval | cron, … }');
  rejectUnknownOptions('cron.register', options, CRON_JOB_OPTIONS);
  const queueName = validateQueueName(options.queueName);
  const hasInterval = options.interval !== undefined && options.interval !== null;
  const hasCron = options.cron !== undefined && options.cron !== null;
  if (hasInterval && hasCron) throw new InvalidArgumentError('interval', options.interval, 'give interval or cron, not both (as RQ requires)');
  if (!hasInterval && !hasCron) throw new InvalidArgumentError('interval', undefined, 'give interval (seconds) or cron (a cron string), as RQ requires');
  let interval: number | null = null;
  if (hasInterval) {
    interval = parseDuration('interval', options.interval!);
    if (interval <= 0) throw new InvalidArgumentError('interval', options.interval, 'expected seconds > 0');
  }
  const cron = hasCron ? (parseCronString(options.cron), options.cron!.trim()) : null;
  const args = options.args ?? [];
  if (!Array.isArray(args)) throw new InvalidArgumentError('args', args, 'expected an array');
  const kwargs = options.kwargs ?? {};
  if (!isPlainObject(kwargs)) throw new InvalidArgumentError('kwargs', kwargs, 'expected a plain object');
  if (options.meta !== undefined && !isPlainObject(options.meta)) throw new InvalidArgumentError('meta', options.meta, 'expected a plain object');
  const name = options.name ?? funcName;
  if (typeof name !== 'string' || name === '') throw new InvalidArgumentError('name', options.name, 'expected a non-empty string');
  const webhooks = options.webhooks === undefined ? [] : toWebhooks(options.webhooks);

  // Every job gets result_ttl (RQ's cron passes its default, 500, explicitly); the rest only when given.
  const jobTimeout = options.jobTimeout === undefined ? undefined : parseJobTimeout(options.jobTimeout, Defaults.JOB_TIMEOUT);
  const resultTtl = options.resultTtl === undefined ? Defaults.RESULT_TTL : parseResultTtl(options.resultTtl)!;
  const ttl = parseTtl(options.ttl);
  const failureTtl = parseFailureTtl(options.failureTtl);
  const meta = options.meta && Object.keys(options.meta).length > 0 ? options.meta : undefined;
  const enqueueOptions = {
    ...(jobTimeout !== undefined && { jobTimeout }),
    resultTtl,
    ...(ttl !== undefined && { ttl }),
    ...(failureTtl !== undefined && { failureTtl }),
    ...(meta !== undefined && { meta }),
    ...(webhooks.length > 0 && { webhooks }),
  };
  const recordOptions = {
    ...(jobTimeout !== undefined && { job_timeout: jobTimeout }),
    result_ttl: resultTtl,
    ...(ttl !== undefined && { ttl }),
    ...(failureTtl !== undefined && { failure_ttl: failureTtl }),
    ...(meta !== undefined && { meta: safeJsonDumps(meta) }),
    ...(webhooks.length > 0 && { webhooks: pyJsonDumps(webhooks.map((w) => w.toDict())) }),
  };
  return { funcName, name, queueName, args, kwargs, interval, cron, enqueueOptions, recordOptions };
}

/**
 * One function on a schedule, as a {@link CronScheduler} runs it. A cron job's first time is the first match
 * after it is registered; an interval job runs at the scheduler's first pass, then `interval` seconds after
 * each enqueue. Times missed while nothing ran are not made up: one enqueue, then the next time after it.
 * @see RQ `rq.cron.CronJob`
 */
export class CronJob {
  readonly funcName: string;
  readonly name: string;
  readonly queueName: string;
  readonly args: readonly unknown[];
  readonly kwargs: Readonly<Record<string, unknown>>;
  readonly interval: number | null;
  readonly cron: string | null;
  /** When the scheduler last enqueued it. */
  latestEnqueueTime: Date | null = null;
  /** When it is due next (null for an interval job that has not run yet: it is due at once). */
  nextEnqueueTime: Date | null = null;
  readonly #spec: CronJobSpec;
  readonly #cronFields: string | null;

  constructor(spec: CronJobSpec, now: Date) {
    this.#spec = spec;
    this.funcName = spec.funcName;
    this.name = spec.name;
    this.queueName = spec.queueName;
    this.args = spec.args;
    this.kwargs = spec.kwargs;
    this.interval = spec.interval;
    this.cron = spec.cron;
    this.#cronFields = spec.cron === null ? null : parseCronString(spec.cron);
    if (this.#cronFields !== null) this.nextEnqueueTime = nextCronTime(this.#cronFields, now);
  }

  /** The options each job is enqueued with. */
  get enqueueOptions(): EnqueueCallOptions {
    return { args: this.args, kwargs: { ...this.kwargs }, ...this.#spec.enqueueOptions };
  }

  /** Due at `now`? An interval job that never ran is due at once. @see RQ `CronJob.should_run` */
  shouldRun(now: Date): boolean {
    if (this.latestEnqueueTime === null && this.#cronFields === null) return true;
    return this.nextEnqueueTime !== null && now.getTime() >= this.nextEnqueueTime.getTime();
  }

  /** Record an enqueue at `time` and compute the next one from it. @see RQ `CronJob.set_enqueue_time` */
  setEnqueueTime(time: Date): void {
    this.latestEnqueueTime = time;
    this.nextEnqueueTime = this.#cronFields !== null
      ? nextCronTime(this.#cronFields, time)
      : new Date(time.getTime() + this.interval! * 1000);
  }

  /** The dict RQ's `CronJob.to_dict` writes into the scheduler's `cron_jobs` field, in its key order. */
  toDict(): Record<string, unknown> {
    return {
      func_name: this.funcName,
      name: this.name,
      queue_name: this.queueName,
      args: this.args.length > 0 ? safeJsonDumps(this.args) : null,
      kwargs: Object.keys(this.kwargs).length > 0 ? safeJsonDumps(this.kwargs) : null,
      interval: this.interval,
      cron: this.cron,
      latest_enqueue_time: this.latestEnqueueTime ? formatDatetime(this.latestEnqueueTime) : null,
      next_enqueue_time: this.nextEnqueueTime ? formatDatetime(this.nextEnqueueTime) : null,
      ...this.#spec.recordOptions,
    };
  }
}

/**
 * Ids of the jobs a named cron job enqueued, newest first; `start`/`end` are inclusive indexes into that order
 * (`end: -1` is the oldest), as in RQ. The newest 1,000 are kept.
 * @see RQ `rq.cron.get_cron_job_ids`
 */
export async function getCronJobIds(name: string, { connection, start = 0, end = -1 }: { connection: ConnectionLike; start?: number; end?: number }): Promise<string[]> {
  if (typeof name !== 'string' || name === '') throw new InvalidArgumentError('name', name, 'expected a cron job name');
  for (const [option, value] of [['start', start], ['end', end]] as const) {
    if (!Number.isSafeInteger(value)) throw new InvalidArgumentError(option, value, 'expected an integer index');
  }
  return withConnection(connection, async (conn) => {
    const reply = await conn.command(['ZREVRANGE', cronJobHistoryKey(name), String(start), String(end)]);
    return Array.isArray(reply) ? reply.map(String) : [];
  });
}

/**
 * Names of the cron jobs that enqueued within the last year, oldest enqueue first; first, unless
 * `cleanup: false`, older names leave `rq:cron_jobs`, as RQ prunes them.
 * @see RQ `rq.cron_job_registry.get_names`
 */
export async function getCronJobNames({ connection, cleanup = true }: { connection: ConnectionLike; cleanup?: boolean }): Promise<string[]> {
  return withConnection(connection, async (conn) => {
    if (cleanup) await conn.command(['ZREMRANGEBYSCORE', cronJobsKey(), '0', String(Date.now() / 1000 - CronDefaults.JOB_HISTORY_TTL)]);
    const reply = await conn.command(['ZRANGE', cronJobsKey(), '0', '-1']);
    return Array.isArray(reply) ? reply.map(String) : [];
  });
}

/** Registrations made by `cron.register` in a config module, until a scheduler loads them. */
const configRegistry: CronJobSpec[] = [];
let configLoads = 0;

/**
 * For config modules that `rqts cron <module>` (or {@link CronScheduler.loadConfig}) loads, as RQ's
 * `from rq import cron; cron.register(f, 'default', interval=60)`:
 *
 * ```ts
 * import { cron } from 'rqts';
 * cron.register('mylib.cleanup', { queueName: 'default', interval: 60 });
 * cron.register('mylib.report', { queueName: 'default', cron: '0 9 * * 1-5', kwargs: { kind: 'daily' } });
 * ```
 */
export const cron = {
  /**
   * Validate a registration and keep it for the scheduler that loads this module.
   * @throws InvalidArgumentError naming the option at fault.
   */
  register(func: CronFunc, options: CronJobOptions): CronJobSpec {
    const spec = validateCronJob(func, options);
    configRegistry.push(spec);
    return spec;
  },
};

export interface CronLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface CronSchedulerOptions {
  /** A `redis://` URL, a node-redis client, or a {@link Connection}. */
  connection: ConnectionLike;
  /** @defaultValue `<hostname>:<pid>:<6 hex digits>`, as RQ names its schedulers */
  name?: string;
  /** How the jobs are encoded; must match the workers'. @defaultValue `'pickle'` (RQ's cron always pickles) */
  serializer?: SerializerLike;
  /** Stop on SIGINT/SIGTERM while started (RQ's `CronScheduler.start` installs the same handlers). @defaultValue true */
  handleSignals?: boolean;
  /** @defaultValue console */
  logger?: CronLogger;
  /**
   * The clock the schedule is computed on (RQ's `rq.utils.now`), for tests that must not wait a minute for a
   * cron time: e.g. `() => new Date(Date.now() + offset)`. Heartbeats and job timestamps stay on real time.
   * @defaultValue `() => new Date()`
   */
  now?: () => Date;
}

const SCHEDULER_OPTIONS = ['connection', 'name', 'serializer', 'handleSignals', 'logger', 'now'] as const;
/** After a pass that could not reach Redis, wait this long (ms) before the next, rather than spin. */
const RETRY_DELAY_MS = 1000;

/**
 * Enqueues registered functions on their schedules until stopped, registered in Redis as RQ's
 * `CronScheduler` registers itself.
 *
 * @example
 * ```ts
 * const scheduler = new CronScheduler({ connection });
 * scheduler.register('mylib.cleanup', { queueName: 'default', interval: 60 });
 * scheduler.register('mylib.report', { queueName: 'default', cron: '0 9 * * 1-5' });
 * await scheduler.start(); // until scheduler.stop(), SIGINT or SIGTERM
 * ```
 * @see RQ `rq.cron.CronScheduler`
 */
export class CronScheduler {
  readonly name: string;
  readonly hostname: string;
  readonly pid: number;
  readonly createdAt: Date;
  readonly connection: Connection;
  readonly serializer: Serializer;
  /** The config module loaded by {@link CronScheduler.loadConfig}, as given ('' when none). */
  configFile = '';
  readonly #jobs: CronJob[] = [];
  readonly #queues = new Map<string, Queue>();
  readonly #ownsConnection: boolean;
  readonly #handleSignals: boolean;
  readonly #logger: CronLogger;
  readonly #now: () => Date;
  #running: Promise<void> | null = null;
  #stopping = false;
  #wake: (() => void) | null = null;

  /** @throws InvalidArgumentError for a bad option (nothing is written). */
  constructor(options: CronSchedulerOptions) {
    if (!options || typeof options !== 'object') throw new InvalidArgumentError('options', options, 'expected { connection, … }');
    rejectUnknownOptions('CronScheduler', options, SCHEDULER_OPTIONS);
    if (options.name !== undefined && (typeof options.name !== 'string' || options.name === '')) {
      throw new InvalidArgumentError('name', options.name, 'expected a non-empty string');
    }
    if (options.handleSignals !== undefined && typeof options.handleSignals !== 'boolean') {
      throw new InvalidArgumentError('handleSignals', options.handleSignals, 'expected a boolean');
    }
    if (options.now !== undefined && typeof options.now !== 'function') throw new InvalidArgumentError('now', options.now, 'expected a function returning a Date');
    const logger = options.logger;
    if (logger !== undefined && (typeof logger !== 'object' || logger === null || !['info', 'warn', 'error'].every((m) => typeof (logger as unknown as Record<string, unknown>)[m] === 'function'))) {
      throw new InvalidArgumentError('logger', logger, 'expected { info, warn, error } functions');
    }
    this.serializer = resolveSerializer(options.serializer ?? 'pickle');
    this.#ownsConnection = ownsTarget(options.connection);
    this.connection = Connection.from(options.connection);
    this.hostname = hostname();
    this.pid = process.pid;
    this.name = options.name ?? `${this.hostname}:${this.pid}:${randomBytes(3).toString('hex')}`;
    this.createdAt = new Date();
    this.#handleSignals = options.handleSignals ?? true;
    this.#logger = logger ?? console;
    this.#now = options.now ?? (() => new Date());
  }

  /**
   * Every registered cron scheduler, Python's and Node's (RQ's `CronScheduler.all`): first, unless
   * `cleanup: false`, the ones without a heartbeat for 120 s leave `rq:cron_schedulers`, as RQ prunes them.
   * Oldest registration first.
   */
  static async all({ connection, cleanup = true }: { connection: ConnectionLike; cleanup?: boolean }): Promise<CronSchedulerInfo[]> {
    return withConnection(connection, async (conn) => {
      if (cleanup) await conn.command(['ZREMRANGEBYSCORE', cronSchedulersKey(), '0', String(Date.now() / 1000 - CronDefaults.SCHEDULER_TTL)]);
      const reply = await conn.command(['ZRANGE', cronSchedulersKey(), '0', '-1']);
      const infos = await Promise.all((Array.isArray(reply) ? reply.map(String) : []).map((name) => fetchScheduler(conn, name)));
      return infos.filter((info): info is CronSchedulerInfo => info !== null);
    });
  }

  /** One cron scheduler by name, or `null` when its hash is gone. @see RQ `CronScheduler.fetch` */
  static async fetch(name: string, { connection }: { connection: ConnectionLike }): Promise<CronSchedulerInfo | null> {
    if (typeof name !== 'string' || name === '') throw new InvalidArgumentError('name', name, 'expected a cron scheduler name');
    return withConnection(connection, (conn) => fetchScheduler(conn, name));
  }

  /** The scheduler's hash, `rq:cron_scheduler:<name>`. */
  get key(): string {
    return cronSchedulerKey(this.name);
  }

  /**
   * Add a function to run on a schedule (before or while the scheduler runs).
   * @throws InvalidArgumentError naming the option at fault: both or neither of `interval` and `cron`, a bad
   *   cron string, an unknown option, or anything a job enqueue would refuse (arguments the serializer
   *   cannot carry too). Nothing is written.
   * @see RQ `CronScheduler.register`
   */
  register(func: CronFunc, options: CronJobOptions): CronJob {
    return this.#add(validateCronJob(func, options));
  }

  #add(spec: CronJobSpec): CronJob {
    // The same checks as an enqueue (serializable args and meta under this serializer), now rather than at
    // the first due time.
    prepareJob({ queue: spec.queueName, serializer: this.serializer, defaultTimeout: Defaults.JOB_TIMEOUT }, spec.funcName, {
      args: spec.args,
      kwargs: spec.kwargs,
      ...spec.enqueueOptions,
    });
    const job = new CronJob(spec, this.#now());
    this.#jobs.push(job);
    this.#logger.info(spec.interval !== null
      ? `Registered '${spec.funcName}' to run on ${spec.queueName} every ${spec.interval} seconds`
      : `Registered '${spec.funcName}' to run on ${spec.queueName} with cron schedule '${spec.cron}'`);
    return job;
  }

  /** Every registered cron job. @see RQ `CronScheduler.get_jobs` */
  get jobs(): readonly CronJob[] {
    return this.#jobs;
  }

  /**
   * Import a config module (a path, resolved from the working directory) whose `cron.register(...)` calls
   * become this scheduler's jobs (RQ's `load_config_from_file`). Unlike RQ, which logs a bad registration
   * and skips it, a bad one throws: `cron.register` validates at the call, so the import fails.
   * @throws InvalidArgumentError when the module registers nothing or a registration is refused here.
   */
  async loadConfig(path: string): Promise<void> {
    if (typeof path !== 'string' || path === '') throw new InvalidArgumentError('config', path, 'expected the path of a module');
    configRegistry.length = 0;
    // A fresh URL each time, so a module loaded before registers again (RQ reloads it too).
    try {
      await import(`${pathToFileURL(resolve(path)).href}?rqts-cron=${++configLoads}`);
    } catch (error) {
      const missing = (error as { code?: unknown })?.code === 'ERR_MODULE_NOT_FOUND' && !existsSync(resolve(path));
      const why = missing ? 'no such file' : `loading it failed: ${String((error as Error)?.message ?? error).split('\n')[0]}`;
      throw new InvalidArgumentError('config', path, why, { cause: error });
    }
    const specs = configRegistry.splice(0);
    if (specs.length === 0) throw new InvalidArgumentError('config', path, 'the module registered no cron job (call cron.register from rqts)');
    for (const spec of specs) this.#add(spec);
    this.configFile = path;
    this.#logger.info(`Successfully registered ${specs.length} cron jobs from '${path}'`);
  }

  /**
   * Enqueue every job that is due (one pass). Returns the jobs enqueued. A job whose enqueue fails (Redis
   * unreachable) is logged and stays due, so the next pass tries it again.
   * @see RQ `CronScheduler.enqueue_jobs`
   */
  async enqueueJobs(): Promise<CronJob[]> {
    const enqueueTime = this.#now();
    const enqueued: CronJob[] = [];
    for (const cronJob of this.#jobs) {
      if (!cronJob.shouldRun(enqueueTime)) continue;
      await this.#enqueue(cronJob);
      cronJob.setEnqueueTime(enqueueTime);
      enqueued.push(cronJob);
    }
    return enqueued;
  }

  /**
   * Enqueue one cron job's job through the normal enqueue path (one atomic script), then record it as RQ's
   * `CronJob.enqueue` does: its id in the cron job's history (newest 1,000 kept, a year's TTL) and the
   * cron job's name in `rq:cron_jobs`, scored by the job's `enqueued_at`.
   */
  async #enqueue(cronJob: CronJob): Promise<void> {
    let queue = this.#queues.get(cronJob.queueName);
    if (!queue) this.#queues.set(cronJob.queueName, (queue = new Queue(cronJob.queueName, { connection: this.connection, serializer: this.serializer })));
    const job = await queue.enqueueCall(cronJob.funcName, cronJob.enqueueOptions);
    const score = String(job.createdAt!.getTime() / 1000);
    const history = cronJobHistoryKey(cronJob.name);
    await this.connection.pipeline([
      ['ZADD', history, score, job.id],
      ['ZREMRANGEBYRANK', history, '0', String(-(CronDefaults.JOB_HISTORY_LIMIT + 1))],
      ['EXPIRE', history, String(CronDefaults.JOB_HISTORY_TTL)],
      ['ZADD', cronJobsKey(), score, cronJob.name],
    ]);
    this.#logger.info(`Enqueued job ${cronJob.funcName} to queue ${cronJob.queueName}`);
  }

  /** The hash fields RQ's `CronScheduler.to_dict` writes. */
  toDict(): Record<string, string> {
    return {
      hostname: this.hostname,
      pid: String(this.pid),
      name: this.name,
      created_at: formatDatetime(this.createdAt),
      config_file: this.configFile,
      cron_jobs: pyJsonDumps(this.#jobs.map((j) => j.toDict())),
    };
  }

  /** Write the hash (with its TTL). @see RQ `CronScheduler.save` */
  async save(): Promise<void> {
    await this.connection.pipeline([['HSET', this.key, ...Object.entries(this.toDict()).flat()], ['EXPIRE', this.key, String(CronDefaults.SCHEDULER_TTL)]]);
  }

  /** Register in `rq:cron_schedulers` and write the hash. @see RQ `CronScheduler.register_birth` */
  async registerBirth(): Promise<void> {
    this.#logger.info(`CronScheduler ${this.name}: registering birth...`);
    await this.connection.pipeline([
      ['ZADD', cronSchedulersKey(), 'NX', String(Date.now() / 1000), this.name],
      ['HSET', this.key, ...Object.entries(this.toDict()).flat()],
      ['EXPIRE', this.key, String(CronDefaults.SCHEDULER_TTL)],
    ]);
  }

  /** Leave `rq:cron_schedulers`; the hash expires with its TTL, as RQ leaves it. @see RQ `CronScheduler.register_death` */
  async registerDeath(): Promise<void> {
    this.#logger.info(`CronScheduler ${this.name}: registering death...`);
    await this.connection.command(['ZREM', cronSchedulersKey(), this.name]);
  }

  /** Refresh the registry score and the hash's TTL, re-creating the hash if it expired. @see RQ `CronScheduler.heartbeat` */
  async heartbeat(): Promise<void> {
    const [added, expired] = await this.connection.pipeline([
      ['ZADD', cronSchedulersKey(), String(Date.now() / 1000), this.name],
      ['EXPIRE', this.key, String(CronDefaults.SCHEDULER_TTL)],
    ]);
    if (Number(expired) === 0) await this.save();
    if (Number(added) === 1) this.#logger.info(`CronScheduler ${this.name}: re-registered in scheduler registry`);
  }

  /** Seconds until the next job is due: 0 when one is overdue, at most 60. @see RQ `calculate_sleep_interval` */
  calculateSleepInterval(): number {
    const next = this.#jobs.map((j) => j.nextEnqueueTime).filter((t): t is Date => t !== null);
    if (next.length === 0) return CronDefaults.MAX_SLEEP;
    const seconds = (Math.min(...next.map((t) => t.getTime())) - this.#now().getTime()) / 1000;
    return seconds <= 0 ? 0 : Math.min(seconds, CronDefaults.MAX_SLEEP);
  }

  /**
   * Register, then enqueue due jobs, save, heartbeat and sleep until the next is due, until {@link stop}
   * (or SIGINT/SIGTERM); then unregister. Resolves when stopped.
   * @throws InvalidOperationError when already started; a Redis error when the scheduler cannot register.
   * @see RQ `CronScheduler.start`
   */
  async start(): Promise<void> {
    if (this.#running) throw new InvalidOperationError(this.name, `CronScheduler ${this.name} is already started`);
    this.#stopping = false;
    this.#running = this.#run();
    try {
      await this.#running;
    } finally {
      this.#running = null;
    }
  }

  async #run(): Promise<void> {
    try {
      await this.#loop();
    } finally {
      if (this.#ownsConnection) await this.connection.close();
    }
  }

  async #loop(): Promise<void> {
    this.#logger.info(`CronScheduler ${this.name}: starting...`);
    await this.registerBirth();
    const uninstall = this.#handleSignals ? this.#installSignals() : () => {};
    try {
      while (!this.#stopping) {
        let delay: number;
        try {
          const enqueued = await this.enqueueJobs();
          if (enqueued.length > 0) await this.save();
          await this.heartbeat();
          delay = this.calculateSleepInterval() * 1000;
        } catch (error) {
          this.#logger.error(`CronScheduler ${this.name}: ${(error as Error)?.message ?? error}; retrying`);
          delay = RETRY_DELAY_MS;
        }
        if (delay > 0 && !this.#stopping) await this.#sleep(delay);
      }
    } finally {
      uninstall();
      await this.registerDeath().catch((e) => this.#logger.warn(`CronScheduler ${this.name}: unregister failed: ${e}`));
      this.#logger.info(`CronScheduler ${this.name}: shutdown complete`);
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((done) => {
      const timer = setTimeout(() => {
        this.#wake = null;
        done();
      }, ms);
      this.#wake = () => {
        clearTimeout(timer);
        this.#wake = null;
        done();
      };
    });
  }

  #installSignals(): () => void {
    const onSignal = (signal: NodeJS.Signals): void => {
      this.#logger.info(`CronScheduler ${this.name}: received shutdown signal ${signal}`);
      void this.stop();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    return () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    };
  }

  /** Stop after the pass in progress (an enqueue is never cut short), unregister; resolves when done. */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#wake?.();
    await this.#running?.catch(() => {});
  }

  /** Close the connection if this scheduler opened it from a URL (a started scheduler does so when it stops). */
  async close(): Promise<void> {
    if (this.#running) await this.stop();
    else if (this.#ownsConnection) await this.connection.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/**
 * Python's `json.dumps` of args, kwargs or meta, or RQ's placeholder when Python could not write it
 * (`rq.utils.safe_json_dumps`): JSON values, tuples as lists, ints and floats as Python writes them.
 */
export function safeJsonDumps(value: unknown): string {
  try {
    return pyJson(value);
  } catch {
    return NOT_JSON_SERIALIZABLE;
  }
}

function pyJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return pyJsonDumps(value);
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof PyFloat) return jsonFloat(value.value);
  if (typeof value === 'number') return Number.isSafeInteger(value) ? String(value) : jsonFloat(value);
  if (Array.isArray(value)) return `[${value.map(pyJson).join(', ')}]`;
  if (isPlainObject(value)) return `{${Object.entries(value).map(([k, v]) => `${pyJsonDumps(k)}: ${pyJson(v)}`).join(', ')}}`;
  throw new TypeError('not JSON serializable');
}

/** A float as Python's json writes it: its repr, with NaN and Infinity spelled as JavaScript spells them. */
function jsonFloat(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
  return pyFloatRepr(x);
}

/** A cron job as a scheduler's hash records it (RQ's `CronJob.from_dict`, for monitoring: it cannot run). */
export interface CronJobInfo {
  funcName: string;
  name: string;
  queueName: string;
  /** Decoded from the stored JSON; `null` when none, or RQ's placeholder text when Python could not write it. */
  args: unknown[] | string | null;
  kwargs: Record<string, unknown> | string | null;
  interval: number | null;
  cron: string | null;
  latestEnqueueTime: Date | null;
  nextEnqueueTime: Date | null;
  jobTimeout: number | null;
  resultTtl: number | null;
  ttl: number | null;
  failureTtl: number | null;
  meta: Record<string, unknown> | string | null;
  webhooks: Record<string, unknown>[] | null;
}

/** A registered cron scheduler, Python's or Node's, as read from Redis. @see RQ `CronScheduler.fetch` */
export interface CronSchedulerInfo {
  name: string;
  hostname: string;
  pid: number;
  createdAt: Date | null;
  configFile: string;
  /** From `rq:cron_schedulers`; null when it is not registered (stopped, or pruned as dead). */
  lastHeartbeat: Date | null;
  cronJobs: CronJobInfo[];
}

/** RQ's `CronJob.from_dict`, for monitoring: the JSON strings decoded, times as Dates. */
function cronJobInfo(data: Record<string, unknown>): CronJobInfo {
  const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
  const int = (v: unknown): number | null => (typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : null);
  // args, kwargs and meta are JSON text inside the JSON, or RQ's placeholder, which stays as it is.
  const json = (v: unknown): unknown => (typeof v === 'string' && v !== NOT_JSON_SERIALIZABLE ? jsonLoads(Buffer.from(v, 'utf8')) : v ?? null);
  return {
    funcName: str(data.func_name) ?? '',
    name: str(data.name) || str(data.func_name) || '',
    queueName: str(data.queue_name) ?? '',
    args: json(data.args) as CronJobInfo['args'],
    kwargs: json(data.kwargs) as CronJobInfo['kwargs'],
    interval: int(data.interval),
    cron: str(data.cron),
    latestEnqueueTime: parseDatetime(str(data.latest_enqueue_time)),
    nextEnqueueTime: parseDatetime(str(data.next_enqueue_time)),
    jobTimeout: int(data.job_timeout),
    resultTtl: data.result_ttl === undefined ? Defaults.RESULT_TTL : int(data.result_ttl),
    ttl: int(data.ttl),
    failureTtl: int(data.failure_ttl),
    meta: json(data.meta) as CronJobInfo['meta'],
    webhooks: (json(data.webhooks) as CronJobInfo['webhooks']) ?? null,
  };
}

/** A scheduler's hash (and heartbeat score) → its read view; null when the hash is gone. */
function cronSchedulerInfo(name: string, fields: Map<string, Buffer>, heartbeat: Reply): CronSchedulerInfo | null {
  if (fields.size === 0) return null;
  const text = (field: string): string => fields.get(field)?.toString('utf8') ?? '';
  let jobs: unknown = [];
  try {
    jobs = fields.has('cron_jobs') ? jsonLoads(fields.get('cron_jobs')!) : [];
  } catch {
    jobs = []; // RQ's restore() logs a warning and keeps no jobs, too
  }
  const score = heartbeat === null ? null : Number(String(heartbeat));
  return {
    name: text('name') || name,
    hostname: text('hostname'),
    pid: Number(text('pid')) || 0,
    createdAt: parseDatetime(text('created_at')),
    configFile: text('config_file'),
    lastHeartbeat: score === null || Number.isNaN(score) ? null : new Date(score * 1000),
    cronJobs: Array.isArray(jobs) ? jobs.filter(isPlainObject).map(cronJobInfo) : [],
  };
}

/** Read one scheduler by name. */
async function fetchScheduler(conn: Connection, name: string): Promise<CronSchedulerInfo | null> {
  const [fields, score] = await conn.pipeline([['HGETALL', cronSchedulerKey(name)], ['ZSCORE', cronSchedulersKey(), name]]);
  return cronSchedulerInfo(name, fieldsFromReply(fields), score ?? null);
}

/** Run `fn` on a Connection for `target`, closing it after when it was opened from a URL. */
async function withConnection<T>(target: ConnectionLike, fn: (conn: Connection) => Promise<T>): Promise<T> {
  const conn = Connection.from(target);
  try {
    return await fn(conn);
  } finally {
    if (ownsTarget(target)) await conn.close();
  }
}
