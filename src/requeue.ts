/**
 * Moving a job from a registry back onto its queue, as RQ's `requeue` does: `started_at`/`ended_at` cleared,
 * `exc_info` emptied, status `queued`. Shared by `JobRegistry.requeue` and `Job.requeue`, so job.ts and
 * registries.ts do not import each other.
 */
import type { Connection } from './connection.js';
import { InvalidOperationError, NoSuchJobError } from './errors.js';
import { queueKey, queuesKey } from './keys.js';
import { compress, formatDatetime, nowMicros } from './record.js';
import { jobOperationKeys, REQUEUE_JOB, RequeueOutcome } from './scripts.js';

/** What RQ stores in `exc_info` when it requeues: zlib of nothing. */
const EMPTY_EXC_INFO = compress(Buffer.alloc(0));

export interface RequeueTarget {
  id: string;
  /** The job's queue (its `origin`), where it goes back to. */
  origin: string;
  /** The registry's sorted set, and how an error names it ("failed registry of default"). */
  registryKey: string;
  registryLabel: string;
  atFront: boolean;
}

/**
 * @throws InvalidOperationError when the id is not in the registry; NoSuchJobError when its hash is gone.
 */
export async function requeueFromRegistry(connection: Connection, target: RequeueTarget): Promise<void> {
  const { id, origin, registryKey, registryLabel, atFront } = target;
  const outcome = await connection.script(
    REQUEUE_JOB,
    [...jobOperationKeys(id, origin), registryKey, queuesKey()],
    [id, formatDatetime(nowMicros()), atFront ? 'L' : 'R', EMPTY_EXC_INFO, queueKey(origin)],
    // Not idempotent: a second run after a lost reply would find the job no longer in the registry.
    { idempotent: false },
  );
  if (outcome === RequeueOutcome.NOT_IN_REGISTRY) throw new InvalidOperationError(id, `Job ${id} is not in the ${registryLabel}`);
  if (outcome === RequeueOutcome.NO_SUCH_JOB) throw new NoSuchJobError(id);
}
