/**
 * The worker's Lua scripts (protocol §7): registration and death, starting a job, heartbeats, and finishing
 * a job (success, failure with retries, stop) with the dependents release of RQ 1.x–2.10 (§6.2), which every
 * supported version reads. Keys come from `keys.ts`, in KEYS or, where a script must derive them from an id
 * it reads (a finished job's dependents, the next job a finish starts), as prefixes in ARGV. RQ's keys have
 * no hash tags, so RQ runs on one Redis (not a cluster), where a derived key is safe.
 */
import { LuaScript, type Arg } from '../connection.js';
import * as keys from '../keys.js';

/**
 * Register a worker (protocol §7.1). KEYS[1] worker hash · KEYS[2] rq:workers · KEYS[3..] rq:workers:<q>.
 * ARGV[1] ttl · ARGV[2..] field, value, …, starting with 'birth', <datetime>. Returns 0 when a live worker of
 * that name exists, else 1 (also when the live worker is this registration, sent again after a lost reply).
 */
export const REGISTER_WORKER = new LuaScript(
  'registerWorker',
  `
if redis.call('EXISTS', KEYS[1]) == 1 and not redis.call('HGET', KEYS[1], 'death') then
  if ARGV[2] == 'birth' and redis.call('HGET', KEYS[1], 'birth') == ARGV[3] then return 1 end
  return 0
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('EXPIRE', KEYS[1], ARGV[1])
for i = 2, #KEYS do redis.call('SADD', KEYS[i], KEYS[1]) end
return 1
`,
);

/**
 * Idle heartbeat and suspension check, one step as RQ's main loop does it (§7.2): `last_heartbeat`, state and
 * TTL, only if the worker hash still exists. KEYS[1] worker hash · KEYS[2] rq:suspended.
 * ARGV[1] now (RQ datetime) · ARGV[2] ttl · ARGV[3] state when not suspended ('idle', or 'busy' while jobs run).
 * Returns 0 when the hash is gone, 2 when RQ is suspended (state `suspended`), else 1.
 */
export const WORKER_HEARTBEAT = new LuaScript(
  'workerHeartbeat',
  `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local suspended = redis.call('EXISTS', KEYS[2]) == 1
redis.call('HSET', KEYS[1], 'last_heartbeat', ARGV[1], 'state', suspended and 'suspended' or ARGV[3])
redis.call('EXPIRE', KEYS[1], ARGV[2])
if suspended then return 2 end
return 1
`,
);

/** Unregister (§7.2 "death"). KEYS as {@link REGISTER_WORKER}. ARGV[1] death datetime. */
export const WORKER_DEATH = new LuaScript(
  'workerDeath',
  `
for i = 2, #KEYS do redis.call('SREM', KEYS[i], KEYS[1]) end
redis.call('HSET', KEYS[1], 'death', ARGV[1], 'state', 'dead')
redis.call('EXPIRE', KEYS[1], 60)
return 1
`,
);

/**
 * Lua: a job's heartbeat TTL, RQ's `min(timeout, 30) + 60` (`30 + 60` for `timeout = -1`), from the `timeout`
 * among the fields HGETALL read (else the default); and marking it started (§7.3): execution records (RQ 2.x
 * layout), the started-registry entry, worker state, job status, PERSIST. Shared by {@link START_JOB} and
 * the start that {@link FINISH_JOB} folds into a finish.
 */
const MARK_STARTED = `
local function startedTtl(fields, defaultTimeout)
  local timeout
  for i = 1, #fields, 2 do
    if fields[i] == 'timeout' then
      timeout = tonumber(fields[i + 1])
      break
    end
  end
  timeout = timeout or tonumber(defaultTimeout)
  return (timeout < 0 and 30 or math.min(timeout, 30)) + 60
end

local function markStarted(job, id, ttl, executions, execution, started, member, worker, executionId, nowFloat, nowSeconds, nowDatetime, workerName, layout, workerFields)
  local score = tonumber(nowSeconds) + ttl
  if layout == '2' then
    redis.call('HSET', execution, 'id', executionId, 'created_at', nowFloat, 'last_heartbeat', nowFloat, 'job_id', id, 'worker_name', workerName)
    redis.call('EXPIRE', execution, ttl)
    redis.call('ZADD', executions, score + 60, executionId)
    redis.call('EXPIRE', executions, ttl + 60)
  end
  redis.call('ZADD', started, score, member)
  local w = {'state', 'busy', 'current_job', id, 'current_job_working_time', '0', 'last_heartbeat', nowDatetime}
  for _, v in ipairs(workerFields or {}) do w[#w + 1] = v end
  redis.call('HSET', worker, unpack(w))
  redis.call('EXPIRE', worker, ttl)
  redis.call('HSET', job, 'status', 'started', 'started_at', nowDatetime, 'worker_name', workerName, 'last_heartbeat', nowDatetime)
  redis.call('PERSIST', job)
end
`;

