/**
 * A read view of registered workers, Python's and Node's alike (RQ's `Worker.all` / `Worker.find_by_key` /
 * `Worker.refresh`), and the commands a producer sends them (`rq/command.py`). Every RQ version from 1.13
 * to 2.x writes the same `rq:worker:<name>` hash fields; RQ 2.x workers add `shutdown_requested_date`.
 */
import { Connection, type SharedConnection } from '../connection.js';
import { InvalidArgumentError, NoSuchWorkerError } from '../errors.js';
import { Job } from '../job.js';
import { queueWorkersKey, workerCommandChannel, workerKey, workerNameFromKey, workersKey } from '../keys.js';
import { WorkerCommand, type WorkerState } from '../protocol.js';
import { fieldsFromReply, parseDatetime } from '../record.js';
import { resolveSerializer, type SerializerLike } from '../serializers/index.js';
import type { Serializer } from '../serializers/serializer.js';
import { validateQueueName } from '../validate.js';

/** Where to look for workers. */
export interface WorkerInfoOptions {
  /** A Connection or node-redis client. */
  connection: SharedConnection;
  /** Serializer of the jobs {@link WorkerInfo.currentJob} loads; must match the workers'. @defaultValue `'pickle'` */
  serializer?: SerializerLike;
}

/** Worker names: what `rq worker --name` and the Node worker accept, and nothing that could leave the key. */
const WORKER_NAME_PATTERN = /^[^\s]+$/;

function validateWorkerName(name: unknown): string {
  if (typeof name !== 'string' || !WORKER_NAME_PATTERN.test(name)) {
    throw new InvalidArgumentError('workerName', name, 'expected a worker name (no spaces)');
  }
  return name;
}

/**
 * One registered worker as its hash describes it: a snapshot taken by {@link WorkerInfo.all},
 * {@link WorkerInfo.find} or {@link WorkerInfo.refresh}.
 *
 * @example
 * ```ts
 * for (const w of await Worker.all({ connection })) console.log(w.name, w.state, w.queues, w.currentJobId);
 * ```
 * @see RQ `rq.worker.Worker` (the attributes `refresh()` loads)
 */
export class WorkerInfo {
  readonly name: string;
  readonly connection: Connection;
  readonly serializer: Serializer;
  #fields: Map<string, Buffer>;

  private constructor(name: string, fields: Map<string, Buffer>, connection: Connection, serializer: Serializer) {
    this.name = name;
    this.#fields = fields;
    this.connection = connection;
    this.serializer = serializer;
  }

  /**
   * Every registered worker (`rq:workers`), or those listening on `queue`, sorted by name. Keys whose hash
   * is gone are dropped from `rq:workers`, as RQ's `Worker.find_by_key` does.
   * @see RQ `Worker.all`
   */
  static async all(options: WorkerInfoOptions & { queue?: string }): Promise<WorkerInfo[]> {
    const { connection, serializer } = context(options);
    const setKey = options.queue === undefined ? workersKey() : queueWorkersKey(validateQueueName(options.queue));
    const reply = await connection.command(['SMEMBERS', setKey]);
    const names = (Array.isArray(reply) ? reply.map(String) : []).map(workerNameFromKey).filter((n): n is string => n !== null);
    names.sort();
    const hashes = await connection.pipeline(names.map((name) => ['HGETALL', workerKey(name)]));
    const workers: WorkerInfo[] = [];
    const stale: string[] = [];
    hashes.forEach((reply, i) => {
      const fields = fieldsFromReply(reply);
      if (fields.size === 0) stale.push(workerKey(names[i]!));
      else workers.push(new WorkerInfo(names[i]!, fields, connection, serializer));
    });
    if (stale.length > 0) await connection.command(['SREM', workersKey(), ...stale]);
    return workers;
  }

  /**
   * The worker of this name, or `null` when its hash does not exist. A worker that has just unregistered
   * is still found for the minute its hash lives on, with {@link WorkerInfo.death} set.
   * @throws InvalidArgumentError for a name with spaces.
   * @see RQ `Worker.find_by_key`
   */
  static async find(name: string, options: WorkerInfoOptions): Promise<WorkerInfo | null> {
    validateWorkerName(name);
    const { connection, serializer } = context(options);
    const fields = fieldsFromReply(await connection.command(['HGETALL', workerKey(name)]));
    return fields.size === 0 ? null : new WorkerInfo(name, fields, connection, serializer);
  }

  /** `rq:worker:<name>`. */
  get key(): string {
    return workerKey(this.name);
  }

  /** Queue names in the worker's priority order. */
  get queues(): string[] {
    const text = this.#text('queues');
    return text ? text.split(',') : [];
  }

  /** `started`, `busy`, `idle`, `suspended` (RQ), `dead` (Node worker after it unregistered); `'?'` when unset. */
  get state(): WorkerState | '?' | (string & {}) {
    return this.#text('state') || '?';
  }

  /** Id of the job the worker is running, if any. */
  get currentJobId(): string | null {
    return this.#text('current_job') || null;
  }

  /** The job the worker is running, loaded now; `null` when it runs none or the job is gone. */
  get currentJob(): Promise<Job | null> {
    const id = this.currentJobId;
    if (!id) return Promise.resolve(null);
    return Job.fetchMany([id], { connection: this.connection, serializer: this.serializer }).then(([job]) => job ?? null);
  }

