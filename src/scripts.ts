/**
 * Every Lua script rqts runs, each one atomic unit of work. Keys arrive in KEYS from `keys.ts`; no script
 * spells `rq:`. Run them with `Connection.script` (EVALSHA, EVAL on NOSCRIPT).
 */
import type { Arg } from './connection.js';
import { LuaScript } from './connection.js';
import { RqtsError } from './errors.js';
import { pack, type Packable } from './msgpack.js';
import * as keys from './keys.js';
import { FUTURE_FIELD, FutureOpOutcome, FutureState, ReleaseOutcome } from './protocol.js';

/** What {@link ENQUEUE_JOBS} reports for each job. */
export const EnqueueOutcome = {
  /** Another job already has this id and `unique` was asked for; nothing was written. */
  DUPLICATE: 0,
  /** Written and pushed onto its queue. */
  QUEUED: 1,
  /** This very write had already landed (a retry after a lost reply); nothing was written twice. */
  ALREADY_WRITTEN: 2,
  /** Written as deferred: a dependency has not finished yet. */
  DEFERRED: 3,
  /** Written into the scheduled registry. */
  SCHEDULED: 4,
  /** A dependency does not exist; nothing at all was written. Followed by the missing id. */
  MISSING_DEPENDENCY: 5,
  /** `blockedBy` names a job that does not exist; nothing was written. Followed by its id. */
  MISSING_FUTURE: 6,
  /** `blockedBy` names a job that is not a future; nothing was written. Followed by its id. */
  NOT_A_FUTURE: 7,
  /** `blockedBy` names a future that was released already; nothing was written. Followed by its id. */
  FUTURE_RELEASED: 8,
  /** `blockedBy` names a future that is no longer deferred (canceled); followed by its id and status. */
  FUTURE_NOT_DEFERRED: 9,
  /** The call's group must be new and exists; nothing of the call was written. Followed by its name. */
  GROUP_EXISTS: 10,
} as const;

/**
 * How a job enters Redis: pushed (or deferred behind dependencies), scheduled, written queued without a push
 * for a synchronous run (RQ's `is_async=False`), created as a future (`deferred: true`), or held for a future
 * (`blockedBy`).
 */
export type EnqueueMode = 'queue' | 'schedule' | 'sync' | 'future' | 'blocked';
const MODE_CODES: Record<EnqueueMode, string> = { queue: 'Q', schedule: 'S', sync: 'Q', future: 'F', blocked: 'B' };

/**
 * Write the jobs of one or more enqueue calls: for each call, validate every dependency first, then for each
 * job write its hash and push it (protocol §6.1), defer it behind unfinished dependencies (§6.2) or schedule
 * it (§6.4); or write a future or a job held for one (`deferred.ts`). Calls are independent: one that fails
 * validation writes nothing and does not stop the others (enqueues issued in the same tick share one script
 * call, see `enqueue-batch.ts`); each call is all or nothing.
 *
 * ARGV[1] is one MessagePack array of calls (one argument in all: node-redis writes each argument as its own
 * chunk, and thousands of small ones cost more than the Lua work). A call: group name or '' · group must be
 * new ('1'|'0') · key index of the group's set · of rq:groups (0 without a group; RQ 2.x's `Group`, which
 * every job of the call joins) · [jobs]. A job:
 * mode ('Q' queue | 'S' schedule | 'F' future | 'B' blocked by a future) · push ('L' | 'R' | 'N' = none: a
 * synchronous run, RQ's `_enqueue_sync_job`) · ttl seconds or '' · unique ('1'|'0') · created_at (retry
 * fingerprint) · job id · scheduled score · allow failed dependencies ('1'|'0') · deferred score ·
 * [dependency ids] · [field, value, …] · [key indexes] · future id ('B') · hold entry ('B').
 * The fields start with `status` and the status the client expects (queued, scheduled or deferred); a 'Q'
 * job's end with `enqueued_at`, which the script drops when unfinished dependencies defer the job.
 * Key indexes point into KEYS, which holds each key once (the queue, the registries and rq:queues are shared
 * by a batch): rq:queues · job hash · queue list · dependents set · dependencies set · deferred registry ·
 * scheduled registry · then per dependency: its job hash · its dependents set · then, for 'B' only: the
 * future's job hash · its dependencies set · its hold list. Index 0 marks a key the job cannot touch (the
 * script declares only keys it may use): dependents without ttl or 'B', dependencies without ttl,
 * dependencies or 'F', the deferred registry without dependencies, 'F' or 'B', the scheduled one unless 'S'.
 * Returns, per call, {0, {outcome per job}} ({@link EnqueueOutcome}), or {5, id} when a dependency is
 * missing, or {6|7|8|9, future id, status} when a `blockedBy` future is missing, not a future, released or
 * not deferred, or {10, name} when the group must be new and exists (or another call of the batch makes it).
 *
 * A dependency counts as met when it is `finished` (or `failed` with allow-failure: RQ would leave such a job
 * deferred for ever; rqts queues it, but writes the dependency records RQ writes). A client-made id plus
 * the created_at fingerprint (strictly increasing per process) make a retried call idempotent. Without
 * `unique`, an existing hash with that id is replaced as RQ replaces it, but deleted first so that no stale
 * field of the old job survives.
 *
 * A future ('F') is deferred whatever its dependencies, and waits on itself (its id in its own dependencies
 * set) until released, so no stock worker enqueues it early. A held job ('B') is deferred with no dependency;
 * the future comes to depend on it in stock terms: the held job's dependents set gets the future, the
 * future's dependencies set and `dependency_ids` get the held job, and its hold list gets `queue/id`.
 */