/**
 * Mark a job started (§7.3), in one step so that maintenance never sees it in limbo, and read it in the same
 * round trip: execution records (RQ 2.x layout), the started-registry entry, worker state, job status,
 * PERSIST. The id is either one a finish script moved into the intermediate list (dropped from there), or
 * claimed here from the head of its queue (`head`: only if it is still there; never in limbo). A `head`
 * claim is recorded in the worker's claims hash under the execution id, so the script sent again after a
 * lost reply starts the same job instead of reporting it taken. The heartbeat TTL is RQ's
 * `min(timeout, 30) + 60` (`30 + 60` for `timeout = -1`), computed from the job's own `timeout`.
 * KEYS[1] job · KEYS[2] intermediate list · KEYS[3] started registry · KEYS[4] executions zset · KEYS[5]
 * execution hash · KEYS[6] worker hash · KEYS[7] queue list · KEYS[8] the worker's claims hash ·
 * KEYS[9] rq:suspended (a `head` claim takes nothing while RQ is suspended).
 * ARGV[1] job id · ARGV[2] execution id · ARGV[3] now (epoch float) · ARGV[4] now (RQ datetime) ·
 * ARGV[5] now (whole epoch seconds) · ARGV[6] default job timeout · ARGV[7] worker name · ARGV[8]
 * started-registry member · ARGV[9] '2' for the RQ 2.x layout, '1' for 1.x · ARGV[10] 'popped' or 'head' ·
 * ARGV[11] the slot's field in the claims hash · ARGV[12] claims hash ttl.
 * Returns -2 when a `head` claim finds RQ suspended, -1 when it finds another id at the head (someone else
 * took it), 0 when the job hash
 * is gone (the id is then dropped), else `{ttl, field, value, …}`: the job hash as HGETALL read it before
 * `status`, `started_at`, `worker_name` and `last_heartbeat` were set (see {@link startedFields}).
 */
export const START_JOB = new LuaScript(
  'startJob',
  `${MARK_STARTED}
if ARGV[10] == 'head' then
  local claim = 's:' .. ARGV[2] .. '|started|1|' .. ARGV[1]
  if redis.call('HGET', KEYS[8], ARGV[11]) ~= claim then
    if redis.call('EXISTS', KEYS[9]) == 1 then return -2 end
    if redis.call('LINDEX', KEYS[7], 0) ~= ARGV[1] then return -1 end
    redis.call('LPOP', KEYS[7])
    redis.call('HSET', KEYS[8], ARGV[11], claim)
    redis.call('EXPIRE', KEYS[8], ARGV[12])
  end
else
  redis.call('LREM', KEYS[2], 1, ARGV[1])
end
-- Read first (one call for existence, timeout and the reply); the caller applies the four fields set below.
local fields = redis.call('HGETALL', KEYS[1])
if #fields == 0 then return 0 end
local ttl = startedTtl(fields, ARGV[6])
markStarted(KEYS[1], ARGV[1], ttl, KEYS[4], KEYS[5], KEYS[3], ARGV[8], KEYS[6], ARGV[2], ARGV[3], ARGV[5], ARGV[4], ARGV[7], ARGV[9])
table.insert(fields, 1, ttl)
return fields
`,
);

/**
 * Heartbeat while a job runs (§7.4): keep the started-registry score in the future, or Python maintenance
 * declares the job abandoned. KEYS as {@link START_JOB}. ARGV[1] now (RQ datetime) · ARGV[2] now (epoch
 * float) · ARGV[3] started-registry score · ARGV[4] member · ARGV[5] heartbeat ttl · ARGV[6] execution id ·
 * ARGV[7] executions score · ARGV[8] executions ttl · ARGV[9] working seconds · ARGV[10] layout.
 */
