/**
 * Worker maintenance, as `rq worker` runs it at start and every `maintenance_interval` (§7.2, §6.11, §7.8):
 * under RQ's per-queue `rq:clean_registries:<queue>` lock, expire finished and failed entries, fail (or
 * retry) abandoned started jobs, fail jobs stuck in the intermediate list, and drop dead workers from the
 * worker sets. Whoever abandoned a job — a Python or a Node worker — it is cleaned the same way.
 */
import { randomUUID } from 'node:crypto';
import type { Connection, Reply } from '../connection.js';
import { Group } from '../groups.js';
import { Job } from '../job.js';
import * as keys from '../keys.js';
import { compress, fieldsFromReply, formatDatetime, nowMicros, recordFromFields } from '../record.js';
import type { Serializer } from '../serializers/serializer.js';
import { runCallback } from './callbacks.js';
import { resolveHandler, type Handler } from './execute.js';
import { FINISH_JOBS, finishJobsArgs, finishReply } from './scripts.js';

export interface MaintenanceContext {
  connection: Connection;
  serializer: Serializer;
  queues: readonly string[];
  /** This worker's name (its hash is declared to the finish script, never written for cleaned jobs). */
  worker: string;
  handlers: Readonly<Record<string, Handler>>;
  defaultResultTtl: number;
  logger: Pick<Console, 'info' | 'warn' | 'error'>;
}

/** RQ's lock TTL for a queue's registry cleaning. */
const CLEAN_LOCK_TTL = 899;
/** RQ 1.16.2+: an id is failed once it has sat in the intermediate list, unstarted, this long. */
const INTERMEDIATE_GRACE = 60;
const FIRST_SEEN_TTL = 86_400;

/** One maintenance pass over every queue of the worker. */
export async function runMaintenance(ctx: MaintenanceContext): Promise<void> {
  for (const queue of ctx.queues) {
    const lock = keys.cleanRegistriesLockKey(queue);
    if ((await ctx.connection.command(['SET', lock, '1', 'NX', 'EX', String(CLEAN_LOCK_TTL)])) === null) continue;
    try {
      const now = String(Date.now() / 1000);
      await ctx.connection.pipeline([
        ['ZREMRANGEBYSCORE', keys.registryKeys.finished(queue), '0', now],
        ['ZREMRANGEBYSCORE', keys.registryKeys.failed(queue), '0', now],
      ]);
      await cleanStarted(ctx, queue);
      await cleanIntermediate(ctx, queue);
      await cleanWorkers(ctx, keys.queueWorkersKey(queue));
    } finally {
      await ctx.connection.command(['DEL', lock]);
    }
  }
  await cleanWorkers(ctx, keys.workersKey());
  // RQ 2.x workers clean groups after their registries (Group.clean_registries), with no lock.
  await Group.cleanRegistries({ connection: ctx.connection });
}

/** Abandoned jobs: started-registry entries whose heartbeat score has passed. */
async function cleanStarted(ctx: MaintenanceContext, queue: string): Promise<void> {
  const members = ((await ctx.connection.command(['ZRANGEBYSCORE', keys.registryKeys.started(queue), '0', String(Date.now() / 1000)])) as Buffer[]).map(String);
  for (const member of members) {
    // `J:E` on RQ 2.x, `J` on 1.x; job ids never hold ':'.
    const [id, executionId = ''] = member.split(':') as [string, string?];
    const text = `Moved to FailedJobRegistry, due to AbandonedJobError, at ${formatDatetime(nowMicros())}`;
    await failJob(ctx, queue, id, member, executionId, 'abandoned', text);
  }
}