const ENQUEUE_JOBS = new LuaScript(
  'enqueueJobs',
  `
local calls = cmsgpack.unpack(ARGV[1])
-- pass 1, per call: every dependency must exist in Redis or earlier in this script call (in a call that
-- passed); every future of a held job must be a future that is still held (or one created earlier).
local batch, failed, newGroups = {}, {}, {}
for c, call in ipairs(calls) do
  local added, err = {}, nil
  local group = call[1]
  if group ~= '' and call[2] == '1' and (newGroups[group] or redis.call('EXISTS', KEYS[call[3]]) == 1) then
    err = {10, group}
  end
  for _, s in ipairs(err and {} or call[5]) do
    local ki, deps = s[12], s[10]
    for d, depId in ipairs(deps) do
      if not batch[depId] and not added[depId] and redis.call('EXISTS', KEYS[ki[6 + 2 * d]]) == 0 then
        err = {5, depId}
        break
      end
    end
    if err then break end
    if s[1] == 'B' then
      local fid = s[13]
      if (added[fid] or batch[fid]) ~= 'F' then
        local f = redis.call('HMGET', KEYS[ki[8 + 2 * #deps]], 'status', '${FUTURE_FIELD}')
        if not f[1] then err = {6, fid, ''}
        elseif f[2] == '${FutureState.RELEASED}' then err = {8, fid, f[1]}
        elseif f[2] ~= '${FutureState.HELD}' then err = {7, fid, f[1]}
        elseif f[1] ~= 'deferred' then err = {9, fid, f[1]} end
        if err then break end
      end
    end
    added[s[6]] = s[1]
  end
  if err then
    failed[c] = err
  else
    for id, mode in pairs(added) do batch[id] = mode end
    if group ~= '' then newGroups[group] = true end
  end
end
-- pass 2: write. Pushes to the back of one queue are gathered into one RPUSH (in order), and each queue is
-- added to the set of queues once: a batch of 1,000 then costs Redis a few commands instead of 2,000.
local out, pending, pendingQueue, known = {}, {}, nil, {}
local function flush()
  if #pending > 0 then redis.call('RPUSH', pendingQueue, unpack(pending)) end
  pending = {}
end
local function write(s)
  local mode, push, ttl, unique, createdAt, id = s[1], s[2], s[3], s[4], s[5], s[6]
  local deps, fields, ki = s[10], s[11], s[12]
  local jobKey, queueKey = KEYS[ki[2]], KEYS[ki[3]]
  local exists = redis.call('EXISTS', jobKey) == 1
  if exists and redis.call('HGET', jobKey, 'created_at') == createdAt then return 2 end
  if exists and unique == '1' then return 0 end
  if exists then redis.call('DEL', jobKey) end
  local status, unfinished = fields[2], mode == 'F' or mode == 'B'
  if mode == 'Q' then
    for d = 1, #deps do
      local ds = redis.call('HGET', KEYS[ki[6 + 2 * d]], 'status')
      if ds and ds ~= 'finished' then unfinished = true end
      if ds and ds ~= 'finished' and not (s[8] == '1' and ds == 'failed') then status = 'deferred' end
    end
    if status ~= 'queued' then
      fields[2] = status
      fields[#fields] = nil
      fields[#fields] = nil
    end
  end
  if not known[queueKey] then
    redis.call('SADD', KEYS[ki[1]], queueKey)
    known[queueKey] = true
  end
  redis.call('HSET', jobKey, unpack(fields))
  -- RQ registers the dependency (parents' dependents sets, the job's dependencies set) whenever a parent
  -- has not finished; a job queued because its failed parents are allowed keeps those records too.
  if unfinished then
    for d = 1, #deps do
      redis.call('SADD', KEYS[ki[7 + 2 * d]], id)
      redis.call('SADD', KEYS[ki[5]], deps[d])
    end
  end
  if mode == 'F' then redis.call('SADD', KEYS[ki[5]], id) end
  if mode == 'B' then
    local f = 8 + 2 * #deps
    local fid = s[13]
    redis.call('SADD', KEYS[ki[4]], fid)
    redis.call('SADD', KEYS[ki[f + 1]], id)
    redis.call('RPUSH', KEYS[ki[f + 2]], s[14])
    -- dependency_ids as Python's json.dumps writes a list (ids never need escaping)
    local futureKey = KEYS[ki[f]]
    local ids = redis.call('HGET', futureKey, 'dependency_ids')
    if not ids or ids == '[]' then
      redis.call('HSET', futureKey, 'dependency_ids', '["' .. id .. '"]', 'dependency_id', id)
    else
      redis.call('HSET', futureKey, 'dependency_ids', string.sub(ids, 1, -2) .. ', "' .. id .. '"]')
    end
    local pttl = redis.call('PTTL', futureKey)
    if pttl > 0 then
      redis.call('PEXPIRE', KEYS[ki[f + 1]], pttl)
      redis.call('PEXPIRE', KEYS[ki[f + 2]], pttl)
    end
  end
  -- After the SADDs, so that the dependencies set expires with the job, as RQ's Job.cleanup(ttl) has it.
  if ttl ~= '' then
    redis.call('EXPIRE', jobKey, ttl)
    redis.call('EXPIRE', KEYS[ki[4]], ttl)
    redis.call('EXPIRE', KEYS[ki[5]], ttl)
  end
  if status == 'scheduled' then
    redis.call('ZADD', KEYS[ki[7]], s[7], id)
    return 4
  elseif status == 'deferred' then
    redis.call('ZADD', KEYS[ki[6]], s[9], id)
    return 3
  elseif push == 'L' then
    flush()
    redis.call('LPUSH', queueKey, id)
  elseif push == 'R' then
    if pendingQueue ~= queueKey or #pending >= 1000 then flush() end
    pendingQueue = queueKey
    pending[#pending + 1] = id
  end
  return 1
end
for c, call in ipairs(calls) do
  if failed[c] then
    out[c] = failed[c]
  else
    local outcomes, members = {}, {}
    for j, s in ipairs(call[5]) do
      outcomes[j] = write(s)
      if outcomes[j] ~= 0 and call[1] ~= '' then members[#members + 1] = s[6] end
    end
    if #members > 0 then
      for i = 1, #members, 1000 do redis.call('SADD', KEYS[call[3]], unpack(members, i, math.min(i + 999, #members))) end
      redis.call('SADD', KEYS[call[4]], call[1])
    end
    out[c] = {0, outcomes}
  end
end
flush()
return out
`,
);

