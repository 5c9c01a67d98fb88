/**
 * What the Node worker's finish costs inside Redis, and how much of it is rqts's Lua rather than the commands
 * RQ's protocol asks for. Replays a concurrency-1 worker's steady state with no worker process: each call
 * finishes job i and pops and starts job i+1, as `FINISH_JOBS` does on a busy slot, three ways:
 *
 * - `FINISH_JOBS`: the worker's script, with the arguments the worker sends;
 * - `straight`: one Lua script that runs the same 21 commands on the same keys, in a straight line, with no
 *   logic at all (the floor for any script that writes RQ's records in one call);
 * - `commands`: the same 21 commands sent as a plain pipeline, no Lua (the floor without a script; it is not
 *   atomic, so the worker cannot use it).
 *
 * Printed per way, medians of the rounds: Redis time per job (INFO commandstats: the script's usec, and the
 * commands' own usec inside it) and Redis CPU per job (INFO cpu, which adds reading, parsing and replying).
 *
 *   node --import tsx bench/finish-replay.ts [jobs] [rounds]
 */
import { randomUUID } from 'node:crypto';
import { Connection, Queue } from './lib/rqts.js';
import { startRedis } from '../test/helpers/redis-server.js';
import { FINISH_JOBS, START_JOB, finishJobsArgs, startJobArgs } from '../src/worker/scripts.js';
import { formatDatetime, nowMicros } from '../src/record.js';
import * as keys from '../src/keys.js';
import { median } from './lib/stats.js';
import { commandStats, redisCpuMicros } from './lib/redis-info.js';

const jobs = Number(process.argv[2] ?? 2000);
const rounds = Number(process.argv[3] ?? 3);
const QUEUE = 'replay';
const WORKER = 'replay-worker';

const redis = await startRedis();
const connection = await Connection.from(redis.url).open();
const send = (args: (string | Buffer)[]): Promise<unknown> => connection.command(args);

/** The commands a concurrency-1 finish runs for job `id` (execution `exec`) and the start of `next`. */
function finishCommands(id: string, exec: string, next: string, nextExec: string, now: number): string[][] {
  const datetime = formatDatetime(now);
  const seconds = Math.floor(now / 1e6);
  return [
    ['DEL', keys.executionKey(id, exec)],
    ['ZREM', keys.registryKeys.started(QUEUE), keys.startedMember(id, exec)],
    ['ZREM', keys.executionsKey(id), exec],
    ['HSET', keys.jobKey(id), 'status', 'finished', 'ended_at', datetime, 'last_heartbeat', datetime],
    ['XADD', keys.resultsKey(id), 'MAXLEN', '~', '10', '*', 'type', '1', 'worker_name', WORKER, 'execution_id', exec,
      'execution_started_at', String(now / 1e6), 'execution_ended_at', String(now / 1e6)],
    ['SMEMBERS', keys.dependentsKey(id)],
    ['EXPIRE', keys.resultsKey(id), '500'],
    ['ZADD', keys.registryKeys.finished(QUEUE), String(seconds + 500), id],
    ['EXPIRE', keys.jobKey(id), '500'],
    ['EXISTS', keys.suspendedKey()],
    ['LPOP', keys.queueKey(QUEUE)],
    ['HGETALL', keys.jobKey(next)],
    ['HSET', keys.executionKey(next, nextExec), 'id', nextExec, 'created_at', String(now / 1e6), 'last_heartbeat', String(now / 1e6), 'job_id', next, 'worker_name', WORKER],
    ['EXPIRE', keys.executionKey(next, nextExec), '90'],
    ['ZADD', keys.executionsKey(next), String(seconds + 150), nextExec],
    ['EXPIRE', keys.executionsKey(next), '150'],
    ['ZADD', keys.registryKeys.started(QUEUE), String(seconds + 90), keys.startedMember(next, nextExec)],
    ['HSET', keys.jobKey(next), 'status', 'started', 'started_at', datetime, 'worker_name', WORKER, 'last_heartbeat', datetime],
    ['PERSIST', keys.jobKey(next)],
    ['HSET', keys.workerKey(WORKER), 'state', 'busy', 'current_job', next, 'current_job_working_time', '0', 'last_heartbeat', datetime,
      'rqts:finish:0', `f:${exec}|finished|1|${next}`],
    ['EXPIRE', keys.workerKey(WORKER), '90'],
  ];
}

/** The same commands as one Lua script: ARGV holds them, each as a count followed by its arguments. */
const STRAIGHT = `
local i, results = 1, {}
while i <= #ARGV do
  local n = tonumber(ARGV[i])
  results[#results + 1] = redis.call(unpack(ARGV, i + 1, i + n))
  i = i + n + 1
end
return {'finished', results[11], 1, 90, results[12]}
`;

interface Cost { script: number; inner: number; cpu: number }

