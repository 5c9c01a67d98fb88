/**
 * The worker's Lua scripts (protocol §7): registration and death, starting a job, heartbeats, and finishing
 * a job (success, failure with retries, stop) with the dependents release of RQ 1.x–2.10 (§6.2), which every
 * supported version reads. Keys come from `keys.ts`, in KEYS or, where a script must derive them from an id
 * it reads (a finished job's dependents, the next job a finish starts), as prefixes in ARGV. RQ's keys have
 * no hash tags, so RQ runs on one Redis (not a cluster), where a derived key is safe.
 */
import { LuaScript, type Arg, type Reply } from '../connection.js';
import { RqtsError } from '../errors.js';
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
 * layout), the started-registry entry, job status, PERSIST (the caller sets the worker's state). Shared by
 * {@link START_JOB} and the start that {@link FINISH_JOBS} folds into a finish.
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

-- zadd(key, score, member) writes the started-registry entry (a finish script sends a registry's in one call)
local function markStarted(job, id, ttl, executions, execution, started, member, executionId, nowFloat, nowSeconds, nowDatetime, workerName, layout, zadd)
  local score = tonumber(nowSeconds) + ttl
  if layout == '2' then
    redis.call('HSET', execution, 'id', executionId, 'created_at', nowFloat, 'last_heartbeat', nowFloat, 'job_id', id, 'worker_name', workerName)
    redis.call('EXPIRE', execution, ttl)
    redis.call('ZADD', executions, score + 60, executionId)
    redis.call('EXPIRE', executions, ttl + 60)
  end
  zadd(started, score, member)
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
markStarted(KEYS[1], ARGV[1], ttl, KEYS[4], KEYS[5], KEYS[3], ARGV[8], ARGV[2], ARGV[3], ARGV[5], ARGV[4], ARGV[7], ARGV[9],
  function(key, score, member) redis.call('ZADD', key, score, member) end)
redis.call('HSET', KEYS[6], 'state', 'busy', 'current_job', ARGV[1], 'current_job_working_time', '0', 'last_heartbeat', ARGV[4])
redis.call('EXPIRE', KEYS[6], ttl)
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
 * How a job ended, for {@link FINISH_JOBS}. Maintenance fails jobs of dead workers as `abandoned` (a
 * started-registry entry whose score passed; skipped if a heartbeat renewed it) or `stuck` (left in the
 * intermediate list); neither touches this worker's counters.
 */
export type Outcome = 'success' | 'failure' | 'stopped' | 'abandoned' | 'stuck';

/** Marks a Lua variable inside a key template for {@link lua}. */
const v = (name: string): string => `\u0000${name}\u0000`;

/** A key built from {@link v}-marked variables as the Lua expression that builds it: `'rq:job:' .. id`. */
function lua(key: string): string {
  return key
    .split('\u0000')
    .map((part, i) => (i % 2 === 1 ? part : `'${part}'`))
    .filter((part) => part !== "''")
    .join(' .. ');
}

/** Arguments per job in {@link FINISH_JOBS}, after the header. */
const FINISH_ARGS_PER_JOB = 17;
/** Arguments of {@link FINISH_JOBS}'s header. */
const FINISH_HEADER_ARGS = 8;

/**
 * Finish one or more jobs in one step (§7.5, §7.6): the finishes of a worker's slots that end in the same
 * tick share the call (concurrency > 1); each is recorded under its own token and replied to on its own.
 * Per job: execution cleanup, then by outcome —
 * success: `finished`, results entry type 1, TTLs from `result_ttl` (0 deletes the job), dependents released;
 * failure: a retry when `retries_left` > 0 (re-queued, or scheduled after its interval; no result entry),
 * else `failed`, results entry type 2, failure TTLs, and only dependents that allow failures released;
 * stopped: `stopped` in the failed registry, type 2 entry, no dependents released (RQ 2.8+).
 * With a next execution id, the job's slot pops the next job and starts it in this same step (as
 * {@link START_JOB} does), unless RQ is suspended: once every finish of the call is done (a job one of them
 * re-queued or released can then be taken), in the order the finishes came, with one LPOP per queue for all
 * of them. Never in limbo (queued nowhere, started nowhere), so this needs no intermediate list; an id whose
 * job is gone is dropped and the next one taken, as RQ's dequeue does. Writes the call's jobs make to the
 * same registry are sent as one ZREM and one ZADD per key, and the execution hashes in one DEL, at the end.
 *
 * A job's keys derive from its id and origin (the next job's from its id), as a finished job's dependents'
 * always did: RQ's keys carry no hash tags, so RQ runs on one Redis, where a derived key is safe, and ACL key
 * patterns still apply to it. The worker hash is written once per call, with what the jobs in turn would
 * have left there (state, current job, counters, TTL), and carries each finish's record (field
 * `rqts:finish:<slot>`: `token|status|queue index|next id`); maintenance's finishes of other workers' jobs
 * record theirs in the claims hash. A job whose call may be a resend (`resend` = '1') is first looked up
 * there: found under its token, the reply is what the first run gave (the next job's hash read again) and
 * nothing else is done — no second finish, no second pop.
 *
 * KEYS[1] worker hash · [2] the worker's claims hash · [3] rq:suspended · [4] rq:queues · [5..] where next
 * jobs are popped from, in order: pairs of a queue and its started registry.
 * ARGV header: [1] worker name · [2] default result ttl · [3] claims hash ttl · [4] '2' for the RQ 2.x layout,
 * '1' for 1.x · [5] default job timeout · [6] + [7] + [8] this worker's successful and failed job counts and
 * total working time as the worker has them when it sends the call (absolute: one process owns them; a
 * call sent again never writes older counts over newer ones; '' for maintenance).
 * Then per job, 17 each: outcome · id · origin · execution id · started-registry member · ended (epoch
 * float) · ended (RQ datetime) · execution started (epoch float) · return value, base64 ('' = None) ·
 * exc_string, base64 of zlib · result_ttl as read when it started ('' when unset) · '1' when the job has
 * dependencies · the slot's field · the finish's token · how many other jobs this worker runs (it turns
 * `idle` at 0) · the next job's execution id ('' = pop nothing) · resend.
 * Returns one reply per job: `{status}` or, when a job was started, `{status, nextId, queueIndex, ttl,
 * {field, value, …}}` (status 'finished' | 'failed' | 'stopped' | 'retried' | 'scheduled' | 'deleted' |
 * 'gone' | 'alive' — an abandoned-looking job whose heartbeat came back; the next job's id, the 1-based index
 * of its queue among the pairs, its heartbeat TTL and its hash as read before it was marked started, see
 * {@link startedFields}), or `{'ERR', message}` when that job's finish raised (the others are unaffected).
 */
export const FINISH_JOBS = new LuaScript(
  'finishJobs',
  `${MARK_STARTED}
local workerKey, claimsKey = KEYS[1], KEYS[2]
local workerName, defaultResultTtl, layout, defaultTimeout = ARGV[1], ARGV[2], ARGV[4], ARGV[5]

-- Writes the call's jobs make to keys they share, sent once per key when all jobs are done: the jobs of a
-- busy worker finish into, and start from, the same registries, and each redis.call costs its glue. Removals
-- go first, so that a job removed and added again in one call (RQ 1.x members are ids: a retried job popped
-- again) ends up added. The execution hashes go in one DEL.
local zrems, zadds, zremKeys, zaddKeys, dels = {}, {}, {}, {}, {}
local function listFor(lists, order, key)
  local list = lists[key]
  if not list then
    list = {}
    lists[key] = list
    order[#order + 1] = key
  end
  return list
end
local function zremLater(key, member)
  local list = listFor(zrems, zremKeys, key)
  list[#list + 1] = member
end
local function zaddLater(key, score, member)
  local list = listFor(zadds, zaddKeys, key)
  list[#list + 1] = score
  list[#list + 1] = member
end
local function sendLater()
  if #dels > 0 then redis.call('DEL', unpack(dels)) end
  for _, key in ipairs(zremKeys) do redis.call('ZREM', key, unpack(zrems[key])) end
  for _, key in ipairs(zaddKeys) do redis.call('ZADD', key, unpack(zadds[key])) end
end

-- the reply of a started next job: its id, queue index, heartbeat TTL and hash as read (not copied: a nested reply)
local function startedReply(status, nextId, index, fields)
  return {status, nextId, index, startedTtl(fields, defaultTimeout), fields}
end

-- release the dependents whose dependencies are all met (§6.2); returns how many stay
local function releaseDependents(id, dependentsKey, parentFailed, nowDatetime)
  local dependents = redis.call('SMEMBERS', dependentsKey)
  local released = {}
  for _, x in ipairs(dependents) do
    local xkey = ${lua(keys.jobKey(v('x')))}
    local xs = redis.call('HMGET', xkey, 'status', 'origin', 'allow_dependency_failures', 'enqueue_at_front')
    local allow = xs[3] == '1'
    if xs[1] and xs[1] ~= 'canceled' and (not parentFailed or allow) then
      local met = true
      for _, d in ipairs(redis.call('SMEMBERS', ${lua(keys.dependenciesKey(v('x')))})) do
        if d ~= id then
          local ds = redis.call('HGET', ${lua(keys.jobKey(v('d')))}, 'status')
          if ds and ds ~= 'finished' and not (allow and ds == 'failed') then met = false end
        end
      end
      if met then
        local origin = xs[2] or ''
        redis.call('ZREM', ${lua(keys.registryKeys.deferred(v('origin')))}, x)
        redis.call('HSET', xkey, 'status', 'queued', 'enqueued_at', nowDatetime)
        redis.call('SADD', KEYS[4], ${lua(keys.queueKey(v('origin')))})
        redis.call(xs[4] == '1' and 'LPUSH' or 'RPUSH', ${lua(keys.queueKey(v('origin')))}, x)
        released[#released + 1] = x
      end
    end
  end
  if #released > 0 and #released == #dependents then
    redis.call('DEL', dependentsKey)
  elseif #released > 0 then
    redis.call('SREM', dependentsKey, unpack(released))
  end
  return #dependents - #released
end

local function addResult(results, fields, executionId, startedAt, endedAt)
  local args = {results, 'MAXLEN', '~', '10', '*'}
  for _, v in ipairs(fields) do args[#args + 1] = v end
  for _, v in ipairs({'worker_name', workerName, 'execution_id', executionId, 'execution_started_at', startedAt, 'execution_ended_at', endedAt}) do
    args[#args + 1] = v
  end
  redis.call('XADD', unpack(args))
end

-- How one job ended (the writes); returns its status.
local function finish(o, outcome, id, origin, executionId, now, nowDatetime)
  local job, results = ${lua(keys.jobKey(v('id')))}, ${lua(keys.resultsKey(v('id')))}
  local dependentsKey, dependenciesKey = ${lua(keys.dependentsKey(v('id')))}, ${lua(keys.dependenciesKey(v('id')))}
  local started = ${lua(keys.registryKeys.started(v('origin')))}
  -- RQ's job.cleanup(ttl): the job and its dependents and dependencies sets; a set known not to exist is skipped
  local function expireJob(ttl, dependentsLeft)
    redis.call('EXPIRE', job, ttl)
    if dependentsLeft ~= 0 then redis.call('EXPIRE', dependentsKey, ttl) end
    if ARGV[o + 12] == '1' then redis.call('EXPIRE', dependenciesKey, ttl) end
  end
  -- maintenance of a job a dead worker left: act only if its heartbeat score is still in the past
  if outcome == 'abandoned' then
    local score = redis.call('ZSCORE', started, ARGV[o + 5])
    if not score or tonumber(score) >= now then return 'alive' end
  end
  dels[#dels + 1] = ${lua(keys.executionKey(v('id'), v('executionId')))}
  zremLater(started, ARGV[o + 5])
  redis.call('ZREM', ${lua(keys.executionsKey(v('id')))}, executionId)
  if outcome == 'abandoned' or outcome == 'stuck' then outcome = 'failure' end
  if outcome == 'success' then
    -- result_ttl as the worker read it when the job started (RQ's worker uses its in-memory job too)
    local ttl = ARGV[o + 11]
    if ttl == '' then ttl = defaultResultTtl end
    if ttl == '0' then
      if redis.call('EXISTS', job) == 0 then return 'gone' end
      releaseDependents(id, dependentsKey, false, nowDatetime)
      redis.call('DEL', job, dependentsKey, dependenciesKey)
      return 'deleted'
    end
    -- A started job has status and last_heartbeat, so this sets at most one new field; three new fields
    -- mean the job was deleted while it ran: undo, and report it gone.
    if redis.call('HSET', job, 'status', 'finished', 'ended_at', nowDatetime, 'last_heartbeat', nowDatetime) == 3 then
      redis.call('DEL', job)
      return 'gone'
    end
    local value = ARGV[o + 9]
    addResult(results, value ~= '' and {'type', '1', 'return_value', value} or {'type', '1'}, executionId, ARGV[o + 8], ARGV[o + 6])
    local dependentsLeft = releaseDependents(id, dependentsKey, false, nowDatetime)
    if ttl == '-1' then
      redis.call('PERSIST', results)
      zaddLater(${lua(keys.registryKeys.finished(v('origin')))}, '+inf', id)
    else
      redis.call('EXPIRE', results, ttl)
      zaddLater(${lua(keys.registryKeys.finished(v('origin')))}, now + tonumber(ttl), id)
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
      redis.call('HSET', job, 'retries_left', left - 1, 'ended_at', nowDatetime)
      if interval > 0 then
        redis.call('HSET', job, 'status', 'scheduled')
        zaddLater(${lua(keys.registryKeys.scheduled(v('origin')))}, now + interval, id)
        return 'scheduled'
      end
      redis.call('HSET', job, 'status', 'queued', 'enqueued_at', nowDatetime)
      redis.call('SADD', KEYS[4], ${lua(keys.queueKey(v('origin')))})
      local front = redis.call('HGET', job, 'enqueue_at_front_on_retry') == '1'
      redis.call(front and 'LPUSH' or 'RPUSH', ${lua(keys.queueKey(v('origin')))}, id)
      return 'retried'
    end
  end

  -- a final failure, or a stop
  local status = outcome == 'stopped' and 'stopped' or 'failed'
  local failed = ${lua(keys.registryKeys.failed(v('origin')))}
  redis.call('HSET', job, 'status', status, 'ended_at', nowDatetime, 'last_heartbeat', nowDatetime)
  local fttl = redis.call('HGET', job, 'failure_ttl')
  if fttl == '' then fttl = false end
  if fttl == '-1' then
    redis.call('PERSIST', job)
    zaddLater(failed, -1, id)
  else
    local ttl = tonumber(fttl or '31536000')
    zaddLater(failed, now + ttl, id)
    expireJob(ttl, -1)
  end
  addResult(results, {'type', '2', 'exc_string', ARGV[o + 10]}, executionId, ARGV[o + 8], ARGV[o + 6])
  if fttl and fttl ~= '-1' then redis.call('EXPIRE', results, fttl) end
  if outcome == 'failure' then releaseDependents(id, dependentsKey, true, nowDatetime) end
  return status
end

-- One job's finish; returns its reply when complete (a resend found under its token: what the first run
-- gave), else nil and what it leaves in the worker hash (applied only when its whole step succeeded).
local function finishOne(o)
  local outcome, id, origin, executionId = ARGV[o + 1], ARGV[o + 2], ARGV[o + 3], ARGV[o + 4]
  local nowDatetime, slot, token = ARGV[o + 7], ARGV[o + 13], ARGV[o + 14]
  local now = math.floor(tonumber(ARGV[o + 6]))
  local own = outcome == 'success' or outcome == 'failure' or outcome == 'stopped'
  local recordHash, recordField = claimsKey, slot
  if own then recordHash, recordField = workerKey, 'rqts:finish:' .. slot end
  if ARGV[o + 17] == '1' then
    local claim = redis.call('HGET', recordHash, recordField)
    if claim then
      local t, was, index, nextId = string.match(claim, '^([^|]*)|([^|]*)|([^|]*)|(.*)$')
      if t == token then
        if nextId == '' then return {was} end
        local fields = redis.call('HGETALL', ${lua(keys.jobKey(v('nextId')))})
        if #fields == 0 then return {was} end
        return startedReply(was, nextId, tonumber(index), fields)
      end
    end
  end
  local status = finish(o, outcome, id, origin, executionId, now, nowDatetime)
  return nil, {o = o, status = status, own = own, id = id, others = ARGV[o + 15], hash = recordHash, field = recordField,
    nextExecution = ARGV[o + 16], now = now}
end

-- Up to n next jobs, from the queues in order: {id, queue's KEYS index, hash as read}. One LPOP per queue
-- for all of them; an id whose job is gone is dropped and another taken, as RQ's dequeue does.
local function popNext(n)
  local found = {}
  for i = 5, #KEYS, 2 do
    while #found < n do
      local want = n - #found
      local ids = redis.call('LPOP', KEYS[i], want)
      if not ids then break end
      for _, candidate in ipairs(ids) do
        local fields = redis.call('HGETALL', ${lua(keys.jobKey(v('candidate')))})
        if #fields > 0 then found[#found + 1] = {candidate, i, fields} end
      end
      if #ids < want then break end
    end
  end
  return found
end

-- Start a popped job in the slot of the finish that asked for it (as START_JOB does); its reply.
local function startNext(left, next)
  local nextId, index, fields = next[1], next[2], next[3]
  local o, nextExecution = left.o, left.nextExecution
  local ttl = startedTtl(fields, defaultTimeout)
  local member = layout == '2' and (${lua(keys.startedMember(v('nextId'), v('nextExecution')))}) or nextId
  markStarted(${lua(keys.jobKey(v('nextId')))}, nextId, ttl, ${lua(keys.executionsKey(v('nextId')))}, ${lua(keys.executionKey(v('nextId'), v('nextExecution')))},
    KEYS[index + 1], member, nextExecution, ARGV[o + 6], left.now, ARGV[o + 7], workerName, layout, zaddLater)
  index = (index - 3) / 2
  left.started, left.ttl, left.at, left.index = nextId, ttl, ARGV[o + 7], index
  return startedReply(left.status, nextId, index, fields)
end

-- What the jobs in turn leave in the worker hash, written once: fields in order, current_job (nil:
-- untouched, false: removed), the TTL of the last start; maintenance's records go to the claims hash.
local W, order, current, workerTtl, claims, own, startedHere = {}, {}, nil, nil, {}, false, false
local function set(field, value)
  if W[field] == nil then order[#order + 1] = field end
  W[field] = value
end
local function apply(left)
  if left.hash == claimsKey then
    claims[#claims + 1] = left.field
    claims[#claims + 1] = left.record
  else
    set(left.field, left.record)
  end
  if left.started then
    set('state', 'busy')
    set('current_job_working_time', '0')
    set('last_heartbeat', left.at)
    current, workerTtl, startedHere = left.started, left.ttl, true
  elseif left.own then
    -- others counts the jobs running when this one ended; a job started earlier in this call runs too
    if left.others == '0' and not startedHere then
      -- nothing else runs: current_job can only name this job (or one already gone)
      set('state', 'idle')
      set('current_job_working_time', '0')
      current = false
    else
      if current == nil then current = redis.call('HGET', workerKey, 'current_job') or false end
      if current == left.id then current = false end
    end
  end
  if left.own then own = true end
end

local function failure(err)
  return {'ERR', type(err) == 'table' and (err.err or '?') or tostring(err)}
end

local replies, lefts = {}, {}
local count = (#ARGV - ${FINISH_HEADER_ARGS}) / ${FINISH_ARGS_PER_JOB}
for j = 1, count do
  local ok, reply, left = pcall(finishOne, ${FINISH_HEADER_ARGS} + (j - 1) * ${FINISH_ARGS_PER_JOB})
  if not ok then
    replies[j] = failure(reply)
  elseif reply then
    replies[j] = reply
  else
    replies[j], lefts[j] = {left.status}, left
  end
end
-- The next jobs, taken once every finish of the call is done (a job one of them re-queued or released is
-- then among them), unless RQ is suspended; in the order the finishes came.
local wanting = {}
for j = 1, count do
  if lefts[j] and lefts[j].nextExecution ~= '' then wanting[#wanting + 1] = j end
end
if #wanting > 0 and redis.call('EXISTS', KEYS[3]) == 0 then
  local ok, found = pcall(popNext, #wanting)
  for k, j in ipairs(wanting) do
    if not ok then
      replies[j], lefts[j] = failure(found), nil
    elseif found[k] then
      local started, reply = pcall(startNext, lefts[j], found[k])
      if started then replies[j] = reply else replies[j], lefts[j] = failure(reply), nil end
    end
  end
end
for j = 1, count do
  local left = lefts[j]
  if left then
    left.record = ARGV[left.o + 14] .. '|' .. left.status .. '|' .. (left.index or 0) .. '|' .. (left.started or '')
    apply(left)
  end
end
sendLater()
-- this worker's counters, as absolute values (one worker process owns them)
if own and ARGV[6] ~= '' then
  set('successful_job_count', ARGV[6])
  set('failed_job_count', ARGV[7])
  set('total_working_time', ARGV[8])
end
local fieldValues = {}
for _, f in ipairs(order) do
  fieldValues[#fieldValues + 1] = f
  fieldValues[#fieldValues + 1] = W[f]
end
if current then
  fieldValues[#fieldValues + 1] = 'current_job'
  fieldValues[#fieldValues + 1] = current
elseif current == false then
  redis.call('HDEL', workerKey, 'current_job')
end
if #fieldValues > 0 then redis.call('HSET', workerKey, unpack(fieldValues)) end
if workerTtl then redis.call('EXPIRE', workerKey, workerTtl) end
if #claims > 0 then
  redis.call('HSET', claimsKey, unpack(claims))
  redis.call('EXPIRE', claimsKey, ARGV[3])
end
return replies
`,
);

/** One job's part of a {@link FINISH_JOBS} call. */
export interface FinishJob {
  outcome: Outcome;
  jobId: string;
  origin: string;
  executionId: string;
  member: string;
  /** When the job ended (epoch microseconds) and the same as an RQ datetime. */
  endMicros: number;
  endDatetime: string;
  executionStartedAt: number;
  returnValue: string;
  excString: string;
  /** The job's `result_ttl` field as read when it started ('' when unset). */
  resultTtl: string;
  /** Whether the job has dependencies (a dependencies set to expire with it). */
  hasDependencies: boolean;
  /** The caller's field in the claims record and a token unique to this finish (the same when sent again). */
  slot: string;
  token: string;
  /** Jobs this worker runs besides this one. */
  othersRunning: number;
  /** The next job's execution id when the slot pops the next job in this step; '' for none. */
  nextExecutionId: string;
  /** Whether this call may repeat one whose reply was lost (the script then looks for its record first). */
  resend: boolean;
}

/** What the jobs of a {@link FINISH_JOBS} call share. */
export interface FinishHeader {
  worker: string;
  defaultResultTtl: number;
  claimsTtl: number;
  layout: 1 | 2;
  defaultTimeout: number;
  /** Where next jobs are popped from (empty when no job pops one). */
  queues: readonly string[];
  /** This worker's counters as it has them now (absolute: one process owns them); null for maintenance. */
  counters: { successful: number; failed: number; totalWorkingTime: number } | null;
}

/** One job's reply of {@link FINISH_JOBS}; a finish that raised in Redis fails only its own job. */
export function finishReply(reply: Reply[]): Reply[] {
  if (String(reply[0]) === 'ERR') throw new RqtsError(`The finish script failed: ${String(reply[1])}`);
  return reply;
}

/** KEYS and ARGV for {@link FINISH_JOBS}; pure. */
export function finishJobsArgs(h: FinishHeader, jobs: readonly FinishJob[]): { keys: string[]; args: Arg[] } {
  const queueKeys: string[] = [];
  if (jobs.some((j) => j.nextExecutionId !== '')) for (const q of h.queues) queueKeys.push(keys.queueKey(q), keys.registryKeys.started(q));
  const c = h.counters;
  const args: Arg[] = [
    h.worker, String(h.defaultResultTtl), String(h.claimsTtl), String(h.layout), String(h.defaultTimeout),
    c ? String(c.successful) : '', c ? String(c.failed) : '', c ? String(c.totalWorkingTime) : '',
  ];
  for (const j of jobs) {
    args.push(
      j.outcome, j.jobId, j.origin, j.executionId, j.member, String(j.endMicros / 1e6), j.endDatetime, String(j.executionStartedAt),
      j.returnValue, j.excString, j.resultTtl, j.hasDependencies ? '1' : '0', j.slot, j.token, String(j.othersRunning),
      j.nextExecutionId, j.resend ? '1' : '0',
    );
  }
  return { keys: [keys.workerKey(h.worker), keys.workerClaimsKey(h.worker), keys.suspendedKey(), keys.queuesKey(), ...queueKeys], args };
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