/** One job to write with {@link ENQUEUE_JOBS}. */
export interface EnqueueSpec {
  mode: EnqueueMode;
  queue: string;
  jobId: string;
  /** Push to the head when queued at once. */
  atFront: boolean;
  ttl: number | null;
  unique: boolean;
  /** RQ datetime string; written as created_at and used as the retry fingerprint. */
  createdAt: string;
  /** Whole epoch seconds (mode `schedule`). */
  scheduledScore?: number;
  dependencyIds: readonly string[];
  allowDependencyFailures: boolean;
  /** Score in the deferred registry (see `dependencies.ts`). */
  deferredScore: string;
  /** The future a `blocked` job is held for. */
  futureId?: string;
  /**
   * The record's fields: `status` first with {@link expectedStatus}, and for `queue`/`sync` jobs
   * `enqueued_at` last (the script drops it when the job turns out deferred).
   */
  fields: Arg[];
  /** The group every job of the call joins (read from the call's first job), and whether it must be new. */
  group?: { name: string; isNew: boolean };
}

/** The status a job of this mode gets unless unfinished dependencies defer it. */
export function expectedStatus(mode: EnqueueMode): 'queued' | 'scheduled' | 'deferred' {
  return mode === 'schedule' ? 'scheduled' : mode === 'future' || mode === 'blocked' ? 'deferred' : 'queued';
}

/** What {@link ENQUEUE_JOBS} answers for one call: outcomes per job, or why nothing of it was written. */
export type EnqueueCallReply =
  | { written: true; outcomes: number[] }
  | { written: false; code: number; id: string; status: string };

/** KEYS and ARGV for {@link ENQUEUE_JOBS} writing these calls; pure, so it is unit-tested without Redis. */
export function enqueueJobsArgs(calls: readonly (readonly EnqueueSpec[])[]): { script: LuaScript; keys: string[]; args: Arg[] } {
  const k: string[] = [];
  // Keys a batch shares (rq:queues, a queue, its registries) are declared once; a job's own keys are
  // simply appended (duplicates would be harmless).
  const shared = new Map<string, number>();
  const once = (key: string): number => {
    let i = shared.get(key);
    if (i === undefined) {
      i = k.push(key);
      shared.set(key, i);
    }
    return i;
  };
  const queues = once(keys.queuesKey());
  const packed = calls.map((call): Packable => {
    const group = call[0]?.group;
    const head: Packable[] = group
      ? [group.name, group.isNew ? '1' : '0', once(keys.groupKey(group.name)), once(keys.groupsKey())]
      : ['', '0', 0, 0];
    return [...head, call.map((s): Packable => {
    const deps = s.dependencyIds;
    const blocked = s.mode === 'blocked' && s.futureId !== undefined;
    const ttl = s.ttl !== null;
    const ki: number[] = [
      queues, k.push(keys.jobKey(s.jobId)), once(keys.queueKey(s.queue)),
      ttl || blocked ? k.push(keys.dependentsKey(s.jobId)) : 0,
      ttl || deps.length > 0 || s.mode === 'future' ? k.push(keys.dependenciesKey(s.jobId)) : 0,
      deps.length > 0 || s.mode === 'future' || blocked ? once(keys.registryKeys.deferred(s.queue)) : 0,
      s.mode === 'schedule' ? once(keys.registryKeys.scheduled(s.queue)) : 0,
    ];
    for (const dep of deps) ki.push(k.push(keys.jobKey(dep)), k.push(keys.dependentsKey(dep)));
    if (blocked) ki.push(k.push(keys.jobKey(s.futureId!)), k.push(keys.dependenciesKey(s.futureId!)), k.push(keys.heldJobsKey(s.futureId!)));
    const tuple: Packable[] = [
      MODE_CODES[s.mode], s.mode === 'sync' ? 'N' : s.atFront ? 'L' : 'R', ttl ? String(s.ttl) : '', s.unique ? '1' : '0',
      s.createdAt, s.jobId, s.scheduledScore === undefined ? '' : String(s.scheduledScore), s.allowDependencyFailures ? '1' : '0',
      s.deferredScore, deps, s.fields as Packable, ki,
    ];
    if (blocked) tuple.push(s.futureId!, keys.heldJobEntry(s.queue, s.jobId));
    return tuple;
  })];
  });
  return { script: ENQUEUE_JOBS, keys: k, args: [pack(packed)] };
}

