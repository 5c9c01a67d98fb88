/**
 * RQ protocol constants: status names, defaults and field spellings that are the same in every RQ version
 * rqts supports (1.13 – 2.x). Version quirks are noted next to the value they affect.
 */

/** Job statuses as RQ stores them in the `status` field of `rq:job:<id>`. */
export const JobStatus = {
  /** The id is in `rq:queue:<name>`, waiting for a worker. */
  QUEUED: 'queued',
  /** A worker is running it. */
  STARTED: 'started',
  /** It succeeded. */
  FINISHED: 'finished',
  /** It failed for good (retries spent). */
  FAILED: 'failed',
  /** It waits for its dependencies. */
  DEFERRED: 'deferred',
  /** It waits in `rq:scheduled:<name>` for its time. */
  SCHEDULED: 'scheduled',
  /** A worker stopped it on request (stop-job command). */
  STOPPED: 'stopped',
  /** `job.cancel()` took it out of its queue. RQ 1.10+. */
  CANCELED: 'canceled',
  /** Created but never enqueued; also RQ 2.4.1+'s reading of a missing status. Never written by rqts. */
  CREATED: 'created',
} as const;

/** One of RQ's job status strings. */
export type JobStatus = (typeof JobStatus)[keyof typeof JobStatus];

/** Statuses every supported RQ version (1.13+) can load; rqts never writes any other (protocol §3.4). */
export const WRITABLE_STATUSES: ReadonlySet<string> = new Set([
  JobStatus.QUEUED,
  JobStatus.STARTED,
  JobStatus.FINISHED,
  JobStatus.FAILED,
  JobStatus.DEFERRED,
  JobStatus.SCHEDULED,
  JobStatus.STOPPED,
  JobStatus.CANCELED,
]);

/** Defaults RQ applies (rq/defaults.py and the Queue class). */
export const Defaults = {
  /** Job timeout in seconds when none is given (RQ's `Queue.DEFAULT_TIMEOUT`). */
  JOB_TIMEOUT: 180,
  /** Seconds a successful job's hash and result stay, applied by the worker (`--results-ttl`). */
  RESULT_TTL: 500,
  /** Seconds a failed job stays in the failed registry when `failure_ttl` is unset. */
  FAILURE_TTL: 31_536_000,
  /** Seconds a callback may run when `Callback` has no timeout. RQ 1.14+. */
  CALLBACK_TIMEOUT: 60,
  /** The queue name RQ uses when none is given. */
  QUEUE_NAME: 'default',
} as const;

/** RQ 2.5+ cron (`rq/defaults.py`, `rq/cron.py`). */
export const CronDefaults = {
  /** Seconds a cron scheduler's hash lives without a heartbeat; also when `CronScheduler.all` drops it. */
  SCHEDULER_TTL: 120,
  /** Newest job ids kept per cron job history. */
  JOB_HISTORY_LIMIT: 1000,
  /** Seconds a cron job history (and its name in `rq:cron_jobs`) lives after its last enqueue. */
  JOB_HISTORY_TTL: 31_536_000,
  /** Longest sleep between passes, so the heartbeat (every pass) beats the TTL. */
  MAX_SLEEP: 60,
} as const;

/** Result-stream entry types (`type` field of `rq:results:<id>`). */
export const ResultType = {
  SUCCESSFUL: 1,
  FAILED: 2,
  /** Defined by RQ but never written; stopped jobs get a FAILED entry. */
  STOPPED: 3,
  /** The job returned `Retry(...)`. RQ 2.1+. */
  RETRIED: 4,
  /** A returned `Retry` ran out of attempts. RQ 2.8+. */
  MAX_RETRIES_EXCEEDED: 5,
} as const;
export type ResultType = (typeof ResultType)[keyof typeof ResultType];

/**
 * Job ids every RQ version accepts. RQ 2.8+ validates ids on *load*, so one bad id crashes workers
 * (protocol §3.6, §8.1); 2.0+ splits ids on `:`.
 */
export const JOB_ID_PATTERN = /^[A-Za-z0-9_-]+$/;

/**
 * A Python dotted path as RQ's `import_attribute` resolves it: `pkg.mod.func`, `pkg.mod.Class.method`,
 * or a bare builtin name such as `len`.
 */