/** Ids left in the intermediate list without a started-registry entry (a worker died between pop and start). */
async function cleanIntermediate(ctx: MaintenanceContext, queue: string): Promise<void> {
  const intermediate = keys.intermediateQueueKey(queue);
  const ids = ((await ctx.connection.command(['LRANGE', intermediate, '0', '-1'])) as Buffer[]).map(String);
  if (ids.length === 0) return;
  const started = new Set(((await ctx.connection.command(['ZRANGE', keys.registryKeys.started(queue), '0', '-1'])) as Buffer[]).map((m) => String(m).split(':')[0]));
  for (const id of ids) {
    if (started.has(id)) continue;
    const origin = await ctx.connection.command(['HGET', keys.jobKey(id), 'origin']);
    if (origin === null || String(origin) !== queue) {
      await ctx.connection.command(['LREM', intermediate, '1', id]);
      continue;
    }
    const firstSeenKey = keys.intermediateFirstSeenKey(queue, id);
    await ctx.connection.command(['SET', firstSeenKey, String(Date.now() / 1000), 'NX', 'EX', String(FIRST_SEEN_TTL)]);
    const firstSeen = Number(await ctx.connection.command(['GET', firstSeenKey]));
    if (Date.now() / 1000 - firstSeen < INTERMEDIATE_GRACE) continue;
    await failJob(ctx, queue, id, id, '', 'stuck', 'Job was stuck in intermediate queue.');
    await ctx.connection.pipeline([['LREM', intermediate, '1', id], ['DEL', firstSeenKey]]);
  }
}

/**
 * Fail (or retry) a job on behalf of a worker that is gone, running its JS failure callback first as RQ runs
 * it in whichever process cleans up. A Python failure callback cannot run here: it is logged, not dropped silently.
 */
async function failJob(ctx: MaintenanceContext, queue: string, id: string, member: string, executionId: string, why: 'abandoned' | 'stuck', text: string): Promise<void> {
  const fields = fieldsFromReply(await ctx.connection.command(['HGETALL', keys.jobKey(id)]));
  if (fields.has('data')) {
    try {
      const record = recordFromFields(id, fields);
      const name = record.failureCallbackName;
      const fn = name ? resolveHandler(name, ctx.handlers) : undefined;
      if (name && fn) {
        const job = Job.fromRecord(record, ctx.connection, ctx.serializer);
        await runCallback({ name, fn, timeout: record.failureCallbackTimeout ?? 60 }, job, ctx.connection, 'AbandonedJobError', '', text)
          .catch((e) => ctx.logger.warn(`rqts maintenance: job ${id}: on_failure callback failed: ${String(e?.excString ?? e).trim().split('\n').pop()}`));
      } else if (name) {
        ctx.logger.warn(`rqts maintenance: job ${id}: its on_failure callback ${name} is not a JS function; a Python worker's maintenance would run it`);
      }
    } catch (error) {
      ctx.logger.warn(`rqts maintenance: job ${id}: ${(error as Error)?.message ?? error}`);
    }
  }
  const end = nowMicros();
  const finish = finishJobsArgs(
    { worker: ctx.worker, defaultResultTtl: ctx.defaultResultTtl, claimsTtl: 3_600, layout: 2, defaultTimeout: 0, queues: [], counters: null },
    [{
      outcome: why, jobId: id, origin: queue, executionId: executionId || 'none', member, endMicros: end, endDatetime: formatDatetime(end),
      executionStartedAt: end / 1e6, returnValue: '', excString: compress(Buffer.from(text, 'utf8')).toString('base64'),
      // Never a success here; the dependencies set is expired with the job whether or not it exists.
      resultTtl: '', hasDependencies: true,
      // Recorded under a token of its own, so a retry after a lost reply does not fail (or retry) the job twice.
      slot: 'maintenance', token: `m:${randomUUID()}`, othersRunning: 0, nextExecutionId: '', resend: true,
    }],
  );
  const [reply] = (await ctx.connection.script(FINISH_JOBS, finish.keys, finish.args)) as Reply[][];
  const [status] = finishReply(reply!);
  if (String(status) !== 'alive' && String(status) !== 'gone') ctx.logger.warn(`rqts maintenance: job ${id} (${why}): ${String(status)}`);
}

/** Drop worker keys whose hash has expired from a worker set (RQ's `clean_worker_registry`). */
async function cleanWorkers(ctx: MaintenanceContext, set: string): Promise<void> {
  const members = ((await ctx.connection.command(['SMEMBERS', set])) as Buffer[]).map(String);
  if (members.length === 0) return;
  const exists = await ctx.connection.pipeline(members.map((key) => ['EXISTS', key]));
  const dead = members.filter((_, i) => exists[i] === 0);
  if (dead.length > 0) await ctx.connection.command(['SREM', set, ...dead]);
}