/** The script's reply → one {@link EnqueueCallReply} per call. */
export function readEnqueueReply(reply: unknown, calls: number): EnqueueCallReply[] {
  if (!Array.isArray(reply) || reply.length !== calls) throw new RqtsError(`Unexpected reply from the enqueue script: ${String(reply)}`);
  return reply.map((r: unknown): EnqueueCallReply => {
    if (!Array.isArray(r)) throw new RqtsError(`Unexpected reply from the enqueue script: ${String(r)}`);
    const [code, a, b] = r as [unknown, unknown, unknown];
    if (code === 0 && Array.isArray(a)) return { written: true, outcomes: a.map(Number) };
    return { written: false, code: Number(code), id: String(a ?? ''), status: String(b ?? '') };
  });
}

// ---------------------------------------------------------------------------------------------------------
// Job and queue operations.

/**
 * Lua shared by cancel, delete and requeue: take job ARGV[1] out of its queue list and every registry.
 * KEYS[1..8]: job hash · queue list · started · finished · failed · deferred · scheduled · canceled ·
 * KEYS[9]: the job's executions zset (RQ 2.0+ started-registry members are `<id>:<execution id>`).
 */
const UNLINK_JOB = `
local function unlink(id, keepInQueue)
  if not keepInQueue then redis.call('LREM', KEYS[2], 0, id) end
  for i = 3, 8 do redis.call('ZREM', KEYS[i], id) end
  for _, e in ipairs(redis.call('ZRANGE', KEYS[9], 0, -1)) do redis.call('ZREM', KEYS[3], id .. ':' .. e) end
end
`;

/** KEYS 1–9 of the job-operation scripts for a job of `queue`. */
export function jobOperationKeys(jobId: string, queue: string): string[] {
  return [
    keys.jobKey(jobId), keys.queueKey(queue), keys.registryKeys.started(queue), keys.registryKeys.finished(queue),
    keys.registryKeys.failed(queue), keys.registryKeys.deferred(queue), keys.registryKeys.scheduled(queue),
    keys.registryKeys.canceled(queue), keys.executionsKey(jobId),
  ];
}

/**
 * Cancel a job (protocol §6.9): status `canceled`, out of its queue and registries, into the canceled
 * registry. KEYS 1–9 as {@link jobOperationKeys}. ARGV[1] job id · ARGV[2] now (epoch seconds).
 * Returns 1 canceled, 0 no such job, -1 already canceled.
 */
/** What {@link CANCEL_JOB} returns. */
export const CancelOutcome = {
  /** No such job hash. */
  NO_SUCH_JOB: 0,
  /** Canceled now. */
  CANCELED: 1,
  /** It was canceled already. */
  ALREADY_CANCELED: -1,
} as const;

/** Lua shared by both cancel scripts: stop unless the job exists and is not canceled yet. */
const CANCEL_GUARD = `local status = redis.call('HGET', KEYS[1], 'status')
if not status then return ${CancelOutcome.NO_SUCH_JOB} end
if status == 'canceled' then return ${CancelOutcome.ALREADY_CANCELED} end`;

/** Lua shared by both cancel scripts: out of its queue and registries, canceled, in the canceled registry. */
const CANCEL_MARK = `unlink(ARGV[1])
redis.call('HSET', KEYS[1], 'status', 'canceled')
redis.call('ZADD', KEYS[8], ARGV[2], ARGV[1])
return ${CancelOutcome.CANCELED}`;

export const CANCEL_JOB = new LuaScript(
  'cancelJob',
  `${UNLINK_JOB}
${CANCEL_GUARD}
${CANCEL_MARK}
`,
);

/**
 * Cancel with RQ 2.x's options (`Job.cancel(enqueue_dependents=, remove_from_dependencies=)`): as
 * {@link CANCEL_JOB}, then drop the job from its dependencies' dependents sets, and queue each dependent
 * whose other dependencies are met (finished, or failed where it allows failures), as RQ's
 * `enqueue_dependents(exclude_job_id=)` does.
 * KEYS 1–9 as {@link jobOperationKeys} · [10] this job's dependents set · [11] rq:queues · then one dependents
 * set per dependency to leave · then per dependent: its hash, its deferred registry, its queue list, then the
 * hash of each of its other dependencies.
 * ARGV[1] job id · [2] canceled-registry score · [3] now (RQ datetime) · [4] number of dependencies to leave ·
 * [5] number of dependents · then per dependent: its id, how many other dependencies it has.
 * Returns 1, 0 when the job does not exist, -1 when it is already canceled.
 */
export const CANCEL_JOB_WITH_OPTIONS = new LuaScript(
  'cancelJobWithOptions',
  `${UNLINK_JOB}
${CANCEL_GUARD}
local k = 12
for _ = 1, tonumber(ARGV[4]) do
  redis.call('SREM', KEYS[k], ARGV[1])
  k = k + 1
end
local a, total, released = 6, tonumber(ARGV[5]), {}
for _ = 1, total do
  local x, others = ARGV[a], tonumber(ARGV[a + 1])
  local xs = redis.call('HMGET', KEYS[k], 'status', 'allow_dependency_failures', 'enqueue_at_front')
  local allow = xs[2] == '1'
  local met = xs[1] and xs[1] ~= 'canceled'
  for d = 1, others do
    local ds = redis.call('HGET', KEYS[k + 2 + d], 'status')
    if ds and ds ~= 'finished' and not (allow and ds == 'failed') then met = false end
  end
  if met then
    redis.call('ZREM', KEYS[k + 1], x)
    redis.call('HSET', KEYS[k], 'status', 'queued', 'enqueued_at', ARGV[3])
    redis.call('SADD', KEYS[11], KEYS[k + 2])
    redis.call(xs[3] == '1' and 'LPUSH' or 'RPUSH', KEYS[k + 2], x)
    released[#released + 1] = x
  end
  k = k + 3 + others
  a = a + 2
end
if total > 0 and #released == total then
  redis.call('DEL', KEYS[10])
elseif #released > 0 then
  redis.call('SREM', KEYS[10], unpack(released))
end
${CANCEL_MARK}
`,
);

