/**
 * Every Lua script rqts runs, each one atomic unit of work. Keys arrive in KEYS from `keys.ts`; no script
 * spells `rq:`. Run them with `Connection.script` (EVALSHA, EVAL on NOSCRIPT).
 */
import type { Arg } from './connection.js';
import { LuaScript } from './connection.js';
import * as keys from './keys.js';

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
  /** The group must be new and exists; nothing at all was written. Followed by its name. */
  GROUP_EXISTS: 6,
} as const;

/** How a job enters Redis: pushed, scheduled, or written queued without a push for a synchronous run (RQ's `is_async=False`). */
export type EnqueueMode = 'queue' | 'schedule' | 'sync';

/**
 * Write one or more jobs atomically: validate every dependency first, then for each job write its hash and
 * push it (protocol §6.1), defer it behind unfinished dependencies (§6.2) or schedule it (§6.4).
 *
 * ARGV[j] describes job j as one MessagePack array (one argument per job: node-redis writes each argument as
 * its own chunk, and forty small ones per job cost more than the Lua work): mode ('Q' queue | 'S' schedule)
 * · push ('L' | 'R' | 'N' = none: a synchronous run, RQ's `_enqueue_sync_job`) · ttl seconds or '' · unique ('1'|'0') · created_at (retry fingerprint) · job id ·
 * scheduled score · allow failed dependencies ('1'|'0') · deferred score · enqueued_at · [dependency ids] ·
 * [field, value, …] · group name or '' · group must be new ('1'|'0').
 * KEYS per job: rq:queues · job hash · queue list · dependents set · dependencies set · deferred registry ·
 *   scheduled registry · then per dependency: its job hash · its dependents set
 * Then, when the first job names a group (every job of a call joins the same one, RQ 2.x's `Group`):
 *   the group's set · rq:groups.
 * Returns one outcome per job ({@link EnqueueOutcome}), or {5, id} when a dependency is missing, or {6, name}
 * when the group must be new and exists.
 *
 * A dependency counts as met when it is `finished` (or `failed` with allow-failure: RQ would leave such a job
 * deferred for ever; rqts queues it, but writes the dependency records RQ writes). A client-made id plus
 * the created_at fingerprint (strictly increasing per process) make a retried call idempotent. Without
 * `unique`, an existing hash with that id is replaced as RQ replaces it, but deleted first so that no stale
 * field of the old job survives.
 */