export const JOB_HEARTBEAT = new LuaScript(
  'jobHeartbeat',
  `
redis.call('HSET', KEYS[6], 'last_heartbeat', ARGV[1], 'current_job_working_time', ARGV[9])
redis.call('EXPIRE', KEYS[6], ARGV[5])
redis.call('ZADD', KEYS[3], 'XX', ARGV[3], ARGV[4])
if ARGV[10] == '2' then
  redis.call('HSET', KEYS[5], 'last_heartbeat', ARGV[2])
  redis.call('EXPIRE', KEYS[5], ARGV[5])
  redis.call('ZADD', KEYS[4], ARGV[7], ARGV[6])
  redis.call('EXPIRE', KEYS[4], ARGV[8])
end
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'last_heartbeat', ARGV[1]) end
return 1
`,
);

/**
 * Take up to N ids for free slots, in queue order, each into its queue's intermediate list as RQ's BLMOVE
 * does (so a worker that dies before starting one leaves it where maintenance finds it); nothing while RQ is
 * suspended. The ids are recorded under the call's token in the worker's claims hash, so the script sent
 * again after a lost reply returns the same ids and takes no more.
 * KEYS[1] the worker's claims hash · KEYS[2] rq:suspended · KEYS[3..] pairs of a queue and its intermediate list.
 * ARGV[1] how many at most · ARGV[2] the caller's field · ARGV[3] token · ARGV[4] claims hash ttl.
 * Returns `{queueIndex, id, queueIndex, id, …}` (1-based among the pairs); empty when there was none.
 */
export const CLAIM_JOBS = new LuaScript(
  'claimJobs',
  `
local claim = redis.call('HGET', KEYS[1], ARGV[2])
if claim then
  local ok, record = pcall(cjson.decode, claim)
  if ok and type(record) == 'table' and record[1] == ARGV[3] then return record[2] end
end
local taken = {}
if redis.call('EXISTS', KEYS[2]) == 0 then
  local want = tonumber(ARGV[1]) * 2
  for i = 3, #KEYS, 2 do
    while #taken < want do
      local id = redis.call('LMOVE', KEYS[i], KEYS[i + 1], 'LEFT', 'RIGHT')
      if not id then break end
      taken[#taken + 1] = (i - 1) / 2
      taken[#taken + 1] = id
    end
  end
end
redis.call('HSET', KEYS[1], ARGV[2], cjson.encode({ARGV[3], taken}))
redis.call('EXPIRE', KEYS[1], ARGV[4])
return taken
`,
);

/** KEYS and ARGV for {@link CLAIM_JOBS}; pure. */
export function claimJobsArgs(a: { worker: string; queues: readonly string[]; count: number; slot: string; token: string; claimsTtl: number }): { keys: string[]; args: Arg[] } {
  return {
    keys: [keys.workerClaimsKey(a.worker), keys.suspendedKey(), ...a.queues.flatMap((q) => [keys.queueKey(q), keys.intermediateQueueKey(q)])],
    args: [String(a.count), a.slot, a.token, String(a.claimsTtl)],
  };
}

/** The KEYS of {@link JOB_HEARTBEAT} (and the first six of {@link START_JOB}'s). */
export function runningJobKeys(jobId: string, origin: string, executionId: string, worker: string): string[] {
  return [
    keys.jobKey(jobId), keys.intermediateQueueKey(origin), keys.registryKeys.started(origin), keys.executionsKey(jobId),
    keys.executionKey(jobId, executionId), keys.workerKey(worker),
  ];
}

/** The fields {@link START_JOB} sets on the job hash, applied to what it read: the hash as it now is. */
export function startedFields(read: Map<string, Buffer>, worker: string, nowDatetime: string): Map<string, Buffer> {
  const now = Buffer.from(nowDatetime);
  read.set('status', Buffer.from('started'));
  read.set('started_at', now);
  read.set('worker_name', Buffer.from(worker));
  read.set('last_heartbeat', now);
  return read;
}

/** How {@link START_JOB} takes the id: already moved into the intermediate list, or from the queue's head. */
export type Claim = 'popped' | 'head';