/**
 * Cancel a job that has not started (a group's `cancel()`): as {@link CANCEL_JOB}, only when its status is
 * queued, deferred or scheduled, checked in the same atomic step. Returns 1 canceled, 0 no such job, -1 not
 * waiting (started, ended or canceled already).
 */
export const CANCEL_WAITING_JOB = new LuaScript(
  'cancelWaitingJob',
  `${UNLINK_JOB}
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return 0 end
if status ~= 'queued' and status ~= 'deferred' and status ~= 'scheduled' then return -1 end
unlink(ARGV[1])
redis.call('HSET', KEYS[1], 'status', 'canceled')
redis.call('ZADD', KEYS[8], ARGV[2], ARGV[1])
return 1
`,
);

/**
 * Delete a job (protocol §6.9): out of its queue and registries, its execution records, its group, then
 * the hash, dependents and dependencies keys. The results stream is left, as RQ leaves it.
 * KEYS 1–9 as {@link jobOperationKeys}, KEYS[10] dependents · KEYS[11] dependencies · KEYS[12] the group
 * set, only when the job has a group (a script declares only real keys), ARGV[1] job id · ARGV[2] execution
 * key prefix of this job · ARGV[3] '0' to leave the id in the queue list (RQ's `remove_from_queue=False`).
 * Returns 1, or 0 when it did not exist.
 */
export const DELETE_JOB = new LuaScript(
  'deleteJob',
  `${UNLINK_JOB}
local existed = redis.call('EXISTS', KEYS[1])
unlink(ARGV[1], ARGV[3] == '0')
for _, e in ipairs(redis.call('ZRANGE', KEYS[9], 0, -1)) do redis.call('DEL', ARGV[2] .. e) end
if #KEYS >= 12 then redis.call('SREM', KEYS[12], ARGV[1]) end
redis.call('DEL', KEYS[1], KEYS[9], KEYS[10], KEYS[11])
return existed
`,
);

/**
 * Requeue a job from a registry (RQ's `BaseRegistry.requeue` / `FailedJobRegistry.requeue`): it must be in
 * that registry; clear `started_at`/`ended_at`, set `exc_info` to zlib('') as RQ does, status `queued`,
 * push it. KEYS 1–9 as {@link jobOperationKeys}, KEYS[10] the registry, KEYS[11] rq:queues.
 * ARGV[1] job id · ARGV[2] enqueued_at · ARGV[3] 'L' or 'R' · ARGV[4] zlib('') · ARGV[5] the queue key.
 * Returns 1 requeued, 0 not in that registry, -1 no such job.
 */
/** What {@link REQUEUE_JOB} returns. */
export const RequeueOutcome = {
  /** The job id is not in the registry. */
  NOT_IN_REGISTRY: 0,
  /** Moved back onto its queue. */
  REQUEUED: 1,
  /** In the registry, but its hash is gone (the stale entry was removed). */
  NO_SUCH_JOB: -1,
} as const;

export const REQUEUE_JOB = new LuaScript(
  'requeueJob',
  `${UNLINK_JOB}
local inRegistry = redis.call('ZSCORE', KEYS[10], ARGV[1])
if not inRegistry then
  for _, e in ipairs(redis.call('ZRANGE', KEYS[9], 0, -1)) do
    if redis.call('ZSCORE', KEYS[10], ARGV[1] .. ':' .. e) then inRegistry = true end
  end
end
if not inRegistry then return 0 end
if redis.call('EXISTS', KEYS[1]) == 0 then
  redis.call('ZREM', KEYS[10], ARGV[1])
  return -1
end
unlink(ARGV[1])
redis.call('SADD', KEYS[11], ARGV[5])
redis.call('HSET', KEYS[1], 'status', 'queued', 'started_at', '', 'ended_at', '', 'exc_info', ARGV[4], 'enqueued_at', ARGV[2])
redis.call(ARGV[3] == 'L' and 'LPUSH' or 'RPUSH', KEYS[2], ARGV[1])
return 1
`,
);

/**
 * Empty a queue as RQ's `Queue.empty` does: pop every id and delete its hash and dependents set (not the
 * registries, the dependencies set or results). KEYS[1] the queue list · ARGV[1] job key prefix ·
 * ARGV[2] dependents key suffix · ARGV[3] at most this many ids, 0 for all (`rqts empty` goes in slices
 * to show progress and leave Redis free between them). Returns how many ids were removed.
 */
export const EMPTY_QUEUE = new LuaScript(
  'emptyQueue',
  `
local count = 0
local limit = tonumber(ARGV[3])
while limit == 0 or count < limit do
  local id = redis.call('LPOP', KEYS[1])
  if not id then break end
  redis.call('DEL', ARGV[1] .. id, ARGV[1] .. id .. ARGV[2])
  count = count + 1
end
return count
`,
);