const ENQUEUE_JOBS = new LuaScript(
  'enqueueJobs',
  `
local specs = {}
for j = 1, #ARGV do specs[j] = cmsgpack.unpack(ARGV[j]) end
-- pass 1: every dependency must exist in Redis or earlier in this batch
local batch, k = {}, 1
for _, s in ipairs(specs) do
  batch[s[6]] = true
  for d, depId in ipairs(s[11]) do
    if not batch[depId] and redis.call('EXISTS', KEYS[k + 5 + 2 * d]) == 0 then return {5, depId} end
  end
  k = k + 7 + 2 * #s[11]
end
local group = specs[1][13]
if group ~= '' and specs[1][14] == '1' and redis.call('EXISTS', KEYS[k]) == 1 then return {6, group} end
local members = {}
-- pass 2: write. Pushes to the back of one queue are gathered into one RPUSH (in order), and each queue is
-- added to the set of queues once: a batch of 1,000 then costs Redis a few commands instead of 2,000.
local out, pending, pendingQueue, known = {}, {}, nil, {}
local function flush()
  if #pending > 0 then redis.call('RPUSH', pendingQueue, unpack(pending)) end
  pending = {}
end
k = 1
for j, s in ipairs(specs) do
  local mode, push, ttl, unique, createdAt, id = s[1], s[2], s[3], s[4], s[5], s[6]
  local deps, fields = s[11], s[12]
  local jobKey, queueKey = KEYS[k + 1], KEYS[k + 2]
  local outcome
  local exists = redis.call('EXISTS', jobKey) == 1
  if exists and redis.call('HGET', jobKey, 'created_at') == createdAt then
    outcome = 2
  elseif exists and unique == '1' then
    outcome = 0
  else
    if exists then redis.call('DEL', jobKey) end
    local status, unfinished = 'queued', false
    if mode == 'S' then
      status = 'scheduled'
    else
      for d = 1, #deps do
        local ds = redis.call('HGET', KEYS[k + 5 + 2 * d], 'status')
        if ds and ds ~= 'finished' then unfinished = true end
        if ds and ds ~= 'finished' and not (s[8] == '1' and ds == 'failed') then status = 'deferred' end
      end
    end
    local hash = {'status', status}
    for f = 1, #fields do hash[f + 2] = fields[f] end
    if status == 'queued' then
      hash[#hash + 1] = 'enqueued_at'
      hash[#hash + 1] = s[10]
    end
    if not known[queueKey] then
      redis.call('SADD', KEYS[k], queueKey)
      known[queueKey] = true
    end
    redis.call('HSET', jobKey, unpack(hash))
    -- RQ registers the dependency (parents' dependents sets, the job's dependencies set) whenever a parent
    -- has not finished; a job queued because its failed parents are allowed keeps those records too.
    if unfinished then
      for d = 1, #deps do
        redis.call('SADD', KEYS[k + 6 + 2 * d], id)
        redis.call('SADD', KEYS[k + 4], deps[d])
      end
    end
    -- After the SADDs, so that the dependencies set expires with the job, as RQ's Job.cleanup(ttl) has it.
    if ttl ~= '' then
      redis.call('EXPIRE', jobKey, ttl)
      redis.call('EXPIRE', KEYS[k + 3], ttl)
      redis.call('EXPIRE', KEYS[k + 4], ttl)
    end
    if status == 'scheduled' then
      redis.call('ZADD', KEYS[k + 6], s[7], id)
      outcome = 4
    elseif status == 'deferred' then
      redis.call('ZADD', KEYS[k + 5], s[9], id)
      outcome = 3
    elseif push == 'N' then
      outcome = 1
    elseif push == 'L' then
      flush()
      redis.call('LPUSH', queueKey, id)
      outcome = 1
    else
      if pendingQueue ~= queueKey or #pending >= 1000 then flush() end
      pendingQueue = queueKey
      pending[#pending + 1] = id
      outcome = 1
    end
  end
  out[j] = outcome
  if outcome ~= 0 and group ~= '' then members[#members + 1] = id end
  k = k + 7 + 2 * #deps
end
flush()
if #members > 0 then
  for i = 1, #members, 1000 do redis.call('SADD', KEYS[k], unpack(members, i, math.min(i + 999, #members))) end
  redis.call('SADD', KEYS[k + 1], group)
end
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
  /** RQ datetime string written as enqueued_at when the job is queued at once. */
  enqueuedAt: string;
  /** Whole epoch seconds (mode `schedule`). */
  scheduledScore?: number;
  dependencyIds: readonly string[];
  allowDependencyFailures: boolean;
  /** Score in the deferred registry (see `dependencies.ts`). */
  deferredScore: string;
  /** The record's fields, without `status` and `enqueued_at` (the script sets those). */
  fields: Arg[];
  /** The group every job of the call joins (read from the first spec), and whether it must be new. */
  group?: { name: string; isNew: boolean };
}

/** KEYS and ARGV for {@link ENQUEUE_JOBS}; pure, so it is unit-tested without Redis. */
export function enqueueJobsArgs(specs: readonly EnqueueSpec[]): { script: LuaScript; keys: string[]; args: Arg[] } {
  const k: string[] = [];
  const a: Arg[] = [];
  for (const s of specs) {
    k.push(
      keys.queuesKey(), keys.jobKey(s.jobId), keys.queueKey(s.queue), keys.dependentsKey(s.jobId),
      keys.dependenciesKey(s.jobId), keys.registryKeys.deferred(s.queue), keys.registryKeys.scheduled(s.queue),
    );
    for (const dep of s.dependencyIds) k.push(keys.jobKey(dep), keys.dependentsKey(dep));
    a.push(
      packArray([
        s.mode === 'schedule' ? 'S' : 'Q', s.mode === 'sync' ? 'N' : s.atFront ? 'L' : 'R', s.ttl === null ? '' : String(s.ttl), s.unique ? '1' : '0',
        s.createdAt, s.jobId, String(s.scheduledScore ?? ''), s.allowDependencyFailures ? '1' : '0', s.deferredScore,
        s.enqueuedAt, s.dependencyIds, s.fields, s.group?.name ?? '', s.group?.isNew ? '1' : '0',
      ]),
    );
  }
  const group = specs[0]?.group;
  if (group) k.push(keys.groupKey(group.name), keys.groupsKey());
  return { script: ENQUEUE_JOBS, keys: k, args: a };
}

/**
 * MessagePack for what the enqueue script reads: arrays of byte strings, nested once. Everything is written
 * as `str` (Lua strings are bytes; cmsgpack does not check UTF-8), so Buffers pass through unchanged.
 */
export function packArray(items: readonly (Arg | readonly Arg[])[]): Buffer {
  // Flatten once, measuring each string once; then write everything into one buffer (this runs per job).
  const values: Arg[] = [];
  const lengths: number[] = [];
  const arrays: number[] = []; // for each item: -1 for a string, else the length of the nested array
  let size = arrayHeaderSize(items.length);
  const add = (v: Arg): void => {
    const n = typeof v === 'string' ? Buffer.byteLength(v) : v.length;
    values.push(v);
    lengths.push(n);
    size += stringHeaderSize(n) + n;
  };
  for (const item of items) {
    if (typeof item === 'string' || Buffer.isBuffer(item)) {
      arrays.push(-1);
      add(item);
    } else {
      arrays.push(item.length);
      size += arrayHeaderSize(item.length);
      for (const v of item) add(v);
    }
  }
  const out = Buffer.allocUnsafe(size);
  let at = writeArrayHeader(out, 0, items.length);
  let next = 0;
  for (const count of arrays) {
    if (count >= 0) at = writeArrayHeader(out, at, count);
    for (let i = 0; i < (count < 0 ? 1 : count); i++, next++) {
      const v = values[next]!;
      at = writeStringHeader(out, at, lengths[next]!);
      at += typeof v === 'string' ? out.write(v, at, 'utf8') : v.copy(out, at);
    }
  }
  return out;
}

const arrayHeaderSize = (n: number): number => (n < 16 ? 1 : n < 0x10000 ? 3 : 5);
const stringHeaderSize = (n: number): number => (n < 32 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : 5);

function writeArrayHeader(out: Buffer, at: number, n: number): number {
  if (n < 16) return out.writeUInt8(0x90 | n, at);
  if (n < 0x10000) return out.writeUInt16BE(n, out.writeUInt8(0xdc, at));
  return out.writeUInt32BE(n, out.writeUInt8(0xdd, at));
}

function writeStringHeader(out: Buffer, at: number, n: number): number {
  if (n < 32) return out.writeUInt8(0xa0 | n, at);
  if (n < 0x100) return out.writeUInt8(n, out.writeUInt8(0xd9, at));
  if (n < 0x10000) return out.writeUInt16BE(n, out.writeUInt8(0xda, at));
  return out.writeUInt32BE(n, out.writeUInt8(0xdb, at));
}

// ---------------------------------------------------------------------------------------------------------
// Job and queue operations.

/**
 * Lua shared by cancel, delete and requeue: take job ARGV[1] out of its queue list and every registry.
 * KEYS[1..8]: job hash · queue list · started · finished · failed · deferred · scheduled · canceled ·
 * KEYS[9]: the job's executions zset (RQ 2.0+ started-registry members are `<id>:<execution id>`).
 */
const UNLINK_JOB = `
local function unlink(id)
  redis.call('LREM', KEYS[2], 0, id)
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
export const CANCEL_JOB = new LuaScript(
  'cancelJob',
  `${UNLINK_JOB}
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return 0 end
if status == 'canceled' then return -1 end
unlink(ARGV[1])
redis.call('HSET', KEYS[1], 'status', 'canceled')
redis.call('ZADD', KEYS[8], ARGV[2], ARGV[1])
return 1
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
 * KEYS 1–9 as {@link jobOperationKeys}, KEYS[10] dependents · KEYS[11] dependencies · KEYS[12] group set
 * (or ''), ARGV[1] job id · ARGV[2] execution key prefix of this job. Returns 1, or 0 when it did not exist.
 */
export const DELETE_JOB = new LuaScript(
  'deleteJob',
  `${UNLINK_JOB}
local existed = redis.call('EXISTS', KEYS[1])
unlink(ARGV[1])
for _, e in ipairs(redis.call('ZRANGE', KEYS[9], 0, -1)) do redis.call('DEL', ARGV[2] .. e) end
if KEYS[12] ~= '' then redis.call('SREM', KEYS[12], ARGV[1]) end
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
 * ARGV[2] dependents key suffix. Returns how many ids were removed.
 */
export const EMPTY_QUEUE = new LuaScript(
  'emptyQueue',
  `
local count = 0
while true do
  local id = redis.call('LPOP', KEYS[1])
  if not id then break end
  redis.call('DEL', ARGV[1] .. id, ARGV[1] .. id .. ARGV[2])
  count = count + 1
end
return count
`,
);

/** ARGV for {@link EMPTY_QUEUE}. */
export const emptyQueueArgs = (): string[] => [keys.JOB_PREFIX, keys.DEPENDENTS_SUFFIX];

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