export const FUNC_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/** Group names as RQ 2.x's `Group` keys them (`rq:group:<name>`, `group_id`); the same rule as job ids. */
export const GROUP_NAME_PATTERN = /^[A-Za-z0-9_-]+$/;

/** Queue names end up in key names and `rq info` output; RQ itself accepts any string. */
export const QUEUE_NAME_PATTERN = /^[^\s:]+$/;

/** Results streams are trimmed like redis-py's `XADD … MAXLEN ~ 10`. */
export const RESULTS_MAXLEN = 10;

/**
 * Worker states as workers write them in the `state` field of `rq:worker:<name>` (RQ's `WorkerStatus`).
 * A hash without the field reads as `'?'`, as in RQ's `Worker.refresh`.
 */
export const WorkerState = {
  STARTED: 'started',
  SUSPENDED: 'suspended',
  BUSY: 'busy',
  IDLE: 'idle',
  /** Written only by the rqts Node worker as it unregisters; Python writes just the `death` field. */
  DEAD: 'dead',
} as const;
export type WorkerState = (typeof WorkerState)[keyof typeof WorkerState];

/** Commands a worker takes on its `rq:pubsub:<name>` channel (rq/command.py). */
export const WorkerCommand = { SHUTDOWN: 'shutdown', KILL_HORSE: 'kill-horse', STOP_JOB: 'stop-job' } as const;

/**
 * rqts futures (deferred jobs released all at once): the job-hash field that marks a future and its state.
 * RQ versions 1.13–2.x ignore fields they do not know and keep them when they save the job.
 */
export const FUTURE_FIELD = 'rqts_future';
export const FutureState = {
  /** Created with `deferred: true`, not released yet: `blockedBy` may still add jobs. */
  HELD: 'held',
  /** `release()` ran: its held jobs were queued; the future waits for them as a stock RQ dependent. */
  RELEASED: 'released',
} as const;
export type FutureState = (typeof FutureState)[keyof typeof FutureState];

/** What the release script reports (first element of its reply). */
export const ReleaseOutcome = {
  /** Held jobs queued; followed by how many, and 1 when the future itself was queued too. */
  RELEASED: 1,
  /** Released before; nothing was written. */
  ALREADY_RELEASED: 2,
  /** No such job. */
  NO_SUCH_JOB: 3,
  /** The job is not a future (created without `deferred: true`). */
  NOT_A_FUTURE: 4,
  /** A future that is no longer deferred (canceled); followed by its status. */
  NOT_DEFERRED: 5,
  /** The hold list or dependencies changed since they were read; read again and retry. */
  STALE: 6,
} as const;

/** What the future cancel and delete scripts report. */
export const FutureOpOutcome = {
  DONE: 1,
  NO_SUCH_JOB: 0,
  ALREADY_CANCELED: -1,
  /** The hold list or dependencies changed since they were read; read again and retry. */
  STALE: -2,
} as const;

/**
 * rqts's dataflow wire format (results as arguments, chunked maps), read by the Python helper module
 * `python/rqts_dataflow.py` and by the Node worker. A job with references is stored as a call to
 * {@link DataflowEntry.CALL} with the real target as its first argument; a marker is a dict whose only key is
 * one of {@link DataflowMarker} (plain dicts travel under pickle and JSON alike).
 */
export const DataflowEntry = {
  /** `rqts_dataflow.call(target, *args, **kwargs)`: substitutes the markers, then calls the target. */
  CALL: 'rqts_dataflow.call',
  /** `rqts_dataflow.map_chunk(target, items)`: `[target(item) for item in items]`. */
  MAP_CHUNK: 'rqts_dataflow.map_chunk',
  /** `rqts_dataflow.gather(values)`: returns its list as is; a large reduce's intermediate step (see groups.ts). */
  GATHER: 'rqts_dataflow.gather',
} as const;

export const DataflowMarker = {
  /** `{'__rqts_result_of__': id}` → that job's return value. */
  RESULT_OF: '__rqts_result_of__',
  /** `{'__rqts_results_of__': [ids]}` → the list of those jobs' return values, in order. */
  RESULTS_OF: '__rqts_results_of__',
  /** `{'__rqts_chained_results_of__': [ids]}` → the concatenation of those jobs' list return values. */
  CHAINED_RESULTS_OF: '__rqts_chained_results_of__',
} as const;
