/**
 * Futures: jobs held until a release step starts them all at once (the semantics of glenfant's RQ fork),
 * written only as records stock RQ workers already read.
 *
 * - `deferred: true` makes a *future*: status `deferred`, in its queue's deferred registry, never pushed, and
 *   waiting on itself (its own id in `rq:job::<id>:dependencies`) so no worker enqueues it before release.
 * - `blockedBy: future` makes a job that must run *before* the future. It is held the same way, and the
 *   future comes to depend on it in stock RQ terms (dependents set, dependencies set, `dependency_ids`), so a
 *   stock worker enqueues the future when the last held job finishes. The hold list
 *   `rq:job:<future id>:blocked` keeps `"<queue>/<id>"` per held job, so release needs no decoding.
 * - {@link release} queues every held job in one script, and the future too when it waits for nothing.
 * - Before release, cancel and delete of the future cascade to its held jobs; after, they live on their own.
 */
import { Connection, type SharedConnection } from './connection.js';
import type { ResolvedDependencies } from './dependencies.js';
import { type JobRef } from './dependencies.js';
import { InvalidArgumentError, InvalidOperationError, NoSuchJobError, RqtsError } from './errors.js';
import { dependenciesKey, heldJobsKey, jobKey } from './keys.js';
import { FUTURE_FIELD, FutureOpOutcome, FutureState, ReleaseOutcome } from './protocol.js';
import { formatDatetime, nowMicros } from './record.js';
import { CANCEL_FUTURE, DELETE_FUTURE, futureOperationArgs, RELEASE_FUTURE, releaseFutureArgs } from './scripts.js';
import { validateJobId } from './validate.js';

/** How an enqueued job is held: as a future, or for one. */
export type Hold = { readonly kind: 'future' } | { readonly kind: 'blocked'; readonly futureId: string };

/** The enqueue options this module reads. */
export interface HoldOptions {
  deferred?: boolean;
  blockedBy?: JobRef;
  allowFailure?: boolean;
  unique?: boolean;
}

/** What {@link resolveHold} decides for one job. */
export interface ResolvedHold {
  hold: Hold | null;
  /** The stock dependencies to write (a held job has none: the future depends on it, not the reverse). */
  dependencyIds: string[];
  /** Written as `allow_dependency_failures`. */
  allowFailure: boolean;
  /** A held job that asked for the head of its queue when released (`enqueue_at_front`). */
  atFrontOnRelease: boolean;
}

/**
 * Validate `deferred`, `blockedBy` and `allowFailure` against the other options (pure; before any write).
 * @throws InvalidArgumentError naming the option at fault.
 */
export function resolveHold(options: HoldOptions, jobId: string, deps: ResolvedDependencies): ResolvedHold {
  const { deferred, blockedBy, allowFailure } = options;
  for (const [name, value] of [['deferred', deferred], ['allowFailure', allowFailure]] as const) {
    if (value !== undefined && typeof value !== 'boolean') throw new InvalidArgumentError(name, value, 'expected a boolean');
  }
  const out: ResolvedHold = { hold: null, dependencyIds: deps.ids, allowFailure: deps.allowFailure, atFrontOnRelease: false };
  if (allowFailure && !deferred) {
    throw new InvalidArgumentError('allowFailure', allowFailure,
      'applies to futures (deferred: true); for other jobs use dependsOn: new Dependency({ jobs, allowFailure: true })');
  }
  if (deferred) {
    if (blockedBy !== undefined) throw new InvalidArgumentError('blockedBy', blockedBy, 'a future (deferred: true) cannot itself be held for another future');
    return { ...out, hold: { kind: 'future' }, allowFailure: deps.allowFailure || allowFailure === true };
  }
  if (blockedBy === undefined) return out;
  const futureId = refId(blockedBy, 'blockedBy');
  if (futureId === jobId) throw new InvalidArgumentError('blockedBy', futureId, 'a future cannot block itself');
  if (options.unique) throw new InvalidArgumentError('unique', true, 'cannot be combined with blockedBy');
  // The fork's `blocked_by` implied `depends_on`; here the link is the hold itself, so dependsOn may only
  // name the same future. Stored as a dependency of the held job it would make the held job wait for the
  // future that waits for it.
  const other = deps.ids.find((id) => id !== futureId);
  if (other !== undefined) {
    throw new InvalidArgumentError('dependsOn', other,
      `contradicts blockedBy ${JSON.stringify(futureId)}: a held job runs when its future is released and may only name that future in dependsOn`);
  }
  return { hold: { kind: 'blocked', futureId }, dependencyIds: [], allowFailure: false, atFrontOnRelease: deps.enqueueAtFront };
}

function refId(ref: JobRef, option: string): string {
  if (typeof ref === 'string') return validateJobId(ref, option);
  if (ref && typeof ref === 'object' && typeof (ref as { id?: unknown }).id === 'string') return validateJobId(ref.id, option);
  throw new InvalidArgumentError(option, ref, 'expected a job id or a Job');
}

/** The enqueue-script outcome codes about `blockedBy`, as the error they mean. */
export function blockedByError(code: 'missing' | 'not-a-future' | 'released' | 'not-deferred', futureId: string, status: string): InvalidArgumentError {
  const reason = {
    missing: 'no such job (nothing was written)',
    'not-a-future': `not a future: it was not created with deferred: true (status ${status}; nothing was written)`,
    released: 'that future was released already; a worker may be enqueueing it (nothing was written)',
    'not-deferred': `that future is ${status} (nothing was written)`,
  }[code];
  return new InvalidArgumentError('blockedBy', futureId, reason);
}

