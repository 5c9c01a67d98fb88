/**
 * A Node.js worker that speaks RQ's protocol (§7, §10.2), so Node and Python workers can share queues: it
 * registers like `rq worker` (`rq info` lists it), keeps its started-registry entries alive, and writes
 * results, registries, retries and dependents exactly as a Python worker would. It runs up to `concurrency`
 * jobs at once, and pops the next job in the round trip that finishes the last (into the intermediate list,
 * as RQ's BLMOVE does). Every script that takes an id records it under a token, so one sent again after a
 * lost reply neither pops a second id nor strands the first.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Connection, ownsTarget, type ConnectionLike, type RedisClient, type Reply } from '../connection.js';
import { resolveInvocation, targetName, toWire } from '../dataflow.js';
import { ConnectionError, InvalidArgumentError } from '../errors.js';
import { Job } from '../job.js';
import * as keys from '../keys.js';
import { DataflowEntry, Defaults } from '../protocol.js';
import { compress, fieldsFromReply, formatDatetime, nowMicros, recordFromFields } from '../record.js';
import { resolveSerializer } from '../serializers/index.js';
import type { Serializer } from '../serializers/serializer.js';
import {
  describeError,
  encodeResult,
  Halt,
  horseKilledText,
  JobOutcomeError,
  resolveHandler,
  runHandler,
  STOPPED_TEXT,
  timeoutText,
  unknownFunction,
  type Isolation,
} from './execute.js';
import { otel, traceConsume, type OtelApi } from '../telemetry.js';
import { WorkerInfo, type WorkerInfoOptions } from './info.js';
import { excTypeAndValue, resolveCallbacks, runCallback, type JobCallbacks } from './callbacks.js';
import { ExecutorPool } from './isolation/pool.js';
import { runMaintenance } from './maintenance.js';
import { Scheduler } from './scheduler.js';
import { resolveWorkerOptions, WorkerDefaults, type ResolvedOptions, type WorkerOptions } from './options.js';
import {
  CLAIM_JOBS,
  claimJobsArgs,
  FINISH_JOBS,
  finishJobsArgs,
  finishReply,
  JOB_HEARTBEAT,
  REGISTER_WORKER,
  runningJobKeys,
  START_JOB,
  startedFields,
  startJobArgs,
  WORKER_DEATH,
  WORKER_HEARTBEAT,
  type Claim,
  type FinishJob,
  type Outcome,
} from './scripts.js';

export type { WorkerOptions } from './options.js';

/** The worker's version as `rq info` shows it. */
const VERSION = 'rqts-0.1.0';
/** RQ's text when a cold shutdown or kill-horse ends a work-horse with SIGKILL. */
const KILLED = horseKilledText('9 (signal 9)');

/** A job id taken (or about to be taken) from a queue, not yet started. */
interface Popped {
  id: string;
  queue: string;
}

/** A job marked started by this worker: what {@link START_JOB} read, and the slot that runs it. */
interface Started extends Popped {
  slot: number;
  executionId: string;
  member: string;
  micros: number;
  startedMs: number;
  ttl: number;
  fields: Map<string, Buffer>;
}

/** A finish waiting to be sent with others (see Worker.#finish). */
interface PendingFinish {
  job: FinishJob;
  resolve(reply: Reply[]): void;
  reject(error: unknown): void;
}

/** At most this many finishes share one script call (17 arguments each). */
const MAX_FINISH_BATCH = 32;

/** A blocking wait on one queue (its own connection: blocking commands on one connection queue up). */
interface Lane {
  queue: string;
  client: RedisClient;
  clientId: string;
  pending: Promise<string | null> | null;
}

/** The claims hash lives as long as the worker hash would without heartbeats. */
const CLAIMS_TTL = WorkerDefaults.WORKER_TTL + 60;