/** KEYS and ARGV for {@link START_JOB}; pure. */
export function startJobArgs(a: {
  jobId: string; origin: string; executionId: string; worker: string; nowMicros: number; nowDatetime: string;
  defaultTimeout: number; member: string; layout: 1 | 2; claim: Claim; slot: string; claimsTtl: number;
}): { keys: string[]; args: Arg[] } {
  return {
    keys: [...runningJobKeys(a.jobId, a.origin, a.executionId, a.worker), keys.queueKey(a.origin), keys.workerClaimsKey(a.worker), keys.suspendedKey()],
    args: [
      a.jobId, a.executionId, String(a.nowMicros / 1e6), a.nowDatetime, String(Math.floor(a.nowMicros / 1e6)), String(a.defaultTimeout),
      a.worker, a.member, String(a.layout), a.claim, a.slot, String(a.claimsTtl),
    ],
  };
}

/**
 * How a job ended, for {@link FINISH_JOB}. Maintenance fails jobs of dead workers as `abandoned` (a
 * started-registry entry whose score passed; skipped if a heartbeat renewed it) or `stuck` (left in the
 * intermediate list); neither touches this worker's counters.
 */
export type Outcome = 'success' | 'failure' | 'stopped' | 'abandoned' | 'stuck';

/**
 * Finish a job in one step (§7.5, §7.6): execution cleanup, worker counters, then by outcome —
 * success: `finished`, results entry type 1, TTLs from `result_ttl` (0 deletes the job), dependents released;
 * failure: a retry when `retries_left` > 0 (re-queued, or scheduled after its interval; no result entry),
 * else `failed`, results entry type 2, failure TTLs, and only dependents that allow failures released;
 * stopped: `stopped` in the failed registry, type 2 entry, no dependents released (RQ 2.8+).
 *
 * KEYS[1] job · [2] dependents · [3] dependencies · [4] results stream · [5] started registry ·
 * [6] executions zset · [7] execution hash · [8] worker hash · [9] finished · [10] failed · [11] scheduled ·
 * [12] queue list · [13] rq:queues · [14] rq:suspended · [15] the worker's claims hash · [16..] where the
 * next job is popped from, in order: pairs of a queue and its started registry
 * ARGV[1] outcome · [2] job id · [3] execution id · [4] started-registry member · [5] now (epoch seconds) ·
 * [6] now (RQ datetime) · [7] working seconds · [8] worker name · [9] return value, base64 ('' = None) ·
 * [10] exc_string, base64 of zlib · [11] execution started (epoch float) · [12] execution ended (epoch
 * float) · [13] the worker's default result ttl · [14] job key prefix · [15] queue key prefix ·
 * [16] deferred registry prefix · [17] + [18] dependencies key prefix and suffix · [19] prefetch: 'none' or
 * 'start' (pop the next job and start it, as {@link START_JOB} does, in this same step) · [20] how many other
 * jobs this worker is running (the worker turns `idle` at 0) · [21] the caller's field in the claims hash ·
 * [22] this call's token · [23] claims hash ttl · [24] the job's result_ttl as read when it started ('' when
 * unset) · [25] '1' when the job has dependencies · [26] + [27] + [28] this worker's successful and failed
 * job counts and total working time after this job (absolute; unused by maintenance) · for 'start':
 * [29] the next job's execution id · [30] '2' for the RQ 2.x layout, '1' for 1.x · [31] default job timeout ·
 * [32] executions key prefix · [33] + [34] execution key prefix and suffix · [35] + [36] started-registry
 * member prefix and suffix
 * Returns `{status}` or, when a job was started, `{status, nextId, queueIndex, ttl, field, value, …}`: status
 * 'finished' | 'failed' | 'stopped' | 'retried' | 'scheduled' | 'deleted' | 'gone' | 'alive' (an
 * abandoned-looking job whose heartbeat came back); the next job's id, the 1-based index of its queue among
 * the pairs, its heartbeat TTL and its hash as read before it was marked started (see {@link startedFields}).
 * The outcome is recorded under the token: sent again after a lost reply (same token), the script replies
 * as before (the next job's hash read again) and does nothing else — no second finish, no second pop.
 */