/**
 * Drop ids whose job hash is gone from a queue list, keeping the order (RQ's `Queue.compact`).
 * KEYS[1] the queue list · KEYS[2..n] the job hashes of ARGV[1..n-1], the ids read just before; an id
 * pushed since is kept. Returns how many ids were removed.
 */
export const COMPACT_QUEUE = new LuaScript(
  'compactQueue',
  `
local known = {}
for i = 1, #ARGV do known[ARGV[i]] = KEYS[i + 1] end
local ids = redis.call('LRANGE', KEYS[1], 0, -1)
local keep = {}
for _, id in ipairs(ids) do
  local key = known[id]
  if not key or redis.call('EXISTS', key) == 1 then keep[#keep + 1] = id end
end
if #keep == #ids then return 0 end
redis.call('DEL', KEYS[1])
for i = 1, #keep, 1000 do redis.call('RPUSH', KEYS[1], unpack(keep, i, math.min(i + 999, #keep))) end
return #ids - #keep
`,
);

/** ARGV for {@link EMPTY_QUEUE}: every id, or at most `limit`. */
export const emptyQueueArgs = (limit = 0): string[] => [keys.JOB_PREFIX, keys.DEPENDENTS_SUFFIX, String(limit)];

/** Write `meta` only if the job hash exists. KEYS[1] job hash · ARGV[1] serialized meta. Returns 1 or 0. */
export const SAVE_META = new LuaScript(
  'saveMeta',
  `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'meta', ARGV[1])
return 1
`,
);

/**
 * Record a JS task run by `isAsync: false` as RQ 2.x's `Queue.run_sync` records a job (it never pushes the id
 * onto the queue, writes no started-registry entry, and does not enqueue dependents):
 * success: `finished` with `started_at`, `ended_at`, `worker_name` `sync`, a type-1 results entry, the
 * finished registry and `result_ttl` TTLs (0 deletes the job); failure: `failed`, a type-2 entry, the failed
 * registry and `failure_ttl` TTLs. The job hash is persisted first, as `Job.perform` does.
 *
 * KEYS[1] job · [2] dependents · [3] dependencies · [4] results stream · [5] finished · [6] failed
 * ARGV[1] 'success' | 'failure' · [2] job id · [3] started_at · [4] ended_at · [5] now (epoch seconds) ·
 * [6] return value, base64 ('' = None) · [7] exc_string, base64 of zlib · [8] default result ttl ·
 * [9] default failure ttl
 * Returns 'finished' | 'failed' | 'deleted' | 'gone'.
 */
export const SYNC_FINISH = new LuaScript(
  'syncFinish',
  `
local job, id, now = KEYS[1], ARGV[2], tonumber(ARGV[5])
if redis.call('EXISTS', job) == 0 then return 'gone' end
redis.call('PERSIST', job)
local function expireJob(ttl)
  for i = 1, 3 do redis.call('EXPIRE', KEYS[i], ttl) end
end
local function addResult(fields, ttl)
  local args = {KEYS[4], 'MAXLEN', '~', '10', '*', 'worker_name', ''}
  for _, v in ipairs(fields) do args[#args + 1] = v end
  redis.call('XADD', unpack(args))
  if ttl == -1 then redis.call('PERSIST', KEYS[4]) elseif ttl then redis.call('EXPIRE', KEYS[4], ttl) end
end
redis.call('HSET', job, 'started_at', ARGV[3], 'last_heartbeat', ARGV[3], 'worker_name', 'sync')
if ARGV[1] == 'success' then
  local ttl = tonumber(redis.call('HGET', job, 'result_ttl') or '') or tonumber(ARGV[8])
  redis.call('HSET', job, 'status', 'finished', 'ended_at', ARGV[4])
  if ARGV[6] ~= '' then addResult({'type', '1', 'return_value', ARGV[6]}, ttl) else addResult({'type', '1'}, ttl) end
  if ttl == 0 then
    redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
    return 'deleted'
  end
  redis.call('ZADD', KEYS[5], ttl < 0 and '+inf' or now + ttl, id)
  if ttl > 0 then expireJob(ttl) end
  return 'finished'
end
local fttl = tonumber(redis.call('HGET', job, 'failure_ttl') or '')
redis.call('HSET', job, 'status', 'failed', 'ended_at', '')
local ttl = fttl or tonumber(ARGV[9])
redis.call('ZADD', KEYS[6], ttl < 0 and ttl or now + ttl, id)
if ttl > 0 then expireJob(ttl) end
addResult({'type', '2', 'exc_string', ARGV[7]}, fttl)
return 'failed'
`,
);

export interface SyncFinishArgs {
  outcome: 'success' | 'failure';
  jobId: string;
  origin: string;
  startedAt: string;
  endedAt: string;
  nowSeconds: number;
  returnValue: string;
  excString: string;
  defaultResultTtl: number;
  defaultFailureTtl: number;
}

/** KEYS and ARGV for {@link SYNC_FINISH}; pure. */
export function syncFinishArgs(a: SyncFinishArgs): { keys: string[]; args: Arg[] } {
  return {
    keys: [
      keys.jobKey(a.jobId), keys.dependentsKey(a.jobId), keys.dependenciesKey(a.jobId), keys.resultsKey(a.jobId),
      keys.registryKeys.finished(a.origin), keys.registryKeys.failed(a.origin),
    ],
    args: [
      a.outcome, a.jobId, a.startedAt, a.endedAt, String(a.nowSeconds), a.returnValue, a.excString, String(a.defaultResultTtl),
      String(a.defaultFailureTtl),
    ],
  };
}
// ---------------------------------------------------------------------------------------------------------
// Futures (deferred.ts). Each script gets the hold list and the dependencies set as the caller read them,
// declares every key they lead to, and answers STALE when either changed meanwhile (the caller re-reads).

