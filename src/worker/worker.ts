/**
 * A Node.js worker that speaks RQ's protocol (§7, §10.2), so Node and Python workers can share queues: it
 * registers like `rq worker` (`rq info` lists it), pops ids the way RQ does (BLMOVE into the intermediate list
 * for one queue, BLPOP for several), keeps its started-registry entries alive, and writes results,
 * registries, retries and dependents exactly as a Python worker would.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Connection, type Arg, type ConnectionLike, type RedisClient, type Reply } from '../connection.js';
import { resolveInvocation, toWire } from '../dataflow.js';
import { InvalidArgumentError } from '../errors.js';
import { Job } from '../job.js';
import * as keys from '../keys.js';
import { Defaults } from '../protocol.js';
import { compress, fieldsFromReply, formatDatetime, nowMicros, recordFromFields } from '../record.js';
import { resolveSerializer } from '../serializers/index.js';
import type { Serializer, SerializerLike } from '../serializers/serializer.js';
import { validateQueueName } from '../validate.js';
import { WorkerInfo, type WorkerInfoOptions } from './info.js';
import { describeError, JobOutcomeError, resolveHandler, runHandler, unknownFunction, type Handler } from './execute.js';
import {
  FINISH_JOB,
  finishJobArgs,
  JOB_HEARTBEAT,
  REGISTER_WORKER,
  runningJobKeys,
  START_JOB,
  WORKER_DEATH,
  WORKER_HEARTBEAT,
  type Outcome,
} from './scripts.js';

export interface WorkerOptions {
  /** A `redis://` URL, a node-redis client, or a Connection. */
  connection: ConnectionLike;
  /** Queues to listen on, in priority order. */
  queues: readonly string[];
  /** Must match the producers'. @defaultValue `'pickle'` */
  serializer?: SerializerLike;
  /** Functions by `func_name`, in addition to those registered with `job()`. */
  handlers?: Record<string, Handler>;
  /** @defaultValue a random hex name, as RQ's */
  name?: string;
  /** Stop when the queues are empty (`rq worker --burst`). @defaultValue false */
  burst?: boolean;
  /** Seconds a success is kept when the job sets no `result_ttl` (`--results-ttl`). @defaultValue 500 */
  resultTtl?: number;
  /**
   * Started-registry layout: `2` writes execution records and `<id>:<execution>` members (RQ 2.x), `1` plain
   * ids (for deployments whose Python workers are 1.x). @defaultValue 2
   */
  layout?: 1 | 2;
  /** Seconds one blocking dequeue waits before the worker heartbeats and loops. @defaultValue 10 */
  dequeueTimeout?: number;
  /** Where the worker logs. @defaultValue console */
  logger?: Pick<Console, 'info' | 'warn' | 'error'>;
}

/** RQ's worker defaults (rq/defaults.py). */
const WORKER_TTL = 420;
const JOB_MONITORING_INTERVAL = 30;
/** The worker's version as `rq info` shows it. */
const VERSION = 'rqts-0.1.0';

/**
 * A worker for RQ queues.
 *
 * @example
 * ```ts
 * const worker = new Worker({ connection, queues: ['node'], handlers: { 'images.resize': resize } });
 * await worker.work();          // until worker.stop() (or, with burst: true, until the queues are empty)
 * ```
 * @see RQ `rq.worker.Worker`
 */
export class Worker {
  readonly name: string;
  readonly queues: readonly string[];
  readonly connection: Connection;
  readonly serializer: Serializer;
  readonly #handlers: Record<string, Handler>;
  readonly #burst: boolean;
  readonly #resultTtl: number;
  readonly #layout: 1 | 2;
  readonly #dequeueTimeout: number;
  readonly #logger: Pick<Console, 'info' | 'warn' | 'error'>;
  readonly #ownsConnection: boolean;
  #dequeuer: RedisClient | null = null;
  #dequeuerId: string | null = null;
  #subscriber: RedisClient | null = null;
  #stopping = false;
  /** True while a (blocking) pop is outstanding. */
  #popping = false;
  /** Aborts the running job when a stop-job command names it. */
  #current: { id: string; stop: AbortController } | null = null;
  #counts = { successful: 0, failed: 0 };