/** What {@link release} did. */
export interface ReleaseResult {
  /** False when the future had been released before: nothing was written this time. */
  readonly released: boolean;
  /** How many held jobs were queued. */
  readonly heldJobs: number;
  /** Whether the future itself was queued (it waited for nothing else); else a worker queues it later. */
  readonly futureQueued: boolean;
}

/** The future's state, queue, hold list and dependencies set as read now (one round trip). */
interface Snapshot {
  state: string | null;
  origin: string | null;
  held: string[];
  dependencyIds: string[];
}

async function snapshot(connection: Connection, id: string): Promise<Snapshot> {
  const [state, origin, held, deps] = await connection.pipeline([
    ['HGET', jobKey(id), FUTURE_FIELD],
    ['HGET', jobKey(id), 'origin'],
    ['LRANGE', heldJobsKey(id), '0', '-1'],
    ['SMEMBERS', dependenciesKey(id)],
  ]);
  return {
    state: state === null || state === undefined ? null : String(state),
    origin: origin === null || origin === undefined ? null : String(origin),
    held: Array.isArray(held) ? held.map(String) : [],
    dependencyIds: Array.isArray(deps) ? deps.map(String) : [],
  };
}

/** Scripts answer STALE when a `blockedBy` landed between the read and the script; read again this often. */
const MAX_ATTEMPTS = 20;

/**
 * Release a future: one atomic step that queues every held job (status `queued`, `enqueued_at`, front or
 * back as each asked) and the future itself when it has nothing left to wait for. Releasing twice does
 * nothing and says so (`released: false`).
 * @throws InvalidOperationError when the job is not a future (or is canceled); NoSuchJobError when it does not exist.
 * @see `Job.release()`; the CLI's `rqts release <id>`.
 */
export async function release(jobOrId: JobRef, context: { connection: SharedConnection }): Promise<ReleaseResult> {
  const id = refId(jobOrId, 'job');
  if (!context || typeof context !== 'object') throw new InvalidArgumentError('context', context, 'expected { connection }');
  const connection = Connection.from(context.connection);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const snap = await snapshot(connection, id);
    if (snap.origin === null) throw new NoSuchJobError(id);
    const { keys, args } = releaseFutureArgs({ id, queue: snap.origin }, snap.held, snap.dependencyIds, formatDatetime(nowMicros()));
    // Safe to repeat after a lost reply: a second run finds the future released and writes nothing.
    const reply = await connection.script(RELEASE_FUTURE, keys, args);
    const [code, a, b] = Array.isArray(reply) ? reply : [reply];
    switch (code) {
      case ReleaseOutcome.RELEASED:
        return { released: true, heldJobs: Number(a), futureQueued: Number(b) === 1 };
      case ReleaseOutcome.ALREADY_RELEASED:
        return { released: false, heldJobs: 0, futureQueued: false };
      case ReleaseOutcome.NO_SUCH_JOB:
        throw new NoSuchJobError(id);
      case ReleaseOutcome.NOT_A_FUTURE:
        throw new InvalidOperationError(id, `Job ${id} is not a future (it was not created with deferred: true); there is nothing to release`);
      case ReleaseOutcome.NOT_DEFERRED:
        throw new InvalidOperationError(id, `Future ${id} is ${String(a)}; it can no longer be released`);
      case ReleaseOutcome.STALE:
        continue;
      default:
        throw new RqtsError(`Unexpected reply from the release script: ${String(reply)}`);
    }
  }
  throw new RqtsError(`Could not release ${id}: its hold list kept changing (${MAX_ATTEMPTS} attempts)`);
}

/**
 * Cancel a future, if `id` is one: before release with every held job, after release on its own, and out of
 * the dependents sets of what it waits on. Returns false, having written nothing, when `id` is not a future.
 * @throws NoSuchJobError; InvalidOperationError when already canceled.
 */
export async function cancelFuture(connection: Connection, id: string, queue: string): Promise<boolean> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const snap = await snapshot(connection, id);
    if (snap.state === null) return false;
    const { keys, args } = futureOperationArgs({ id, queue }, snap.held, snap.dependencyIds, String(Math.floor(Date.now() / 1000)), false);
    const outcome = await connection.script(CANCEL_FUTURE, keys, args, { idempotent: false });
    if (outcome === FutureOpOutcome.DONE) return true;
    if (outcome === FutureOpOutcome.NO_SUCH_JOB) throw new NoSuchJobError(id);
    if (outcome === FutureOpOutcome.ALREADY_CANCELED) throw new InvalidOperationError(id, `Job ${id} is already canceled`);
  }
  throw new RqtsError(`Could not cancel ${id}: its hold list kept changing (${MAX_ATTEMPTS} attempts)`);
}

/**
 * Delete a future that is not released yet, with every held job. Returns false, having written nothing, when
 * `id` is not such a future (a released future is deleted like any other job and leaves its jobs alone).
 */
export async function deleteHeldFuture(connection: Connection, id: string, queue: string): Promise<boolean> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const snap = await snapshot(connection, id);
    if (snap.state !== FutureState.HELD) return false;
    const { keys, args } = futureOperationArgs({ id, queue }, snap.held, snap.dependencyIds, '0', true);
    const outcome = await connection.script(DELETE_FUTURE, keys, args);
    if (outcome === FutureOpOutcome.DONE) return true;
    if (outcome === FutureOpOutcome.NO_SUCH_JOB) return false;
  }
  throw new RqtsError(`Could not delete ${id}: its hold list kept changing (${MAX_ATTEMPTS} attempts)`);
}