const FINISH_BODY = `
local job, outcome, id, now = KEYS[1], ARGV[1], ARGV[2], tonumber(ARGV[5])

-- the reply to a call sent again after a lost reply: the next job as it was started then
local function startedReply(status, nextId, index, fields)
  local reply = {status, nextId, index, startedTtl(fields, ARGV[31])}
  for _, v in ipairs(fields) do reply[#reply + 1] = v end
  return reply
end

local claim = redis.call('HGET', KEYS[15], ARGV[21])
if claim then
  local token, was, index, nextId = string.match(claim, '^([^|]*)|([^|]*)|([^|]*)|(.*)$')
  if token == ARGV[22] then
    if nextId == '' then return {was} end
    local fields = redis.call('HGETALL', ARGV[14] .. nextId)
    if #fields == 0 then return {was} end
    return startedReply(was, nextId, tonumber(index), fields)
  end
end

local function releaseDependents(parentFailed)
  local dependents = redis.call('SMEMBERS', KEYS[2])
  local released = {}
  for _, x in ipairs(dependents) do
    local xkey = ARGV[14] .. x
    local xs = redis.call('HMGET', xkey, 'status', 'origin', 'allow_dependency_failures', 'enqueue_at_front')
    local allow = xs[3] == '1'
    if xs[1] and xs[1] ~= 'canceled' and (not parentFailed or allow) then
      local met = true
      for _, d in ipairs(redis.call('SMEMBERS', ARGV[17] .. x .. ARGV[18])) do
        if d ~= id then
          local ds = redis.call('HGET', ARGV[14] .. d, 'status')
          if ds and ds ~= 'finished' and not (allow and ds == 'failed') then met = false end
        end
      end
      if met then
        local origin = xs[2] or ''
        redis.call('ZREM', ARGV[16] .. origin, x)
        redis.call('HSET', xkey, 'status', 'queued', 'enqueued_at', ARGV[6])
        redis.call('SADD', KEYS[13], ARGV[15] .. origin)
        redis.call(xs[4] == '1' and 'LPUSH' or 'RPUSH', ARGV[15] .. origin, x)
        released[#released + 1] = x
      end
    end
  end
  if #released > 0 and #released == #dependents then
    redis.call('DEL', KEYS[2])
  elseif #released > 0 then
    redis.call('SREM', KEYS[2], unpack(released))
  end
  return #dependents - #released
end

-- RQ's job.cleanup(ttl): the job and its dependents and dependencies sets; a set known not to exist is skipped
local function expireJob(ttl, dependentsLeft)
  redis.call('EXPIRE', KEYS[1], ttl)
  if dependentsLeft ~= 0 then redis.call('EXPIRE', KEYS[2], ttl) end
  if ARGV[25] == '1' then redis.call('EXPIRE', KEYS[3], ttl) end
end

local function addResult(fields)
  local args = {KEYS[4], 'MAXLEN', '~', '10', '*'}
  for _, v in ipairs(fields) do args[#args + 1] = v end
  for _, v in ipairs({'worker_name', ARGV[8], 'execution_id', ARGV[3], 'execution_started_at', ARGV[11], 'execution_ended_at', ARGV[12]}) do
    args[#args + 1] = v
  end
  redis.call('XADD', unpack(args))
end

local own = false
local function finish()
  -- maintenance of a job a dead worker left: act only if its heartbeat score is still in the past
  if outcome == 'abandoned' then
    local score = redis.call('ZSCORE', KEYS[5], ARGV[4])
    if not score or tonumber(score) >= now then return 'alive' end
  end
  -- execution cleanup and, for this worker's own jobs, worker counters (its state is set after the prefetch)
  redis.call('DEL', KEYS[7])
  redis.call('ZREM', KEYS[5], ARGV[4])
  redis.call('ZREM', KEYS[6], ARGV[3])
  if outcome == 'abandoned' or outcome == 'stuck' then
    outcome = 'failure'
  else
    own = true
  end
  if outcome == 'success' then
    -- result_ttl as the worker read it when the job started (RQ's worker uses its in-memory job too)
    local ttl = ARGV[24]
    if ttl == '' then ttl = ARGV[13] end
    if ttl == '0' then
      if redis.call('EXISTS', job) == 0 then return 'gone' end
      releaseDependents(false)
      redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
      return 'deleted'
    end
    -- A started job has status and last_heartbeat, so this sets at most one new field; three new fields
    -- mean the job was deleted while it ran: undo, and report it gone.
    if redis.call('HSET', job, 'status', 'finished', 'ended_at', ARGV[6], 'last_heartbeat', ARGV[6]) == 3 then
      redis.call('DEL', job)
      return 'gone'
    end
    if ARGV[9] ~= '' then addResult({'type', '1', 'return_value', ARGV[9]}) else addResult({'type', '1'}) end
    local dependentsLeft = releaseDependents(false)
    if ttl == '-1' then
      redis.call('PERSIST', KEYS[4])
      redis.call('ZADD', KEYS[9], '+inf', id)
    else
      redis.call('EXPIRE', KEYS[4], ttl)
      redis.call('ZADD', KEYS[9], now + tonumber(ttl), id)
      expireJob(ttl, dependentsLeft)
    end
    return 'finished'
  end

  if redis.call('EXISTS', job) == 0 then return 'gone' end
  if outcome == 'failure' then
    local left = tonumber(redis.call('HGET', job, 'retries_left') or '')
    if left and left > 0 then
      local ok, intervals = pcall(cjson.decode, redis.call('HGET', job, 'retry_intervals') or '[0]')
      if not ok or type(intervals) ~= 'table' or #intervals == 0 then intervals = {0} end
      local interval = tonumber(intervals[math.max(#intervals - left, 0) + 1]) or 0
      redis.call('HSET', job, 'retries_left', left - 1, 'ended_at', ARGV[6])
      if interval > 0 then
        redis.call('HSET', job, 'status', 'scheduled')
        redis.call('ZADD', KEYS[11], now + interval, id)
        return 'scheduled'
      end
      redis.call('HSET', job, 'status', 'queued', 'enqueued_at', ARGV[6])
      redis.call('SADD', KEYS[13], KEYS[12])
      local front = redis.call('HGET', job, 'enqueue_at_front_on_retry') == '1'
      redis.call(front and 'LPUSH' or 'RPUSH', KEYS[12], id)
      return 'retried'
    end
  end

  -- a final failure, or a stop
  local status = outcome == 'stopped' and 'stopped' or 'failed'
  redis.call('HSET', job, 'status', status, 'ended_at', ARGV[6], 'last_heartbeat', ARGV[6])
  local fttl = redis.call('HGET', job, 'failure_ttl')
  if fttl == '' then fttl = false end
  if fttl == '-1' then
    redis.call('PERSIST', job)
    redis.call('ZADD', KEYS[10], -1, id)
  else
    local ttl = tonumber(fttl or '31536000')
    redis.call('ZADD', KEYS[10], now + ttl, id)
    expireJob(ttl, -1)
  end
  addResult({'type', '2', 'exc_string', ARGV[10]})
  if fttl and fttl ~= '-1' then redis.call('EXPIRE', KEYS[4], fttl) end
  if outcome == 'failure' then releaseDependents(true) end
  return status
end

local status = finish()
-- this worker's counters, as absolute values (one worker process owns them)
local counters = {'successful_job_count', ARGV[26], 'failed_job_count', ARGV[27], 'total_working_time', ARGV[28]}
-- prefetch: pop the next job and start it in the same step, unless RQ is suspended (§7.2). Never in limbo
-- (queued nowhere, started nowhere), so it needs no intermediate list; an id whose job is gone is dropped and
-- the next one taken, as RQ's dequeue does. Its keys derive from its id, as the dependents' do above.
local nextId, index, fields = false, 0, nil
if ARGV[19] == 'start' and redis.call('EXISTS', KEYS[14]) == 0 then
  for i = 16, #KEYS, 2 do
    repeat
      local candidate = redis.call('LPOP', KEYS[i])
      if candidate then
        fields = redis.call('HGETALL', ARGV[14] .. candidate)
        if #fields > 0 then nextId, index = candidate, i end
      end
    until nextId or not candidate
    if nextId then break end
  end
end
if nextId then
  local ttl = startedTtl(fields, ARGV[31])
  markStarted(ARGV[14] .. nextId, nextId, ttl, ARGV[32] .. nextId, ARGV[33] .. nextId .. ARGV[34], KEYS[index + 1],
    ARGV[35] .. nextId .. ARGV[36], KEYS[8], ARGV[29], ARGV[12], ARGV[5], ARGV[6], ARGV[8], ARGV[30], counters)
  index = (index - 14) / 2
elseif own then
  if ARGV[20] == '0' then
    -- nothing else runs: current_job can only name this job (or one already gone)
    redis.call('HDEL', KEYS[8], 'current_job')
    redis.call('HSET', KEYS[8], 'state', 'idle', 'current_job_working_time', '0', unpack(counters))
  else
    if redis.call('HGET', KEYS[8], 'current_job') == id then redis.call('HDEL', KEYS[8], 'current_job') end
    redis.call('HSET', KEYS[8], unpack(counters))
  end
end
redis.call('HSET', KEYS[15], ARGV[21], ARGV[22] .. '|' .. status .. '|' .. index .. '|' .. (nextId or ''))
redis.call('EXPIRE', KEYS[15], ARGV[23])
if nextId then return startedReply(status, nextId, index, fields) end
return {status}
`;

