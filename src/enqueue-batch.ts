/**
 * Enqueue calls issued in the same tick on one connection go to Redis together, in script calls of up to
 * {@link MAX_BATCH_JOBS} jobs (100 enqueues in flight are exactly that): Redis runs a few scripts instead of
 * a hundred and node-redis sends a few commands. Each call is still validated on its own before anything is
 * sent, and written or refused on its own: the script checks every call's dependencies separately, so a missing dependency of
 * one call never fails its neighbours. A connection error rejects every call of the batch, as it would have
 * rejected each of them sent alone.
 */
import type { Connection } from './connection.js';
import { enqueueJobsArgs, readEnqueueReply, type EnqueueCallReply, type EnqueueSpec } from './scripts.js';

/**
 * A shared script call is sent as soon as it carries this many jobs, without waiting for the end of the
 * tick: Redis then writes one batch while the client encodes the next (with everything in one script, the
 * two would take turns: measured, 100 in flight ran at the sum of client and Redis time per job). A call
 * this big or bigger goes alone.
 */
export const MAX_BATCH_JOBS = 32;

interface Batch {
  calls: (readonly EnqueueSpec[])[];
  jobs: number;
  waiters: { resolve(reply: EnqueueCallReply): void; reject(error: unknown): void }[];
  sent: boolean;
}

const open = new WeakMap<Connection, Batch>();

/** Write one call's jobs, sharing a script call with the calls issued in the same tick. */
export function writeJobs(connection: Connection, specs: readonly EnqueueSpec[]): Promise<EnqueueCallReply> {
  let batch = open.get(connection);
  if (specs.length >= MAX_BATCH_JOBS) {
    // Calls reach Redis in the order they were made: one may depend on a job of an earlier one.
    if (batch) dispatch(connection, batch);
    return send(connection, [specs]).then((replies) => replies[0]!);
  }
  if (batch && batch.jobs + specs.length > MAX_BATCH_JOBS) {
    dispatch(connection, batch);
    batch = undefined;
  }
  if (!batch) {
    const fresh: Batch = { calls: [], jobs: 0, waiters: [], sent: false };
    open.set(connection, fresh);
    // After the microtasks of this tick: every enqueue that continuation code issues now joins the batch.
    process.nextTick(() => dispatch(connection, fresh));
    batch = fresh;
  }
  batch.calls.push(specs);
  batch.jobs += specs.length;
  const joined = batch;
  const reply = new Promise<EnqueueCallReply>((resolve, reject) => joined.waiters.push({ resolve, reject }));
  if (joined.jobs >= MAX_BATCH_JOBS) dispatch(connection, joined);
  return reply;
}

function dispatch(connection: Connection, batch: Batch): void {
  if (batch.sent) return;
  batch.sent = true;
  if (open.get(connection) === batch) open.delete(connection);
  send(connection, batch.calls).then(
    (replies) => batch.waiters.forEach((w, i) => w.resolve(replies[i]!)),
    (error: unknown) => batch.waiters.forEach((w) => w.reject(error)),
  );
}

async function send(connection: Connection, calls: readonly (readonly EnqueueSpec[])[]): Promise<EnqueueCallReply[]> {
  const { script, keys, args } = enqueueJobsArgs(calls);
  return readEnqueueReply(await connection.script(script, keys, args), calls.length);
}