/** The script's usec and, apart, the usec of everything it and the pipeline ran (not INFO, CONFIG, EVAL). */
async function usec(): Promise<{ script: number; inner: number; lindex: number }> {
  const stats = Object.entries(await commandStats(send)).filter(([name]) => !['info', 'config|resetstat', 'eval'].includes(name));
  const of = (name: string): number => stats.find(([n]) => n === name)?.[1].usec ?? 0;
  return { script: of('evalsha'), inner: stats.reduce((n, [name, s]) => (name === 'evalsha' ? n : n + s.usec), 0), lindex: of('lindex') };
}

/** Fill the queue, start its first job (EVAL: not counted with EVALSHA), then time `jobs` finishes. */
async function replay(way: 'FINISH_JOBS' | 'straight' | 'commands'): Promise<Cost> {
  await send(['FLUSHALL']);
  const queue = new Queue(QUEUE, { connection });
  await queue.enqueueMany(Array.from({ length: jobs + 1 }, () => Queue.prepareData('mylib.noop')));
  let id = String(await send(['LINDEX', keys.queueKey(QUEUE), '0']));
  let exec = randomUUID().replaceAll('-', '');
  const now0 = nowMicros();
  const start = startJobArgs({
    jobId: id, origin: QUEUE, executionId: exec, worker: WORKER, nowMicros: now0, nowDatetime: formatDatetime(now0), defaultTimeout: 180,
    member: keys.startedMember(id, exec), layout: 2, claim: 'head', slot: '0', claimsTtl: 480,
  });
  await send(['EVAL', START_JOB.source, String(start.keys.length), ...start.keys, ...start.args.map(String)]);
  const straightSha = String(await send(['SCRIPT', 'LOAD', STRAIGHT]));
  const finishSha = String(await send(['SCRIPT', 'LOAD', FINISH_JOBS.source]));
  await send(['CONFIG', 'RESETSTAT']);
  const cpu0 = await redisCpuMicros(send);
  const counters = { successful: 0, failed: 0, totalWorkingTime: 0 };
  for (let i = 0; i < jobs; i++) {
    const nextExec = randomUUID().replaceAll('-', '');
    const now = nowMicros();
    counters.successful += 1;
    let next: string;
    if (way === 'FINISH_JOBS') {
      const a = finishJobsArgs(
        { worker: WORKER, defaultResultTtl: 500, claimsTtl: 480, layout: 2, defaultTimeout: 180, queues: [QUEUE], counters },
        [{
          outcome: 'success', jobId: id, origin: QUEUE, executionId: exec, member: keys.startedMember(id, exec), endMicros: now,
          endDatetime: formatDatetime(now), executionStartedAt: now / 1e6, returnValue: '', excString: '', resultTtl: '', hasDependencies: false,
          slot: '0', token: `f:${exec}`, othersRunning: 0, nextExecutionId: nextExec, resend: false,
        }],
      );
      const reply = (await send(['EVALSHA', finishSha, String(a.keys.length), ...a.keys, ...a.args.map(String)])) as unknown[][];
      next = String(reply[0]![1]);
    } else {
      // The next id is known here (the head of the queue); the script and the pipeline pop it all the same.
      const head = String(await send(['LINDEX', keys.queueKey(QUEUE), '0']));
      const commands = finishCommands(id, exec, head, nextExec, now);
      if (way === 'straight') {
        const args = commands.flatMap((c) => [String(c.length), ...c]);
        const reply = (await send(['EVALSHA', straightSha, '0', ...args])) as unknown[];
        next = String(reply[1]);
      } else {
        const replies = await connection.pipeline(commands);
        next = String(replies[10]);
      }
      if (next !== head) throw new Error(`${way}: popped ${next}, expected ${head}`);
    }
    id = next;
    exec = nextExec;
  }
  const cpu = (await redisCpuMicros(send)) - cpu0;
  const u = await usec();
  // The straight and pipelined ways read the queue's head first (LINDEX): not part of the finish.
  return { script: u.script / jobs, inner: (u.inner - (way === 'FINISH_JOBS' ? 0 : u.lindex)) / jobs, cpu: cpu / jobs };
}

try {
  const ways = ['FINISH_JOBS', 'straight', 'commands'] as const;
  const costs = new Map<string, Cost[]>(ways.map((w) => [w, []]));
  await replay('FINISH_JOBS'); // warm-up
  for (let round = 0; round < rounds; round++) for (const way of ways) costs.get(way)!.push(await replay(way));
  console.log(`finish + start of the next job, ${jobs} jobs, median of ${rounds} rounds (µs per job):`);
  for (const way of ways) {
    const c = costs.get(way)!;
    const script = median(c.map((x) => x.script));
    const inner = median(c.map((x) => x.inner));
    console.log(
      `  ${way.padEnd(11)} ${way === 'commands' ? '            ' : `script ${script.toFixed(1).padStart(5)}`}  commands ${inner.toFixed(1).padStart(5)}` +
        `${way === 'commands' ? '' : `  Lua and call glue ${(script - inner).toFixed(1).padStart(5)}`}  Redis CPU ${median(c.map((x) => x.cpu)).toFixed(1).padStart(5)}`,
    );
  }
  console.log('  (Redis CPU of the straight and pipelined ways includes their LINDEX and, for the pipeline, 21 commands parsed and answered)');
} finally {
  await connection.close();
  await redis.stop();
}