/** The finish script above, for one job. */
export const FINISH_JOB = new LuaScript('finishJob', `${MARK_STARTED}${FINISH_BODY}`);

/**
 * {@link FINISH_JOB} for several jobs in one call: the finishes a worker's slots issue in the same tick
 * (concurrency > 1), each still recorded under its own token and replied to on its own. KEYS: each job's
 * keys in turn; ARGV[1] how many jobs, then per job its key count, its argument count and its arguments
 * (as {@link FINISH_JOB}'s). Returns one reply per job: {@link FINISH_JOB}'s, or `{'ERR', message}` when that
 * job's finish raised (the others are unaffected).
 */
export const FINISH_JOBS = new LuaScript(
  'finishJobs',
  `${MARK_STARTED}
local function finishOne(KEYS, ARGV)
${FINISH_BODY}
end

local replies, k, a = {}, 0, 2
for j = 1, tonumber(ARGV[1]) do
  local nk, na = tonumber(ARGV[a]), tonumber(ARGV[a + 1])
  local K, A = {}, {}
  for i = 1, nk do K[i] = KEYS[k + i] end
  for i = 1, na do A[i] = ARGV[a + 1 + i] end
  k, a = k + nk, a + 2 + na
  local ok, reply = pcall(finishOne, K, A)
  if ok then replies[j] = reply
  else replies[j] = {'ERR', type(reply) == 'table' and (reply.err or '?') or tostring(reply)} end
end
return replies
`,
);

