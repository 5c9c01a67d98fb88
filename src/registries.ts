/**
 * Job registries: the zsets RQ keeps per queue for started (`rq:wip`), finished, failed, deferred, scheduled
 * and canceled jobs (protocol §2, §6.11).
 */
import type { Connection } from './connection.js';
import { InvalidArgumentError, NoSuchJobError } from './errors.js';
import { Job } from './job.js';
import { registryKeys, type RegistryName } from './keys.js';
import { requeueFromRegistry } from './requeue.js';
import type { Serializer } from './serializers/serializer.js';
import type { JobRef } from './dependencies.js';
import { validateJobId } from './validate.js';

/** What a registry needs to know about its queue. */
export interface RegistryContext {
  readonly name: string;
  readonly connection: Connection;
  readonly serializer: Serializer;
}

/**
 * One registry of a queue. Reads run RQ's cleanup where RQ's cleanup is a plain trim: expired entries of the
 * finished and failed registries are removed (as `count`/`get_job_ids` do in RQ). The started registry is
 * read without its abandoned-job handling, which runs Python failure callbacks and is left to Python
 * workers' maintenance: entries whose heartbeat expired are simply not counted.
 *
 * @see RQ `rq.registry.BaseRegistry`
 */
export class JobRegistry {
  /** The registry's sorted set, e.g. `rq:failed:<queue>`. */
  readonly key: string;
  /** Which registry of the queue this is. */
  readonly registry: RegistryName;
  /** @internal */
  readonly queue: RegistryContext;

  /** @internal Users get registries from their queue (`queue.failedJobRegistry`, …). */
  static of(registry: RegistryName, queue: RegistryContext): JobRegistry {
    return new JobRegistry(registry, queue);
  }

  private constructor(registry: RegistryName, queue: RegistryContext) {
    this.registry = registry;
    this.queue = queue;
    this.key = registryKeys[registry](queue.name);
  }

  /** Number of jobs in the registry (after RQ's cleanup). @see RQ `BaseRegistry.count` */
  get count(): Promise<number> {
    return this.#read(['ZCARD', this.key], ['ZCOUNT', this.key, String(nowSeconds()), '+inf']).then(Number);
  }

  /**
   * Job ids in score order, `start`..`end` inclusive as in RQ (`end: -1` = all).
   * @see RQ `BaseRegistry.get_job_ids`
   */
  async getJobIds({ start = 0, end = -1 }: { start?: number; end?: number } = {}): Promise<string[]> {
    if (!Number.isInteger(start) || !Number.isInteger(end)) throw new InvalidArgumentError('start/end', { start, end }, 'expected integers');
    const reply = await this.#read(
      ['ZRANGE', this.key, String(start), String(end)],
      // ZRANGEBYSCORE rather than ZRANGE … BYSCORE, which needs Redis 6.2.
      ['ZRANGEBYSCORE', this.key, String(nowSeconds()), '+inf', 'LIMIT', String(start), String(end === -1 ? -1 : end - start + 1)],
    );
    // RQ 2.0+ started-registry members are `<id>:<execution id>`.
    const ids = Array.isArray(reply) ? reply.map((m) => String(m).split(':')[0]!) : [];
    return [...new Set(ids)];
  }

  /** The jobs themselves (missing ones skipped). */
  async getJobs(range: { start?: number; end?: number } = {}): Promise<Job[]> {
    const ids = await this.getJobIds(range);
    const jobs = await Job.fetchMany(ids, { connection: this.queue.connection, serializer: this.queue.serializer });
    return jobs.filter((j): j is Job => j !== null);
  }

  /** Whether the job is in this registry (started: with a live heartbeat). */
  async contains(job: JobRef): Promise<boolean> {
    const id = refId(job);
    if (this.registry !== 'started') return (await this.queue.connection.command(['ZSCORE', this.key, id])) !== null;
    const members = await this.#startedMembers(id);
    if (members.length === 0) return false;
    const scores = await this.queue.connection.pipeline(members.map((m) => ['ZSCORE', this.key, m]));
    return scores.some((score) => Number(String(score)) >= nowSeconds());
  }

  /**
   * Put a job from this registry back on its queue: `started_at`/`ended_at` cleared, `exc_info` emptied,
   * status `queued`, as RQ's `requeue` does.
   * @throws InvalidOperationError when the job is not in this registry; NoSuchJobError when its hash is gone.
   * @see RQ `BaseRegistry.requeue`
   */
  async requeue(job: JobRef, { atFront = false }: { atFront?: boolean } = {}): Promise<Job> {
    const id = refId(job);
    const fetched = await Job.fetch(id, { connection: this.queue.connection, serializer: this.queue.serializer }).catch((error) => {
      if (error instanceof NoSuchJobError) return null;
      throw error;
    });
    await requeueFromRegistry(this.queue.connection, {
      id, origin: fetched?.origin || this.queue.name, registryKey: this.key, registryLabel: `${this.registry} registry of ${this.queue.name}`, atFront,
    });
    if (!fetched) throw new NoSuchJobError(id);
    return fetched.refresh();
  }

  /** Remove a job id from this registry (and, with `deleteJob`, the job itself). @see RQ `BaseRegistry.remove` */
  async remove(job: JobRef, { deleteJob = false }: { deleteJob?: boolean } = {}): Promise<void> {
    const id = refId(job);
    if (deleteJob) {
      const j = await Job.fetch(id, { connection: this.queue.connection, serializer: this.queue.serializer }).catch(() => null);
      if (j) return j.delete();
    }
    const members = this.registry === 'started' ? await this.#startedMembers(id) : [id];
    if (members.length > 0) await this.queue.connection.command(['ZREM', this.key, ...members]);
  }

  async #startedMembers(id: string): Promise<string[]> {
    const reply = await this.queue.connection.command(['ZRANGE', this.key, '0', '-1']);
    return Array.isArray(reply) ? reply.map(String).filter((m) => m === id || m.startsWith(`${id}:`)) : [];
  }

  /** Finished/failed: trim expired entries first (RQ's cleanup). Started: count live entries only. */
  async #read(plain: string[], started: string[]) {
    const conn = this.queue.connection;
    if (this.registry === 'started') return conn.command(started);
    if (this.registry === 'finished' || this.registry === 'failed') {
      const [, reply] = await conn.pipeline([['ZREMRANGEBYSCORE', this.key, '0', String(nowSeconds())], plain]);
      return reply!;
    }
    return conn.command(plain);
  }
}

/** RQ writes `exc_info = ''` on requeue, and stores it zlib-compressed. */

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

function refId(job: JobRef): string {
  return validateJobId(typeof job === 'string' ? job : job?.id, 'job');
}