  /** @throws InvalidArgumentError for bad options. */
  constructor(options: WorkerOptions) {
    if (!options || typeof options !== 'object') throw new InvalidArgumentError('Worker options', options, 'expected { connection, queues }');
    if (!Array.isArray(options.queues) || options.queues.length === 0) {
      throw new InvalidArgumentError('queues', options.queues, 'expected at least one queue name');
    }
    this.queues = options.queues.map((q) => validateQueueName(q));
    this.name = options.name ?? randomUUID().replace(/-/g, '');
    if (!/^[A-Za-z0-9_.-]+$/.test(this.name)) throw new InvalidArgumentError('name', this.name, 'expected letters, digits, ".", "_" or "-"');
    this.#ownsConnection = typeof options.connection === 'string';
    this.connection = Connection.from(options.connection);
    this.serializer = resolveSerializer(options.serializer ?? 'pickle');
    this.#handlers = { ...(options.handlers ?? {}) };
    for (const [name, fn] of Object.entries(this.#handlers)) {
      if (typeof fn !== 'function') throw new InvalidArgumentError(`handlers.${name}`, fn, 'expected a function');
    }
    this.#burst = options.burst ?? false;
    this.#resultTtl = options.resultTtl ?? Defaults.RESULT_TTL;
    this.#layout = options.layout ?? 2;
    this.#dequeueTimeout = options.dequeueTimeout ?? 10;
    this.#logger = options.logger ?? console;
  }

  /** Registered workers, Python's and Node's (a read view). @see {@link WorkerInfo.all} */
  static all(options: WorkerInfoOptions & { queue?: string }): Promise<WorkerInfo[]> {
    return WorkerInfo.all(options);
  }

  /** One registered worker by name, or `null`. @see {@link WorkerInfo.find} */
  static find(name: string, options: WorkerInfoOptions): Promise<WorkerInfo | null> {
    return WorkerInfo.find(name, options);
  }

  /** Jobs this worker finished and failed so far. */
  get counts(): Readonly<{ successful: number; failed: number }> {
    return { ...this.#counts };
  }

  /**
   * Register, then run jobs until {@link Worker.stop} (or, in burst mode, until the queues are empty), then
   * unregister. A job that fails never stops the worker; an unknown function fails its job.
   */
  async work(): Promise<void> {
    await this.connection.open();
    await this.#register();
    try {
      await this.#subscribe();
      this.#dequeuer = await this.connection.openDuplicate();
      this.#dequeuerId = String(await this.#dequeuer.sendCommand(['CLIENT', 'ID']));
      let failures = 0;
      while (!this.#stopping) {
        try {
          await this.#heartbeat();
          const popped = await this.#dequeue();
          if (popped === null) {
            if (this.#burst) break;
            continue;
          }
          await this.#perform(popped.id, popped.queue);
          failures = 0;
        } catch (error) {
          // Redis went away or answered an error: log, back off, carry on (node-redis reconnects by itself).
          if (this.#stopping) break;
          failures += 1;
          this.#logger.error(`rqts worker ${this.name}: ${(error as Error)?.message ?? error}; retrying`);
          await new Promise((r) => setTimeout(r, Math.min(100 * 2 ** failures, 5_000)));
        }
      }
    } finally {
      await this.#unregister().catch((e) => this.#logger.warn(`rqts worker ${this.name}: unregister failed: ${e}`));
      this.#subscriber?.destroy();
      this.#dequeuer?.destroy();
      if (this.#ownsConnection) await this.connection.close();
    }
  }

  /**
   * Finish the current job, then stop (a warm shutdown, like SIGTERM to `rq worker`). Resolves once the
   * request is made; `work()` resolves when the worker has unregistered.
   */
  async stop(): Promise<void> {
    this.#stopping = true;
    // End a blocking pop. The pop may not have reached Redis yet when this runs, so try again until the
    // loop has left it (bounded by one dequeue timeout).
    const deadline = Date.now() + this.#dequeueTimeout * 1000;
    while (this.#popping && Date.now() < deadline) {
      if (this.#dequeuerId) await this.connection.command(['CLIENT', 'UNBLOCK', this.#dequeuerId]).catch(() => 0);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  // ---- registration -----------------------------------------------------------------------------

  #registrationKeys(): string[] {
    return [keys.workerKey(this.name), keys.workersKey(), ...this.queues.map(keys.queueWorkersKey)];
  }

  async #register(): Promise<void> {
    const now = formatDatetime(nowMicros());
    const fields = [
      'birth', now, 'last_heartbeat', now, 'queues', this.queues.join(','), 'pid', String(process.pid),
      'hostname', hostname(), 'ip_address', 'unknown', 'version', VERSION, 'python_version', `node ${process.version}`,
      'state', 'started', 'successful_job_count', '0', 'failed_job_count', '0', 'total_working_time', '0',
    ];
    const ok = await this.connection.script(REGISTER_WORKER, this.#registrationKeys(), [String(WORKER_TTL + 60), ...fields]);
    if (ok !== 1) throw new InvalidArgumentError('name', this.name, 'a live worker with this name exists');
    this.#logger.info(`rqts worker ${this.name} listening on ${this.queues.join(', ')}`);
  }

  async #unregister(): Promise<void> {
    await this.connection.script(WORKER_DEATH, this.#registrationKeys(), [formatDatetime(nowMicros())]);
  }

  /** Refresh the worker hash; if it vanished (expired, or Redis restarted empty), register again. */
  async #heartbeat(): Promise<void> {
    const alive = await this.connection.script(WORKER_HEARTBEAT, [keys.workerKey(this.name)], [formatDatetime(nowMicros()), String(WORKER_TTL + 60)]);
    if (alive !== 1) await this.#register();
  }

  /** RQ's worker commands arrive as JSON on `rq:pubsub:<name>` (§7.7). */
  async #subscribe(): Promise<void> {
    const subscriber = await this.connection.openDuplicate();
    this.#subscriber = subscriber;
    // subscribe() is not part of the RedisClient surface rqts needs elsewhere.
    const pubsub = subscriber as unknown as { subscribe(channel: string, listener: (message: string) => void): Promise<void> };
    await pubsub.subscribe(keys.workerCommandChannel(this.name), (message) => this.#onCommand(message));
  }

  #onCommand(message: string): void {
    let command: { command?: string; job_id?: string };
    try {
      command = JSON.parse(message);
    } catch {
      return this.#logger.warn(`rqts worker ${this.name}: ignoring a malformed command ${message}`);
    }
    if (command.command === 'shutdown') void this.stop();
    if ((command.command === 'stop-job' && command.job_id === this.#current?.id) || command.command === 'kill-horse') {
      this.#current?.stop.abort();
    }
  }

  // ---- dequeue ------------------------------------------------------------------------------------

  /** Pop the next id: BLMOVE into the intermediate list for one queue (RQ 1.15+), BLPOP for several. */
  async #dequeue(): Promise<{ id: string; queue: string } | null> {
    if (this.#stopping) return null;
    this.#popping = true;
    try {
      return await this.#pop();
    } finally {
      this.#popping = false;
    }
  }

  async #pop(): Promise<{ id: string; queue: string } | null> {
    const client = this.#dequeuer!;
    // No command timeout: a blocking pop waits up to dequeueTimeout, longer than node-redis's 5 s default.
    const send = (args: Arg[]) => client.sendCommand(args, { timeout: 0 }) as Promise<Reply>;
    if (this.queues.length === 1) {
      const queue = this.queues[0]!;
      const args: Arg[] = this.#burst
        ? ['LMOVE', keys.queueKey(queue), keys.intermediateQueueKey(queue), 'LEFT', 'RIGHT']
        : ['BLMOVE', keys.queueKey(queue), keys.intermediateQueueKey(queue), 'LEFT', 'RIGHT', String(this.#dequeueTimeout)];
      const id = await send(args);
      return id === null || id === undefined ? null : { id: String(id), queue };
    }
    if (this.#burst) {
      for (const queue of this.queues) {
        const id = await send(['LPOP', keys.queueKey(queue)]);
        if (id !== null && id !== undefined) return { id: String(id), queue };
      }
      return null;
    }
    const reply = await send(['BLPOP', ...this.queues.map(keys.queueKey), String(this.#dequeueTimeout)]);
    if (!Array.isArray(reply) || reply.length < 2) return null;
    return { id: String(reply[1]), queue: keys.queueNameFromKey(String(reply[0])) ?? this.queues[0]! };
  }

  // ---- one job --------------------------------------------------------------------------------------

  async #perform(id: string, queue: string): Promise<void> {
    const fields = fieldsFromReply(await this.connection.command(['HGETALL', keys.jobKey(id)]));
    if (!fields.has('data')) {
      // Deleted meanwhile: drop the id, as RQ does.
      await this.connection.command(['LREM', keys.intermediateQueueKey(queue), '1', id]);
      return;
    }
    const record = recordFromFields(id, fields);
    const origin = record.origin || queue;
    const executionId = randomUUID().replace(/-/g, '');
    const member = this.#layout === 2 ? keys.startedMember(id, executionId) : id;
    const timeout = record.timeout ?? Defaults.JOB_TIMEOUT;
    const ttl = (timeout < 0 ? JOB_MONITORING_INTERVAL : Math.min(timeout, JOB_MONITORING_INTERVAL)) + 60;
    const running = runningJobKeys(id, origin, executionId, this.name);
    const started = Date.now();

    // Scores and TTLs of the started-registry entry and execution records, as RQ computes them (§7.3).
    const times = (m: number) => {
      const seconds = Math.floor(m / 1e6);
      return { datetime: formatDatetime(m), epoch: String(m / 1e6), score: String(seconds + ttl), executionsScore: String(seconds + ttl + 60) };
    };
    const micros = nowMicros();
    const t0 = times(micros);
    const ok = await this.connection.script(START_JOB, running, [
      id, executionId, t0.epoch, t0.datetime, t0.score, t0.executionsScore, String(ttl), String(ttl + 60), this.name, member,
      String(this.#layout),
    ]);
    if (ok !== 1) return;

    // Keep the started-registry score in the future, or Python maintenance declares the job abandoned.
    const beat = setInterval(() => {
      const t = times(nowMicros());
      const working = String((Date.now() - started) / 1000);
      void this.connection
        .script(JOB_HEARTBEAT, running, [t.datetime, t.epoch, t.score, member, String(ttl), executionId, t.executionsScore, String(ttl + 60), working, String(this.#layout)])
        .catch((e) => this.#logger.warn(`rqts worker ${this.name}: heartbeat failed: ${e}`));
    }, Math.max(1, Math.min(JOB_MONITORING_INTERVAL, ttl / 3)) * 1000);

    const stop = new AbortController();
    this.#current = { id, stop };
    let outcome: Outcome = 'success';
    let returnValue = '';
    let excString = '';
    try {
      const job = new Job(record, this.connection, this.serializer);
      // resultOf() arguments are replaced by their jobs' values; chunked-map jobs call the target per item.
      const call = await resolveInvocation(job, (name) => resolveHandler(name, this.#handlers));
      if (!call.handler) throw new JobOutcomeError('failure', unknownFunction(call.funcName));
      this.#logger.info(`rqts worker ${this.name}: ${origin}: ${record.description ?? job.funcName} (${id})`);
      const value = await runHandler(call.handler, job, timeout, stop.signal, call.args);
      returnValue = this.#encodeResult(toWire(value));
    } catch (error) {
      outcome = error instanceof JobOutcomeError ? error.kind : 'failure';
      const text = error instanceof JobOutcomeError ? error.excString : describeError(error);
      excString = compress(Buffer.from(text, 'utf8')).toString('base64');
      this.#logger.warn(`rqts worker ${this.name}: job ${id} ${outcome === 'stopped' ? 'stopped' : 'failed'}: ${text.trimEnd().split('\n').pop()}`);
    } finally {
      clearInterval(beat);
      this.#current = null;
    }
    const end = nowMicros();
    const finish = finishJobArgs({
      outcome, jobId: id, origin, executionId, member, worker: this.name, nowSeconds: Math.floor(end / 1e6),
      nowDatetime: formatDatetime(end), workingSeconds: (Date.now() - started) / 1000, returnValue, excString,
      executionStartedAt: micros / 1e6, executionEndedAt: end / 1e6, defaultResultTtl: this.#resultTtl,
    });
    const result = await this.connection.script(FINISH_JOB, finish.keys, finish.args);
    if (outcome === 'success') this.#counts.successful += 1;
    else this.#counts.failed += 1;
    this.#logger.info(`rqts worker ${this.name}: job ${id}: ${String(result)}`);
  }

  /** base64 of the serialized value; '' for None (RQ writes no field); RQ's placeholder when it cannot be serialized. */
  #encodeResult(value: unknown): string {
    if (value === null || value === undefined) return '';
    try {
      return this.serializer.dumps(value).toString('base64');
    } catch {
      return this.serializer.dumps('Unserializable return value').toString('base64');
    }
  }
}