/** KEYS and ARGV for {@link FINISH_JOBS} from each job's {@link finishJobArgs}; pure. */
export function finishJobsArgs(calls: readonly { keys: string[]; args: Arg[] }[]): { keys: string[]; args: Arg[] } {
  const keys: string[] = [];
  const args: Arg[] = [String(calls.length)];
  for (const call of calls) {
    keys.push(...call.keys);
    args.push(String(call.keys.length), String(call.args.length), ...call.args);
  }
  return { keys, args };
}

export interface FinishArgs {
  outcome: Outcome;
  jobId: string;
  origin: string;
  executionId: string;
  member: string;
  worker: string;
  nowSeconds: number;
  nowDatetime: string;
  workingSeconds: number;
  returnValue: string;
  excString: string;
  executionStartedAt: number;
  executionEndedAt: number;
  defaultResultTtl: number;
  /** Pop the next job from these queues and start it in the same round trip (RQ is not suspended). */
  prefetch: { mode: 'none' } | { mode: 'start'; queues: readonly string[]; executionId: string; layout: 1 | 2; defaultTimeout: number };
  /** Jobs this worker runs besides this one. */
  othersRunning: number;
  /** The caller's field in the claims hash and a token unique to this finish (the same when sent again). */
  slot: string;
  token: string;
  claimsTtl: number;
  /** The job's `result_ttl` field as read when it started ('' when unset). */
  resultTtl: string;
  /** Whether the job has dependencies (a dependencies set to expire with it). */
  hasDependencies: boolean;
  /** This worker's counters after this job (absolute: one process owns them); null for maintenance. */
  counters: { successful: number; failed: number; totalWorkingTime: number } | null;
}

/** Stands for a job id while a key is split into what comes before and after it. */
const ID_MARK = '\u0000';

/** KEYS[16..] of {@link FINISH_JOB} for a prefetch. */
function prefetchKeys(p: FinishArgs['prefetch']): string[] {
  if (p.mode === 'none') return [];
  return p.queues.flatMap((q) => [keys.queueKey(q), keys.registryKeys.started(q)]);
}

/** ARGV[29..] of {@link FINISH_JOB} for a prefetch: the next job's keys as prefixes and suffixes of its id. */
function prefetchArgs(p: FinishArgs['prefetch']): Arg[] {
  if (p.mode === 'none') return [];
  const around = (key: string): string[] => key.split(ID_MARK);
  const member = p.layout === 2 ? around(keys.startedMember(ID_MARK, p.executionId)) : ['', ''];
  return [
    p.executionId, String(p.layout), String(p.defaultTimeout), keys.executionsKey(''),
    ...around(keys.executionKey(ID_MARK, p.executionId)), ...member,
  ];
}

