/**
 * The scheduler a worker runs with `withScheduler: true` (`rq worker --with-scheduler`, §7.10): for each of
 * its queues whose `rq:scheduler-lock:<queue>` it holds, it moves due scheduled jobs and delayed retries onto
 * the queue every second. Locks are taken with RQ's keys and TTL, so it shares queues with Python
 * schedulers; every move first checks that the lock is still its own (compare before act, as RQ 2.11+),
 * so no job is enqueued twice.
 */
import type { Connection } from '../connection.js';
import * as keys from '../keys.js';
import { formatDatetime, nowMicros } from '../record.js';
import { ENQUEUE_SCHEDULED, SCHEDULER_LOCK } from './scripts.js';

/** RQ's scheduler timings (rq/scheduler.py). */
const LOCK_TTL = 61;
const INTERVAL_MS = 1_000;
/** How often a queue whose lock another scheduler holds is tried again. */
const RETRY_LOCK_MS = 10_000;
/** Jobs moved per queue per pass, as RQ's `ZRANGEBYSCORE … LIMIT 0 1000`. */
const BATCH = 1_000;

export class Scheduler {
  readonly #connection: Connection;
  readonly #queues: readonly string[];
  /** The lock value: the PID, which every RQ version can read back (≤ 2.9 parses it with `int()`). */
  readonly #value = String(process.pid);
  readonly #held = new Set<string>();
  readonly #logger: Pick<Console, 'info' | 'warn' | 'error'>;
  #timer: NodeJS.Timeout | null = null;
  #lastLockTry = 0;
  #running: Promise<void> | null = null;

  constructor(connection: Connection, queues: readonly string[], logger: Pick<Console, 'info' | 'warn' | 'error'>) {
    this.#connection = connection;
    this.#queues = queues;
    this.#logger = logger;
  }

  /** Queues whose lock this scheduler holds. */
  get held(): readonly string[] {
    return [...this.#held];
  }

  /** Take what locks are free and move what is due, once (a burst worker's scheduler pass). */
  async runOnce(): Promise<number> {
    if (Date.now() - this.#lastLockTry >= RETRY_LOCK_MS || this.#held.size === 0) await this.#acquire();
    let moved = 0;
    const now = nowMicros();
    for (const queue of [...this.#held]) {
      const n = Number(await this.#connection.script(ENQUEUE_SCHEDULED,
        [keys.schedulerLockKey(queue), keys.registryKeys.scheduled(queue), keys.queueKey(queue), keys.queuesKey()],
        [this.#value, String(now / 1e6), formatDatetime(now), keys.JOB_PREFIX, String(LOCK_TTL), String(BATCH)]));
      if (n < 0) this.#held.delete(queue); // another scheduler took it over (ours had expired)
      else moved += n;
    }
    return moved;
  }

  /** Run every second until {@link Scheduler.stop}. */
  start(): void {
    const tick = (): void => {
      this.#running = this.runOnce()
        .then(() => undefined)
        .catch((e) => this.#logger.warn(`rqts scheduler: ${(e as Error)?.message ?? e}`))
        .finally(() => {
          if (this.#timer !== null) this.#timer = setTimeout(tick, INTERVAL_MS);
        });
    };
    this.#timer = setTimeout(tick, 0);
  }

  /** Stop and release the locks this scheduler holds. */
  async stop(): Promise<void> {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#running;
    for (const queue of this.#held) {
      await this.#connection.script(SCHEDULER_LOCK, [keys.schedulerLockKey(queue)], [this.#value, 'release', String(LOCK_TTL)]).catch(() => 0);
    }
    this.#held.clear();
  }

  async #acquire(): Promise<void> {
    this.#lastLockTry = Date.now();
    for (const queue of this.#queues) {
      if (this.#held.has(queue)) continue;
      const got = await this.#connection.script(SCHEDULER_LOCK, [keys.schedulerLockKey(queue)], [this.#value, 'acquire', String(LOCK_TTL)]);
      if (got === 1) this.#held.add(queue);
    }
  }
}