/** A job this worker is running. */
interface Running {
  readonly id: string;
  readonly executionId: string;
  /** Aborted (with the outcome as reason) to halt the job: timeout, stop-job, kill-horse, cold shutdown. */
  readonly halt: Halt;
}

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
  readonly #o: ResolvedOptions;
  readonly #ownsConnection: boolean;
  readonly #pools = new Map<'thread' | 'process', ExecutorPool>();
  readonly #redisUrl: string | null;
  /** Blocking waits, one per queue (none in burst mode). */
  #lanes: Lane[] = [];
  /** Slot numbers free for reuse (each names the slot's field in the claims hash). */
  readonly #freeSlots: number[] = [];
  #slotCount = 0;
  #subscriber: RedisClient | null = null;
  #working = false;
  #stopping = false;
  #cold = false;
  /** True while a (blocking) pop is outstanding. */
  #popping = false;
  readonly #running = new Map<string, Running>();
  /** One promise per busy slot; a slot runs jobs back to back while its prefetch finds more. */
  readonly #slots = new Set<Promise<void>>();
  /** Jobs taken from the queues (popped or prefetched), for `maxJobs`. */
  #claimed = 0;
  #counts = { successful: 0, failed: 0, totalWorkingTime: 0 };
  #done: Promise<void> = Promise.resolve();
  #lastMaintenance = 0;
  #scheduler: Scheduler | null = null;
  readonly #waiters = new Set<() => void>();
  /** When the worker last had nothing to do (for `maxIdleTime`). */
  #idleSince = Date.now();
  /** A finish just found every queue empty: an idle worker can go straight to its blocking wait. */
  #queuesSeenEmpty = false;
  /** When the main loop last sent the worker heartbeat (ms). */
  #lastHeartbeat = 0;
  /** Finishes waiting for the end of the tick, or for the call in flight, to share one script call. */
  readonly #finishes: PendingFinish[] = [];
  /** Finish calls sent and not answered yet (at most two; see {@link Worker.#flushFinishes}). */
  #finishCalls = 0;
  /** Finishes one call takes at most: half the slots, up to {@link MAX_FINISH_BATCH}. */
  get #finishBatch(): number {
    return Math.min(MAX_FINISH_BATCH, Math.ceil(this.#o.concurrency / 2));
  }

  /** @throws InvalidArgumentError for bad options (unknown ones included), before anything touches Redis. */
  constructor(options: WorkerOptions) {
    this.#o = resolveWorkerOptions(options, randomUUID().replace(/-/g, ''));
    this.queues = this.#o.queues;
    this.name = this.#o.name;
    this.#ownsConnection = ownsTarget(options.connection);
    this.connection = Connection.from(options.connection);
    this.serializer = resolveSerializer(options.serializer ?? 'pickle');
    this.#redisUrl = typeof options.connection === 'string' ? options.connection : clientUrl(this.connection);
    const isolated = [this.#o.isolation, ...Object.values(this.#o.taskIsolation)].some((i) => i !== 'none');
    if (isolated) {
      if (typeof options.serializer === 'object') {
        throw new InvalidArgumentError('serializer', options.serializer, 'isolated tasks need a built-in serializer name (pickle, json, superjson)');
      }
      if (this.#redisUrl === null) {
        throw new InvalidArgumentError('connection', '(a client without a URL)', 'isolated tasks open their own connection: pass a redis:// URL or a client created with { url }');
      }
      if (this.#o.modules.length === 0) {
        throw new InvalidArgumentError('require', options.require, 'isolated tasks are found by importing task modules in each thread or process: list them in `require`');
      }
    }
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
    return { successful: this.#counts.successful, failed: this.#counts.failed };
  }

  /**
   * Register, then run jobs until {@link Worker.stop} (or, in burst mode, until the queues are empty, or
   * `maxJobs` / `maxIdleTime`), then unregister. A job that fails never stops the worker; an unknown function
   * fails its job.
   */
  async work(): Promise<void> {
    if (this.#working) throw new InvalidArgumentError('work()', this.name, 'this worker is already working');
    this.#working = true;
    let finished!: () => void;
    this.#done = new Promise((r) => (finished = r));
    const signals = this.#o.handleSignals ? this.#installSignals() : () => {};
    try {
      for (const module of this.#o.modules) await import(module);
      await this.connection.open();
      await this.#register();
      try {
        await this.#subscribe();
        if (!this.#o.burst) {
          for (const queue of this.queues) {
            const client = await this.connection.openDuplicate();
            this.#lanes.push({ queue, client, clientId: String(await client.sendCommand(['CLIENT', 'ID'])), pending: null });
          }
        }
        if (this.#o.isolation !== 'none') this.#pool(this.#o.isolation).warm(this.#o.concurrency);
        if (this.#o.withScheduler) {
          this.#scheduler = new Scheduler(this.connection, this.queues, this.#logger);
          // A burst worker runs its scheduler once, inline, as RQ's does.
          if (this.#o.burst) await this.#scheduler.runOnce();
          else this.#scheduler.start();
        }
        await this.#loop();
      } finally {
        // Warm: running jobs finish (a cold shutdown has halted them already).
        await Promise.allSettled([...this.#slots]);
        await this.#scheduler?.stop().catch((e) => this.#logger.warn(`rqts worker ${this.name}: scheduler stop failed: ${e}`));
        this.#scheduler = null;
        await this.#unregister().catch((e) => this.#logger.warn(`rqts worker ${this.name}: unregister failed: ${e}`));
        this.#subscriber?.destroy();
        for (const lane of this.#lanes) lane.client.destroy();
        this.#lanes = [];
        for (const pool of this.#pools.values()) pool.close();
        this.#pools.clear();
        if (this.#ownsConnection) await this.connection.close();
      }
    } finally {
      signals();
      this.#working = false;
      finished();
    }
  }

  /**
   * Warm shutdown (SIGTERM to `rq worker`): take no new job, let running jobs finish, unregister. With
   * `{ cold: true }`, running jobs are halted and recorded as failed (or retried when they have retries
   * left), never left `started`. Resolves once the worker has unregistered.
   */
  async stop(options: { cold?: boolean } = {}): Promise<void> {
    if (options.cold) this.#coldStop();
    this.#stopping = true;
    this.#wake();
    // End a blocking pop. The pop may not have reached Redis yet when this runs, so try again until the
    // loop has left it (bounded by one dequeue timeout).
    const deadline = Date.now() + this.#o.dequeueTimeout * 1000;
    while (this.#popping && Date.now() < deadline) {
      for (const lane of this.#lanes) {
        if (lane.pending) await this.connection.command(['CLIENT', 'UNBLOCK', lane.clientId]).catch(() => 0);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    await this.#done;
  }

  get #logger(): Pick<Console, 'info' | 'warn' | 'error'> {
    return this.#o.logger;
  }

  #coldStop(): void {
    this.#cold = true;
    for (const job of this.#running.values()) job.halt.abort(new JobOutcomeError('failure', KILLED));
  }

  /** First SIGINT/SIGTERM: warm shutdown; second: cold. Returns the uninstaller. */
  #installSignals(): () => void {
    let received = 0;
    const onSignal = (signal: NodeJS.Signals): void => {
      received += 1;
      if (received === 1) {
        this.#logger.info(`rqts worker ${this.name}: ${signal}: warm shut down (running jobs finish); send it again for a cold shut down`);
        void this.stop();
      } else {
        this.#logger.warn(`rqts worker ${this.name}: ${signal}: cold shut down`);
        void this.stop({ cold: true });
      }
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    return () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    };
  }

  // ---- the main loop ---------------------------------------------------------------------------------

  async #loop(): Promise<void> {
    let failures = 0;
    this.#idleSince = Date.now();
    while (!this.#stopping) {
      try {
        if (this.#claimed >= this.#o.maxJobs) break;
        if (this.#slots.size >= this.#o.concurrency) {
          await this.#slotFreed();
          continue;
        }
        // Heartbeat (and see whether RQ is suspended) at most once a second while looping: every script that
        // takes a job checks the suspension itself, so a worker coming back from a job goes straight to its
        // next wait.
        if (Date.now() - this.#lastHeartbeat >= 1000) {
          this.#lastHeartbeat = Date.now();
          if ((await this.#heartbeat()) === 'suspended') {
            if (this.#o.burst) break;
            await this.#pause(1000);
            continue;
          }
        }
        if (Date.now() - this.#lastMaintenance >= this.#o.maintenanceInterval * 1000) await this.#maintain();
        const idleLeft = this.#slots.size === 0 ? this.#o.maxIdleTime - (Date.now() - this.#idleSince) / 1000 : Infinity;
        if (idleLeft <= 0) break;
        // Take what is queued, for every free slot at once.
        const free = Math.min(this.#o.concurrency - this.#slots.size, this.#o.maxJobs - this.#claimed);
        this.#claimed += free;
        let taken: Popped[] = [];
        // A claim right after a finish that found nothing would find nothing too: an idle (not burst) worker
        // skips it, so a job enqueued now wakes the blocking wait at once (BLMOVE returns at once when the
        // queue is not empty, so nothing is missed).
        const skipClaim = this.#queuesSeenEmpty && this.#slots.size === 0 && !this.#o.burst;
        this.#queuesSeenEmpty = false;
        try {
          if (!skipClaim) taken = await this.#claim(free);
        } finally {
          this.#claimed -= free - taken.length;
        }
        if (taken.length > 0) {
          const starts = await Promise.allSettled(taken.map((popped) => this.#startInSlot(popped, 'popped')));
          for (const start of starts) {
            if (start.status === 'rejected') this.#logger.error(`rqts worker ${this.name}: ${start.reason?.message ?? start.reason}`);
            else if (start.value !== null && start.value !== 'again') this.#launch(start.value);
          }
          failures = 0;
          continue;
        }
        if (this.#o.burst) {
          if (this.#slots.size === 0) break;
          await this.#slotFreed();
          continue;
        }
        // Nothing queued: wait for a job.
        this.#claimed += 1;
        const started = await this.#dequeue(Math.max(1, Math.min(this.#o.dequeueTimeout, Math.ceil(idleLeft))));
        if (started === null || started === 'again') {
          this.#claimed -= 1;
          // Woken but nothing started (several queues, or another worker was faster, or RQ is suspended):
          // heartbeat first next time, so a suspension is seen before the next wait returns at once again.
          if (started === 'again') this.#lastHeartbeat = 0;
          continue;
        }
        this.#launch(started);
        failures = 0;
      } catch (error) {
        // Redis went away or answered an error: log, back off, carry on (node-redis reconnects by itself).
        if (this.#stopping) break;
        failures += 1;
        // Heartbeat first when back: a restarted Redis has lost the registration, which the heartbeat restores.
        this.#lastHeartbeat = 0;
        this.#logger.error(`rqts worker ${this.name}: ${(error as Error)?.message ?? error}; retrying`);
        await this.#pause(Math.min(100 * 2 ** failures, 5_000));
      }
    }
  }

  /** RQ's maintenance (registry cleanup, dead workers), at start and every `maintenanceInterval`. */
  async #maintain(): Promise<void> {
    this.#lastMaintenance = Date.now();
    await runMaintenance({
      connection: this.connection, serializer: this.serializer, queues: this.queues, worker: this.name,
      handlers: this.#o.handlers, defaultResultTtl: this.#o.resultTtl, logger: this.#logger,
    });
  }

  /** Run jobs on one slot, starting with `first`, while the finish round trip prefetches another. */
  #launch(first: Started): void {
    const slot = (async () => {
      let next: Started | null = first;
      while (next) {
        const current: Started = next;
        try {
          next = await this.#perform(current);
        } catch (error) {
          this.#logger.error(`rqts worker ${this.name}: job ${current.id}: ${(error as Error)?.message ?? error}`);
          next = null;
        }
      }
    })();
    this.#slots.add(slot);
    void slot.finally(() => {
      this.#freeSlots.push(first.slot);
      this.#slots.delete(slot);
      if (this.#slots.size === 0) this.#idleSince = Date.now();
      this.#wake();
    });
  }

  /** Wait until a slot frees (or stop() is called). */
  #slotFreed(): Promise<void> {
    return this.#pause(60_000);
  }

  /** Sleep up to `ms`, woken early by a freed slot or stop(). */
  #pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#waiters.add(done);
    });
  }

  #wake(): void {
    for (const waiter of [...this.#waiters]) waiter();
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
    const ok = await this.connection.script(REGISTER_WORKER, this.#registrationKeys(), [String(WorkerDefaults.WORKER_TTL + 60), ...fields]);
    if (ok !== 1) throw new InvalidArgumentError('name', this.name, 'a live worker with this name exists');
    this.#logger.info(`rqts worker ${this.name} listening on ${this.queues.join(', ')}`);
  }

  async #unregister(): Promise<void> {
    await this.connection.script(WORKER_DEATH, this.#registrationKeys(), [formatDatetime(nowMicros())]);
    await this.connection.command(['DEL', keys.workerClaimsKey(this.name)]);
  }

  /** Refresh the worker hash (re-register if it vanished) and read RQ's suspension flag. */
  async #heartbeat(): Promise<'ok' | 'suspended'> {
    const state = this.#running.size > 0 ? 'busy' : 'idle';
    const reply = await this.connection.script(WORKER_HEARTBEAT, [keys.workerKey(this.name), keys.suspendedKey()], [
      formatDatetime(nowMicros()), String(WorkerDefaults.WORKER_TTL + 60), state,
    ]);
    if (reply === 0) await this.#register();
    return reply === 2 ? 'suspended' : 'ok';
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
    let command: { command?: string; job_id?: string; execution_id?: string };
    try {
      command = JSON.parse(message);
    } catch {
      return this.#logger.warn(`rqts worker ${this.name}: ignoring a malformed command ${message}`);
    }
    if (command.command === 'shutdown') void this.stop();
    if (command.command === 'stop-job' || command.command === 'stop-execution') {
      const job = command.job_id === undefined ? undefined : this.#running.get(command.job_id);
      if (job && (command.execution_id === undefined || command.execution_id === job.executionId)) {
        job.halt.abort(new JobOutcomeError('stopped', STOPPED_TEXT));
      }
    }
    // RQ has one work-horse; this worker's horses are all its running jobs.
    if (command.command === 'kill-horse') for (const job of this.#running.values()) job.halt.abort(new JobOutcomeError('failure', KILLED));
  }

  // ---- dequeue ------------------------------------------------------------------------------------

  /** Take up to `count` queued ids for free slots ({@link CLAIM_JOBS}), in queue order. */
  async #claim(count: number): Promise<Popped[]> {
    if (count <= 0 || this.#stopping) return [];
    const claim = claimJobsArgs({ worker: this.name, queues: this.queues, count, slot: 'loop', token: randomUUID(), claimsTtl: CLAIMS_TTL });
    const reply = (await this.#settle(() => this.connection.script(CLAIM_JOBS, claim.keys, claim.args))) as Reply[];
    const taken: Popped[] = [];
    for (let i = 0; i + 1 < reply.length; i += 2) taken.push({ id: String(reply[i + 1]), queue: this.queues[Number(reply[i]) - 1]! });
    return taken;
  }

  /**
   * Wait for a job on an idle worker and start it. The wait (BLMOVE of a queue onto itself) moves nothing,
   * so a lost reply strands nothing; with one queue, {@link START_JOB} takes the id it woke on from the
   * queue's head and starts it in one step. Returns null when the wait timed out, 'again' when the next
   * claim should take the job (another worker was faster, or several queues decide by order).
   */
  async #dequeue(timeout: number): Promise<Started | 'again' | null> {
    if (this.#stopping) return null;
    this.#popping = true;
    let woken: string | null;
    try {
      woken = await firstHit(this.#lanes.map((lane) => this.#wait(lane, timeout)));
    } finally {
      this.#popping = false;
    }
    if (woken === null || this.#stopping) return null;
    if (this.#lanes.length > 1) return 'again';
    return this.#startInSlot({ id: woken, queue: this.queues[0]! }, 'head');
  }

  /** {@link Worker.#start} on a free slot number, given back unless the job started. */
  async #startInSlot(popped: Popped, claim: Claim): Promise<Started | 'again' | null> {
    const slot = this.#freeSlots.pop() ?? this.#slotCount++;
    let started: Started | 'again' | null = null;
    try {
      started = await this.#start(popped, claim, slot);
    } finally {
      if (started === null || started === 'again') this.#freeSlots.push(slot);
    }
    return started;
  }

  /** A blocking wait on one queue; resolves with the id at its head, or null after `timeout` seconds. */
  #wait(lane: Lane, timeout: number): Promise<string | null> {
    if (lane.pending) return lane.pending;
    const key = keys.queueKey(lane.queue);
    // No command timeout: the wait lasts up to dequeueTimeout, longer than node-redis's 5 s default.
    const pending = (lane.client.sendCommand(['BLMOVE', key, key, 'LEFT', 'LEFT', String(timeout)], { timeout: 0 }) as Promise<Reply>).then(
      (reply) => (reply === null || reply === undefined ? null : String(reply)),
    );
    lane.pending = pending;
    void pending.then(
      () => (lane.pending = null),
      () => (lane.pending = null),
    );
    return pending;
  }

  /**
   * {@link START_JOB} for an id taken from the intermediate list ('popped', by a finish) or from its queue's
   * head. Sent again with the same arguments until Redis answers (the script is safe to run twice).
   */
  async #start({ id, queue }: Popped, claim: Claim, slot: number): Promise<Started | 'again' | null> {
    const executionId = newExecutionId();
    const member = this.#o.layout === 2 ? keys.startedMember(id, executionId) : id;
    const micros = nowMicros();
    // The job's origin is unknown until it is read; the queue it was taken from is its origin (RQ pushes
    // ids only onto their origin's list).
    const start = startJobArgs({
      jobId: id, origin: queue, executionId, worker: this.name, nowMicros: micros, nowDatetime: formatDatetime(micros),
      defaultTimeout: Defaults.JOB_TIMEOUT, member, layout: this.#o.layout, claim, slot: String(slot), claimsTtl: CLAIMS_TTL,
    });
    const reply = await this.#settle(() => this.connection.script(START_JOB, start.keys, start.args));
    if (reply === -1) return 'again';
    // Suspended: the next loop heartbeats at once, sees it and pauses.
    if (reply === -2) {
      this.#lastHeartbeat = 0;
      return 'again';
    }
    // Deleted meanwhile: RQ drops the id and pops the next.
    if (!Array.isArray(reply)) return null;
    const fields = startedFields(fieldsFromReply(reply.slice(1)), this.name, start.args[3] as string);
    return { id, queue, slot, executionId, member, micros, startedMs: Date.now(), ttl: Number(reply[0]), fields };
  }

  /**
   * Send a start or finish script until Redis answers: both are safe to run twice (the claims record), and
   * giving up would leave the job started with nobody running it. Only a cold shutdown stops trying.
   */
  async #settle<T>(send: (attempt: number) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await send(attempt);
      } catch (error) {
        if (!(error instanceof ConnectionError) || this.#cold) throw error;
        this.#logger.warn(`rqts worker ${this.name}: ${error.message}; sending again`);
        await new Promise((r) => setTimeout(r, Math.min(50 * 2 ** attempt, 2_000)));
      }
    }
  }

  // ---- one job --------------------------------------------------------------------------------------

  /** Run and finish one started job; returns the next one, started, when the finish round trip prefetched one. */
  async #perform({ id, queue, slot, executionId, member, micros, startedMs: started, ttl, fields }: Started): Promise<Started | null> {
    const running = runningJobKeys(id, queue, executionId, this.name);
    const halt = new Halt();
    this.#running.set(id, { id, executionId, halt });

    // Keep the started-registry score in the future, or Python maintenance declares the job abandoned.
    const beat = setInterval(() => {
      const now = nowMicros();
      const seconds = Math.floor(now / 1e6);
      void this.connection
        .script(JOB_HEARTBEAT, running, [
          formatDatetime(now), String(now / 1e6), String(seconds + ttl), member, String(ttl), executionId, String(seconds + ttl + 60),
          String(ttl + 60), String((Date.now() - started) / 1000), String(this.#o.layout),
        ])
        .catch((e) => this.#logger.warn(`rqts worker ${this.name}: heartbeat failed: ${e}`));
    }, Math.max(1, Math.min(WorkerDefaults.JOB_MONITORING_INTERVAL, ttl / 3)) * 1000);

    let outcome: Outcome = 'success';
    let returnValue = '';
    let excString = '';
    let timer: NodeJS.Timeout | undefined;
    let job: Job | null = null;
    let callbacks: JobCallbacks = {};
    try {
      const record = recordFromFields(id, fields);
      job = Job.fromRecord(record, this.connection, this.serializer);
      // A callback or webhook that cannot run here fails the job before its function runs (never dropped).
      callbacks = resolveCallbacks(record, fields, this.#o.handlers);
      const timeout = record.timeout ?? Defaults.JOB_TIMEOUT;
      // The timeout counts from the moment the function starts (an isolated executor may still be starting).
      const armTimeout = (): void => {
        if (timeout > 0) timer = setTimeout(() => halt.abort(new JobOutcomeError('failure', timeoutText(timeout))), timeout * 1000);
      };
      if (this.#cold) halt.abort(new JobOutcomeError('failure', KILLED));
      const running = job;
      returnValue = await this.#traced(running, queue, fields, () => this.#execute(running, fields, halt, armTimeout));
      clearTimeout(timer);
      // RQ: a success callback that raises (or times out) turns the job into a failure.
      if (callbacks.success) await runCallback(callbacks.success, job, this.connection, this.#decodeResult(returnValue));
    } catch (error) {
      outcome = error instanceof JobOutcomeError ? error.kind : 'failure';
      let text = error instanceof JobOutcomeError ? error.excString : describeError(error);
      if (outcome === 'failure' && callbacks.failure && job) {
        // RQ: a failure callback that raises replaces the job's traceback with its own.
        await runCallback(callbacks.failure, job, this.connection, ...excTypeAndValue(text), text).catch((e: JobOutcomeError) => {
          text = e.excString;
        });
      }
      if (outcome === 'stopped' && callbacks.stopped && job) {
        await runCallback(callbacks.stopped, job, this.connection).catch((e: JobOutcomeError) => {
          this.#logger.warn(`rqts worker ${this.name}: job ${id}: on_stopped callback failed: ${e.excString.trimEnd().split('\n').pop()}`);
        });
      }
      excString = compress(Buffer.from(text, 'utf8')).toString('base64');
      this.#logger.warn(`rqts worker ${this.name}: job ${id} ${outcome === 'stopped' ? 'stopped' : 'failed'}: ${text.trimEnd().split('\n').pop()}`);
    } finally {
      clearTimeout(timer);
      clearInterval(beat);
      this.#running.delete(id);
    }
    const end = nowMicros();
    const endDatetime = formatDatetime(end);
    const workingSeconds = (Date.now() - started) / 1000;
    if (outcome === 'success') this.#counts.successful += 1;
    else this.#counts.failed += 1;
    this.#counts.totalWorkingTime += workingSeconds;
    const prefetch = this.#reservePrefetch();
    const finish: FinishJob = {
      outcome, jobId: id, origin: queue, executionId, member, endMicros: end, endDatetime, executionStartedAt: micros / 1e6,
      returnValue, excString, resultTtl: fields.get('result_ttl')?.toString() ?? '', hasDependencies: job?.record.dependencyIds.length !== 0,
      slot: String(slot), token: `f:${executionId}`, othersRunning: this.#running.size, nextExecutionId: prefetch ?? '', resend: false,
    };
    // The first send cannot repeat an earlier one; any later one may (its reply lost), so it looks first.
    const result = await this.#settle((attempt) => this.#finish(attempt === 1 ? finish : { ...finish, resend: true }));
    this.#logger.info(`rqts worker ${this.name}: job ${id}: ${String(result[0])}`);
    if (prefetch === null) return null;
    if (result.length < 4) {
      this.#claimed -= 1;
      this.#queuesSeenEmpty = true;
      return null;
    }
    // The next job, started by the same script.
    const nextId = String(result[1]);
    return {
      id: nextId, queue: this.queues[Number(result[2]) - 1]!, slot, executionId: prefetch,
      member: this.#o.layout === 2 ? keys.startedMember(nextId, prefetch) : nextId, micros: end,
      startedMs: Date.now(), ttl: Number(result[3]), fields: startedFields(fieldsFromReply(result[4] as Reply[]), this.name, endDatetime),
    };
  }

  /**
   * Run `fn` in an OpenTelemetry consumer span that continues the producer's trace from the job's meta and
   * links the spans of the jobs it depended on (one extra read, only then), as the Python instrumentation does.
   */
  #traced<T>(job: Job, queue: string, fields: Map<string, Buffer>, fn: () => Promise<T>): Promise<T> {
    const api = otel(this.#o.telemetry);
    if (!api) return fn();
    if (api instanceof Promise) return api.then((loaded) => (loaded ? this.#tracedWith(loaded, job, queue, fields, fn) : fn()));
    return this.#tracedWith(api, job, queue, fields, fn);
  }

  async #tracedWith<T>(api: OtelApi, job: Job, queue: string, fields: Map<string, Buffer>, fn: () => Promise<T>): Promise<T> {
    const meta = this.#metaOf(fields.get('meta'));
    const parents = job.record.dependencyIds;
    const dependencyMetas =
      parents.length === 0
        ? []
        : ((await this.connection.pipeline(parents.map((parent) => ['HGET', keys.jobKey(parent), 'meta']))) as Reply[]).map((raw) =>
            this.#metaOf(Buffer.isBuffer(raw) ? raw : undefined),
          );
    return traceConsume(api, { queue, workerName: this.name, job: { id: job.id, funcName: job.funcName }, meta, dependencyMetas }, fn);
  }

  /** A stored meta dict, or null when there is none or it does not decode (tracing must never fail a job). */
  #metaOf(raw: Buffer | undefined): Record<string, unknown> | null {
    if (!raw || raw.length === 0) return null;
    try {
      const value = this.serializer.loads(raw);
      if (value instanceof Map) return Object.fromEntries(value) as Record<string, unknown>;
      return value && typeof value === 'object' ? (value as Record<string, unknown>) : null;
    } catch {
      return null;
    }
  }

  /** Run the job's function where its isolation says; resolves with the encoded return value. */
  async #execute(job: Job, fields: Map<string, Buffer>, halt: Halt, onStart: () => void): Promise<string> {
    const isolation = this.#isolationFor(targetName(job));
    this.#logger.info(`rqts worker ${this.name}: ${job.record.origin}: ${job.record.description ?? job.funcName} (${job.id})`);
    if (isolation === 'none') {
      // resultOf() arguments are replaced by their jobs' values; chunked-map jobs call the target per item.
      let call = resolveInvocation(job, (name) => resolveHandler(name, this.#o.handlers));
      if (call instanceof Promise) call = await call;
      if (!call.handler) throw new JobOutcomeError('failure', unknownFunction(call.funcName));
      onStart();
      return encodeResult(this.serializer, toWire(await runHandler(call.handler, job, 0, halt, call.args)));
    }
    const result = await this.#pool(isolation).run(job.id, [...fields.entries()], halt.signal, onStart);
    // Halted: the executor was killed; the reason says why (timeout, stop-job, kill-horse, cold shutdown).
    if (halt.aborted) throw halt.reason;
    if (!result.ok) throw new JobOutcomeError('failure', result.excString);
    return result.value;
  }

  #decodeResult(encoded: string): unknown {
    return encoded === '' ? null : this.serializer.loads(Buffer.from(encoded, 'base64'));
  }

  #isolationFor(funcName: string): Isolation {
    // The built-in gather step of a large reduce only copies a list: never worth a thread.
    if (funcName === DataflowEntry.GATHER || Object.prototype.hasOwnProperty.call(this.#o.handlers, funcName)) return 'none';
    return this.#o.taskIsolation[funcName] ?? this.#o.isolation;
  }

  #pool(kind: 'thread' | 'process'): ExecutorPool {
    let pool = this.#pools.get(kind);
    if (!pool) {
      pool = new ExecutorPool({ kind, modules: this.#o.modules, serializer: this.serializer.name, redisUrl: this.#redisUrl! });
      this.#pools.set(kind, pool);
    }
    return pool;
  }

  /**
   * Send a finish. With several slots, the finishes issued in the same tick share one {@link FINISH_JOBS}
   * call (up to half the slots, at most {@link MAX_FINISH_BATCH}); each is still recorded and answered on its own.
   */
  #finish(job: FinishJob): Promise<Reply[]> {
    if (this.#o.concurrency === 1) return this.#sendFinishes([job]).then(([reply]) => finishReply(reply!));
    return new Promise<Reply[]>((resolve, reject) => {
      this.#finishes.push({ job, resolve, reject });
      if (this.#finishes.length === 1) process.nextTick(() => this.#flushFinishes());
    });
  }

  /**
   * Send the finishes that wait as one call (up to {@link Worker.#finishBatch}), unless two calls are in
   * flight: then they wait for a reply. With nothing in flight, half go now and the rest wait for that call's
   * reply; a reply sends everything that waits before the jobs it started run (one event-loop turn later,
   * once node-redis has written the call). So the slots fall into two groups, and Redis runs one group's
   * finishes while this process runs the other's jobs. Two calls written back to back reach Redis as one
   * read and are answered together: the session-5 flush (half now, half one turn later) kept the slots in
   * one lock-stepped group that way (measured at concurrency 50: 5,000–5,700 jobs/s, against 8,200–8,600
   * when two groups formed by chance). A waiting finish always has a call in flight whose reply sends it.
   * A call takes at most half the slots: capped at 32 alone, 50 slots settled as groups of 32 and 18, and
   * Redis and this process took turns waiting for the difference (6,700–7,900 jobs/s against 8,000–8,900
   * with 25 and 25).
   */
  #flushFinishes(all = false): void {
    if (this.#finishCalls >= 2 || this.#finishes.length === 0) return;
    const count = all || this.#finishCalls > 0 ? this.#finishes.length : Math.ceil(this.#finishes.length / 2);
    const batch = this.#finishes.splice(0, Math.min(count, this.#finishBatch));
    this.#finishCalls += 1;
    const answered = (settle: () => void): void => {
      this.#finishCalls -= 1;
      this.#flushFinishes(true);
      setImmediate(settle);
    };
    this.#sendFinishes(batch.map((b) => b.job)).then(
      (replies) =>
        answered(() =>
          batch.forEach((b, i) => {
            try {
              b.resolve(finishReply(replies[i]!));
            } catch (error) {
              b.reject(error);
            }
          }),
        ),
      (error: unknown) => answered(() => batch.forEach((b) => b.reject(error))),
    );
  }

  /**
   * One {@link FINISH_JOBS} call. Not retried by the connection with the same arguments (a lost reply would
   * make a second run look like a first, `resend` '0'): the caller sends it again, marked as a resend.
   */
  #sendFinishes(jobs: readonly FinishJob[]): Promise<Reply[][]> {
    const { keys: batchKeys, args } = finishJobsArgs(
      {
        worker: this.name, defaultResultTtl: this.#o.resultTtl, claimsTtl: CLAIMS_TTL, layout: this.#o.layout, defaultTimeout: Defaults.JOB_TIMEOUT,
        // The counts as they are now, never a finish's own: a finish sent again after newer ones must not
        // write older (smaller) counts back.
        queues: this.queues, counters: { ...this.#counts },
      },
      jobs,
    );
    return this.connection.script(FINISH_JOBS, batchKeys, args, { idempotent: false }) as Promise<Reply[][]>;
  }

  /** The next job's execution id when the finish round trip may pop one (reserved against `maxJobs`), else null. */
  #reservePrefetch(): string | null {
    if (this.#stopping || this.#claimed >= this.#o.maxJobs) return null;
    this.#claimed += 1;
    return newExecutionId();
  }
}

/** The URL a node-redis client was created with, if any (isolated executors connect with it). */
function clientUrl(connection: Connection): string | null {
  const url = (connection.client as unknown as { options?: { url?: unknown } }).options?.url;
  return typeof url === 'string' ? url : null;
}

/** An execution id as RQ 2.x makes them (a uuid4's hex). */
function newExecutionId(): string {
  const u = randomUUID();
  return u.slice(0, 8) + u.slice(9, 13) + u.slice(14, 18) + u.slice(19, 23) + u.slice(24);
}

/** The first non-null value of `waits`, or null once all are null. */
function firstHit(waits: readonly Promise<string | null>[]): Promise<string | null> {
  return new Promise((resolve, reject) => {
    let left = waits.length;
    if (left === 0) resolve(null);
    for (const wait of waits) {
      wait.then((value) => {
        if (value !== null) resolve(value);
        else if (--left === 0) resolve(null);
      }, reject);
    }
  });
}