/**
 * Lua shared by the future scripts: is the hold list (KEYS[h]) still ARGV[a+1 .. a+n] in order, and the
 * dependencies set (KEYS[d]) still exactly ARGV[b+1 .. b+m]?
 */
/**
 * Lua shared by {@link CANCEL_FUTURE} and {@link DELETE_FUTURE}: the future (ARGV[1]) leaves the dependents set
 * of each of its m dependencies (ARGV[4 + n + 1 …], itself excepted), whose keys start at KEYS[first].
 */
const LEAVE_DEPENDENCIES = `
local function leaveDependencies(id, n, m, first)
  local d = 0
  for i = 1, m do
    if ARGV[4 + n + i] ~= id then
      redis.call('SREM', KEYS[first + d], id)
      d = d + 1
    end
  end
end
`;

const SNAPSHOT_MATCHES = `
local function snapshotMatches(h, a, n, d, b, m)
  local held = redis.call('LRANGE', KEYS[h], 0, -1)
  if #held ~= n then return false end
  for i = 1, n do if held[i] ~= ARGV[a + i] then return false end end
  if redis.call('SCARD', KEYS[d]) ~= m then return false end
  for i = 1, m do if redis.call('SISMEMBER', KEYS[d], ARGV[b + i]) == 0 then return false end end
  return true
end
`;

/**
 * Release a future ({@link ReleaseOutcome}): every held job that is still deferred leaves its deferred
 * registry for its queue (status `queued`, `enqueued_at`, LPUSH when it asked for the front); the future stops
 * waiting on itself, is marked released, and is queued too when every remaining dependency is met (gone,
 * `finished`, or `failed` when it allows failures); otherwise a stock worker queues it after the last one.
 * KEYS[1] future hash · [2] its dependencies set · [3] its hold list · [4] its queue list · [5] its deferred
 * registry · [6] rq:queues · then per held job: its hash · its queue list · its deferred registry · then per
 * dependency (other than the future itself): its hash.
 * ARGV[1] future id · [2] enqueued_at · [3] n held · [4] m dependencies · then the n hold entries · then the m
 * dependency ids as read (the future's own id included when present).
 */
export const RELEASE_FUTURE = new LuaScript(
  'releaseFuture',
  `${SNAPSHOT_MATCHES}
local id, now, n, m = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local f = redis.call('HMGET', KEYS[1], 'status', '${FUTURE_FIELD}', 'allow_dependency_failures', 'enqueue_at_front')
if not f[1] then return {${ReleaseOutcome.NO_SUCH_JOB}} end
if f[2] == '${FutureState.RELEASED}' then return {${ReleaseOutcome.ALREADY_RELEASED}} end
if f[2] ~= '${FutureState.HELD}' then return {${ReleaseOutcome.NOT_A_FUTURE}, f[1]} end
if f[1] ~= 'deferred' then return {${ReleaseOutcome.NOT_DEFERRED}, f[1]} end
if not snapshotMatches(3, 4, n, 2, 4 + n, m) then return {${ReleaseOutcome.STALE}} end
local released = 0
for i = 1, n do
  local hKey, qKey, dKey = KEYS[4 + 3 * i], KEYS[5 + 3 * i], KEYS[6 + 3 * i]
  local h = redis.call('HMGET', hKey, 'status', 'enqueue_at_front')
  if h[1] == 'deferred' then
    local hid = string.match(ARGV[4 + i], '([^/]+)$')
    redis.call('ZREM', dKey, hid)
    redis.call('HSET', hKey, 'status', 'queued', 'enqueued_at', now)
    redis.call('SADD', KEYS[6], qKey)
    redis.call(h[2] == '1' and 'LPUSH' or 'RPUSH', qKey, hid)
    released = released + 1
  end
end
redis.call('SREM', KEYS[2], id)
redis.call('DEL', KEYS[3])
redis.call('HSET', KEYS[1], '${FUTURE_FIELD}', '${FutureState.RELEASED}')
local met, d = true, 0
for i = 1, m do
  local dep = ARGV[4 + n + i]
  if dep ~= id then
    d = d + 1
    local ds = redis.call('HGET', KEYS[6 + 3 * n + d], 'status')
    if ds and ds ~= 'finished' and not (f[3] == '1' and ds == 'failed') then met = false end
  end
end
if met then
  redis.call('ZREM', KEYS[5], id)
  redis.call('HSET', KEYS[1], 'status', 'queued', 'enqueued_at', now)
  redis.call('SADD', KEYS[6], KEYS[4])
  redis.call(f[4] == '1' and 'LPUSH' or 'RPUSH', KEYS[4], id)
end
return {${ReleaseOutcome.RELEASED}, released, met and 1 or 0}
`,
);

/** KEYS and ARGV for {@link RELEASE_FUTURE} from the hold list and dependencies set as read. */
export function releaseFutureArgs(future: { id: string; queue: string }, held: readonly string[], dependencyIds: readonly string[], enqueuedAt: string): { keys: string[]; args: string[] } {
  const k = [
    keys.jobKey(future.id), keys.dependenciesKey(future.id), keys.heldJobsKey(future.id), keys.queueKey(future.queue),
    keys.registryKeys.deferred(future.queue), keys.queuesKey(),
  ];
  for (const entry of held) {
    const { queue, id } = keys.parseHeldJobEntry(entry);
    k.push(keys.jobKey(id), keys.queueKey(queue), keys.registryKeys.deferred(queue));
  }
  for (const dep of dependencyIds) if (dep !== future.id) k.push(keys.jobKey(dep));
  return { keys: k, args: [future.id, enqueuedAt, String(held.length), String(dependencyIds.length), ...held, ...dependencyIds] };
}