/** KEYS and ARGV for {@link FINISH_JOB}; pure. */
export function finishJobArgs(a: FinishArgs): { keys: string[]; args: Arg[] } {
  const [depsPrefix, depsSuffix] = keys.dependenciesKey(ID_MARK).split(ID_MARK) as [string, string];
  return {
    keys: [
      keys.jobKey(a.jobId), keys.dependentsKey(a.jobId), keys.dependenciesKey(a.jobId), keys.resultsKey(a.jobId),
      keys.registryKeys.started(a.origin), keys.executionsKey(a.jobId), keys.executionKey(a.jobId, a.executionId),
      keys.workerKey(a.worker), keys.registryKeys.finished(a.origin), keys.registryKeys.failed(a.origin),
      keys.registryKeys.scheduled(a.origin), keys.queueKey(a.origin), keys.queuesKey(), keys.suspendedKey(),
      keys.workerClaimsKey(a.worker), ...prefetchKeys(a.prefetch),
    ],
    args: [
      a.outcome, a.jobId, a.executionId, a.member, String(a.nowSeconds), a.nowDatetime, String(a.workingSeconds), a.worker,
      a.returnValue, a.excString, String(a.executionStartedAt), String(a.executionEndedAt), String(a.defaultResultTtl),
      keys.JOB_PREFIX, keys.QUEUE_PREFIX, keys.registryKeys.deferred(''), depsPrefix, depsSuffix, a.prefetch.mode,
      String(a.othersRunning), a.slot, a.token, String(a.claimsTtl), a.resultTtl, a.hasDependencies ? '1' : '0',
      ...(a.counters ? [String(a.counters.successful), String(a.counters.failed), String(a.counters.totalWorkingTime)] : ['', '', '']),
      ...prefetchArgs(a.prefetch),
    ],
  };
}

/**
 * Move due scheduled jobs (and delayed retries) onto their queue, as RQ's scheduler does (§7.10), but only
 * while this scheduler still holds the queue's lock — compare before act, as RQ 2.11+ does, so two
 * schedulers (Python or Node) never enqueue the same job twice.
 * KEYS[1] scheduler lock · KEYS[2] scheduled registry · KEYS[3] queue list · KEYS[4] rq:queues.
 * ARGV[1] the lock value this scheduler wrote · ARGV[2] now (epoch seconds) · ARGV[3] now (RQ datetime) ·
 * ARGV[4] job key prefix · ARGV[5] lock ttl · ARGV[6] how many at most.
 * Returns the number of jobs enqueued, or -1 when the lock is not ours (nothing is done).
 */
export const ENQUEUE_SCHEDULED = new LuaScript(
  'enqueueScheduled',
  `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return -1 end
redis.call('EXPIRE', KEYS[1], ARGV[5])
local ids = redis.call('ZRANGEBYSCORE', KEYS[2], 0, ARGV[2], 'LIMIT', 0, tonumber(ARGV[6]))
local moved = 0
for _, id in ipairs(ids) do
  local job = ARGV[4] .. id
  redis.call('ZREM', KEYS[2], id)
  if redis.call('EXISTS', job) == 1 then
    local f = redis.call('HMGET', job, 'enqueue_at_front', 'enqueue_at_front_on_retry', 'ended_at')
    local front = f[1] == '1' or (f[2] == '1' and f[3] and f[3] ~= '')
    redis.call('HSET', job, 'status', 'queued', 'enqueued_at', ARGV[3])
    redis.call('SADD', KEYS[4], KEYS[3])
    redis.call(front and 'LPUSH' or 'RPUSH', KEYS[3], id)
    moved = moved + 1
  end
end
return moved
`,
);

/**
 * Take, keep or release a scheduler lock (`rq:scheduler-lock:<queue>`), only when it is free or ours.
 * KEYS[1] lock · ARGV[1] our value · ARGV[2] 'acquire' | 'release' · ARGV[3] ttl. Returns 1 when held (acquire)
 * or released (release), else 0.
 */
export const SCHEDULER_LOCK = new LuaScript(
  'schedulerLock',
  `
local holder = redis.call('GET', KEYS[1])
if ARGV[2] == 'release' then
  if holder == ARGV[1] then redis.call('DEL', KEYS[1]) return 1 end
  return 0
end
if holder and holder ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[3])
return 1
`,
);