  /** Seconds the current job has run, as of the worker's last heartbeat. */
  get currentJobWorkingTime(): number {
    return this.#number('current_job_working_time');
  }

  get successfulJobCount(): number {
    return this.#number('successful_job_count');
  }

  get failedJobCount(): number {
    return this.#number('failed_job_count');
  }

  /** Seconds spent running jobs, all jobs together. */
  get totalWorkingTime(): number {
    return this.#number('total_working_time');
  }

  /** When the worker registered (RQ's `birth_date`). */
  get birth(): Date | null {
    return parseDatetime(this.#text('birth'));
  }

  get lastHeartbeat(): Date | null {
    return parseDatetime(this.#text('last_heartbeat'));
  }

  /** When the worker unregistered; its hash expires a minute later. */
  get death(): Date | null {
    return parseDatetime(this.#text('death'));
  }

  /** When a shutdown was requested (RQ 2.x workers write it on SIGINT/SIGTERM or a shutdown command). */
  get shutdownRequestedDate(): Date | null {
    return parseDatetime(this.#text('shutdown_requested_date'));
  }

  get hostname(): string | null {
    return this.#text('hostname') || null;
  }

  get ipAddress(): string | null {
    return this.#text('ip_address') || null;
  }

  get pid(): number | null {
    const n = Number.parseInt(this.#text('pid') ?? '', 10);
    return Number.isFinite(n) ? n : null;
  }

  /** RQ's version (`2.12.0`), or `rqts-…` for a Node worker. */
  get version(): string | null {
    return this.#text('version') || null;
  }

  /** Python's `sys.version`, or `node v20…` for a Node worker. */
  get pythonVersion(): string | null {
    return this.#text('python_version') || null;
  }

  /** Every field of the hash as text, for anything a newer worker writes that rqts does not name. */
  get fields(): Record<string, string> {
    return Object.fromEntries([...this.#fields].map(([k, v]) => [k, v.toString('utf8')]));
  }

  /**
   * Read the hash again.
   * @throws NoSuchWorkerError when it is gone.
   * @see RQ `Worker.refresh`
   */
  async refresh(): Promise<this> {
    const fields = fieldsFromReply(await this.connection.command(['HGETALL', this.key]));
    if (fields.size === 0) throw new NoSuchWorkerError(this.name);
    this.#fields = fields;
    return this;
  }

  /** Ask the worker to shut down (see {@link sendShutdownCommand}). */
  sendShutdownCommand(): Promise<void> {
    return sendShutdownCommand(this.connection, this.name);
  }

  /** Ask the worker to kill its work horse (see {@link sendKillHorseCommand}). */
  sendKillHorseCommand(): Promise<void> {
    return sendKillHorseCommand(this.connection, this.name);
  }

  toString(): string {
    return `Worker(${this.name})`;
  }

  #text(field: string): string | undefined {
    return this.#fields.get(field)?.toString('utf8');
  }

  #number(field: string): number {
    const n = Number(this.#text(field) ?? 0);
    return Number.isFinite(n) ? n : 0;
  }
}

function context(options: WorkerInfoOptions): { connection: Connection; serializer: Serializer } {
  if (!options || typeof options !== 'object' || !options.connection) {
    throw new InvalidArgumentError('connection', options?.connection, 'expected { connection } (a Connection or node-redis client)');
  }
  return { connection: Connection.from(options.connection), serializer: resolveSerializer(options.serializer ?? 'pickle') };
}

/**
 * Ask a worker to shut down: a warm shutdown, as SIGTERM would (the current job finishes first). Python
 * workers of every version and the Node worker obey it.
 * @throws NoSuchWorkerError when no worker of this name is registered; nothing is sent then.
 * @see RQ `rq.command.send_shutdown_command`
 */
export async function sendShutdownCommand(connection: SharedConnection, workerName: string): Promise<void> {
  await sendCommand(connection, workerName, WorkerCommand.SHUTDOWN);
}

/**
 * Ask a worker to kill the process running its current job (a Python work horse): the job fails, the worker
 * carries on. The Node worker aborts its current job. A worker that runs no job ignores it.
 * @throws NoSuchWorkerError when no worker of this name is registered; nothing is sent then.
 * @see RQ `rq.command.send_kill_horse_command`
 */
export async function sendKillHorseCommand(connection: SharedConnection, workerName: string): Promise<void> {
  await sendCommand(connection, workerName, WorkerCommand.KILL_HORSE);
}

/** Registered = listed in `rq:workers` with a live hash (a worker that unregistered is no longer listed). */
async function sendCommand(target: SharedConnection, workerName: string, command: string): Promise<void> {
  validateWorkerName(workerName);
  const { connection } = context({ connection: target });
  const [listed, exists] = await connection.pipeline([
    ['SISMEMBER', workersKey(), workerKey(workerName)],
    ['EXISTS', workerKey(workerName)],
  ]);
  if (Number(listed) !== 1 || Number(exists) !== 1) throw new NoSuchWorkerError(workerName);
  // Python's json.dumps spacing, as RQ sends it.
  await connection.command(['PUBLISH', workerCommandChannel(workerName), `{"command": ${JSON.stringify(command)}}`]);
}