/**
 * Cancel a future ({@link FutureOpOutcome}). Not released yet: every held job that is still deferred is
 * canceled with it (out of its deferred registry, into its canceled registry) and the hold list goes. Either
 * way the future leaves the dependents set of everything it waits on, so that no worker queues it later (RQ
 * 1.13 does not check a dependent's status), and is canceled as {@link CANCEL_JOB} cancels.
 * KEYS 1–9 as {@link jobOperationKeys} · [10] its dependencies set · [11] its hold list · then per held job:
 * its hash · its deferred registry · its canceled registry · then per dependency (not itself): its dependents
 * set. ARGV[1] future id · [2] now · [3] n held · [4] m dependencies · the n hold entries · the m ids as read.
 */
export const CANCEL_FUTURE = new LuaScript(
  'cancelFuture',
  `${UNLINK_JOB}${SNAPSHOT_MATCHES}${LEAVE_DEPENDENCIES}
local id, now, n, m = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local f = redis.call('HMGET', KEYS[1], 'status', '${FUTURE_FIELD}')
if not f[1] then return ${FutureOpOutcome.NO_SUCH_JOB} end
if f[1] == 'canceled' then return ${FutureOpOutcome.ALREADY_CANCELED} end
if not snapshotMatches(11, 4, n, 10, 4 + n, m) then return ${FutureOpOutcome.STALE} end
if f[2] == '${FutureState.HELD}' then
  for i = 1, n do
    local hKey = KEYS[9 + 3 * i]
    local hid = string.match(ARGV[4 + i], '([^/]+)$')
    if redis.call('HGET', hKey, 'status') == 'deferred' then
      redis.call('ZREM', KEYS[10 + 3 * i], hid)
      redis.call('HSET', hKey, 'status', 'canceled')
      redis.call('ZADD', KEYS[11 + 3 * i], now, hid)
    end
  end
  redis.call('DEL', KEYS[11])
end
leaveDependencies(id, n, m, 12 + 3 * n)
unlink(id)
redis.call('HSET', KEYS[1], 'status', 'canceled')
redis.call('ZADD', KEYS[8], now, id)
return ${FutureOpOutcome.DONE}
`,
);

/** KEYS and ARGV for {@link CANCEL_FUTURE} and {@link DELETE_FUTURE}. */
export function futureOperationArgs(future: { id: string; queue: string }, held: readonly string[], dependencyIds: readonly string[], now: string, forDelete: boolean): { keys: string[]; args: string[] } {
  const k = [...jobOperationKeys(future.id, future.queue), keys.dependenciesKey(future.id), keys.heldJobsKey(future.id)];
  if (forDelete) k.push(keys.dependentsKey(future.id));
  for (const entry of held) {
    const { queue, id } = keys.parseHeldJobEntry(entry);
    k.push(keys.jobKey(id), keys.registryKeys.deferred(queue), keys.registryKeys.canceled(queue));
    if (forDelete) k.push(keys.dependentsKey(id), keys.dependenciesKey(id));
  }
  for (const dep of dependencyIds) if (dep !== future.id) k.push(keys.dependentsKey(dep));
  return { keys: k, args: [future.id, now, String(held.length), String(dependencyIds.length), ...held, ...dependencyIds] };
}

/**
 * Delete a future that is not released yet ({@link FutureOpOutcome}; STALE once it is released: a released
 * future is deleted like any job). Every held job goes too (hash, dependents and dependencies sets, deferred
 * and canceled registry entries); the future leaves the dependents set of everything it waits on, then goes as
 * {@link DELETE_JOB} deletes a job (it never ran, so it has no execution records).
 * KEYS 1–9 as {@link jobOperationKeys} · [10] its dependencies set · [11] its hold list · [12] its dependents
 * set · then per held job: its hash · deferred registry · canceled registry · dependents set · dependencies
 * set · then per dependency (not itself): its dependents set. ARGV as {@link CANCEL_FUTURE}.
 */
export const DELETE_FUTURE = new LuaScript(
  'deleteFuture',
  `${UNLINK_JOB}${SNAPSHOT_MATCHES}${LEAVE_DEPENDENCIES}
local id, n, m = ARGV[1], tonumber(ARGV[3]), tonumber(ARGV[4])
local f = redis.call('HMGET', KEYS[1], 'status', '${FUTURE_FIELD}')
if not f[1] then return ${FutureOpOutcome.NO_SUCH_JOB} end
if f[2] ~= '${FutureState.HELD}' or not snapshotMatches(11, 4, n, 10, 4 + n, m) then return ${FutureOpOutcome.STALE} end
for i = 1, n do
  local at = 12 + 5 * (i - 1)
  local hid = string.match(ARGV[4 + i], '([^/]+)$')
  redis.call('ZREM', KEYS[at + 2], hid)
  redis.call('ZREM', KEYS[at + 3], hid)
  redis.call('DEL', KEYS[at + 1], KEYS[at + 4], KEYS[at + 5])
end
leaveDependencies(id, n, m, 13 + 5 * n)
unlink(id)
redis.call('DEL', KEYS[1], KEYS[9], KEYS[10], KEYS[11], KEYS[12])
return ${FutureOpOutcome.DONE}
`,
);
