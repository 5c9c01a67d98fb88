/**
 * Every Redis key rqts reads or writes, built in one place (protocol §2). No other module spells `rq:`.
 * Names follow RQ's class attributes: `Job.redis_job_namespace_prefix`, `Queue.redis_queue_namespace_prefix`.
 */

export const JOB_PREFIX = 'rq:job:';
export const QUEUE_PREFIX = 'rq:queue:';
export const WORKER_PREFIX = 'rq:worker:';

/** Set of queue **keys** (`rq:queue:<name>`, not bare names) of every queue ever used. */
export const queuesKey = (): string => 'rq:queues';

/** The list of job ids waiting in a queue; head = next to run. */
export const queueKey = (queue: string): string => `${QUEUE_PREFIX}${queue}`;

/** Queue name from a queue key, or `null` when the key is not a queue key. */
export function queueNameFromKey(key: string): string | null {
  return key.startsWith(QUEUE_PREFIX) ? key.slice(QUEUE_PREFIX.length) : null;
}

/** RQ 1.15+ reliable-queue list of ids a worker has popped but not marked started. */
export const intermediateQueueKey = (queue: string): string => `${QUEUE_PREFIX}${queue}:intermediate`;

/** The job hash. */
export const jobKey = (id: string): string => `${JOB_PREFIX}${id}`;

/** Ids of jobs waiting on this one. */
export const dependentsKey = (id: string): string => `${JOB_PREFIX}${id}${DEPENDENTS_SUFFIX}`;

/** What follows the id in a dependents key; Lua derives those keys while it empties a queue. */
export const DEPENDENTS_SUFFIX = ':dependents';

/** Ids this job waits on. The double colon is RQ's, in every version from 1.13 to 3.0 (protocol §11.1). */
export const dependenciesKey = (id: string): string => `${JOB_PREFIX}:${id}:dependencies`;

/** Results stream (RQ 1.12+, Redis 5+). */
export const resultsKey = (id: string): string => `rq:results:${id}`;

/** Per-job execution registry (RQ 2.0+). */
export const executionsKey = (id: string): string => `rq:executions:${id}`;

/** One execution attempt (RQ 2.0+). */
export const executionKey = (id: string, executionId: string): string => `rq:execution:${id}:${executionId}`;

/** A started-registry member: `J:E` on RQ 2.0+, plain `J` on 1.x. */
export const startedMember = (id: string, executionId: string): string => `${id}:${executionId}`;

/** Group membership set (RQ 2.0+). */
export const groupKey = (group: string): string => `rq:group:${group}`;

/** Set of group **names** (not keys) of every group (RQ 2.0+). */
export const groupsKey = (): string => 'rq:groups';

/** Registry zsets. The started registry is called `wip` in every RQ version. */
export const registryKeys = {
  started: (queue: string): string => `rq:wip:${queue}`,
  finished: (queue: string): string => `rq:finished:${queue}`,
  failed: (queue: string): string => `rq:failed:${queue}`,
  deferred: (queue: string): string => `rq:deferred:${queue}`,
  scheduled: (queue: string): string => `rq:scheduled:${queue}`,
  canceled: (queue: string): string => `rq:canceled:${queue}`,
} as const;
export type RegistryName = keyof typeof registryKeys;

/** Set of worker keys. */
export const workersKey = (): string => 'rq:workers';
/** Set of worker keys listening on a queue. */
export const queueWorkersKey = (queue: string): string => `rq:workers:${queue}`;
/** A worker's hash. */
export const workerKey = (name: string): string => `${WORKER_PREFIX}${name}`;
/**
 * rqts only: the Node worker's claim record per slot (hash: slot → `token|status|queue index|id`), so a
 * start script (or maintenance's finish of another worker's job) sent again after a lost reply returns what
 * the first run did instead of popping a second id. Outside the `rq:workers` sets, so RQ never reads it as a
 * worker. The finish of the worker's own job keeps its record in the worker hash instead (field
 * `rqts:finish:<slot>`, written with the state the finish sets there; RQ reads worker hashes field by field).
 */
export const workerClaimsKey = (name: string): string => `${WORKER_PREFIX}${name}:claims`;
/** Pub/sub channel for commands to a worker (`stop-job`, `shutdown`, `kill-horse`). */
export const workerCommandChannel = (name: string): string => `rq:pubsub:${name}`;

/** `'1'` while `rq suspend` is in force. */
export const suspendedKey = (): string => 'rq:suspended';
/** Lock a worker holds while it cleans a queue's registries (RQ's `Queue.registry_cleaning_key`). */
export const cleanRegistriesLockKey = (queue: string): string => `rq:clean_registries:${queue}`;
/** When maintenance first saw an unstarted id in the intermediate list (RQ 1.16.2+). */
export const intermediateFirstSeenKey = (queue: string, id: string): string => `${intermediateQueueKey(queue)}:first_seen:${id}`;
/** Scheduler lock per queue (`rq worker --with-scheduler`). */
export const schedulerLockKey = (queue: string): string => `rq:scheduler-lock:${queue}`;

/** Worker name from a worker key, or `null` when the key is not a worker key. */
export function workerNameFromKey(key: string): string | null {
  return key.startsWith(WORKER_PREFIX) ? key.slice(WORKER_PREFIX.length) : null;
}

/**
 * A future's hold list (rqts deferred jobs): `"<queue>/<job id>"` of every job held for it, so release can push
 * each to its own queue. Kept under the future's own job key, not at the fork's `rq:deferred:<future id>`,
 * which is RQ's deferred-registry key space (`rq:deferred:<queue>`): a queue named like a job id would collide.
 */
export const heldJobsKey = (futureId: string): string => `${JOB_PREFIX}${futureId}:blocked`;

/** A hold-list entry. Job ids never contain `/`, so the entry splits at its last `/`. */
export const heldJobEntry = (queue: string, id: string): string => `${queue}/${id}`;

/** Queue name and job id of a hold-list entry. */
export function parseHeldJobEntry(entry: string): { queue: string; id: string } {
  const at = entry.lastIndexOf('/');
  return { queue: entry.slice(0, at), id: entry.slice(at + 1) };
}

/** Cron schedulers alive (RQ 2.5+ `rq cron`): a zset of scheduler names scored by their last heartbeat. */
export const cronSchedulersKey = (): string => 'rq:cron_schedulers';
/** A cron scheduler's hash (hostname, pid, name, created_at, config_file, cron_jobs). */
export const cronSchedulerKey = (name: string): string => `rq:cron_scheduler:${name}`;
/** Names of cron jobs, scored by their last enqueue (RQ's `cron_job_registry`). */
export const cronJobsKey = (): string => 'rq:cron_jobs';
/** Ids of the jobs one named cron job enqueued, scored by their `enqueued_at`. */
export const cronJobHistoryKey = (name: string): string => `rq:cron_job:${name}:jobs`;
