/**
 * Running jobs without a worker: RQ's `Queue(is_async=False)`. A JS task registered with `job()` runs in this
 * process and is recorded as RQ 2.x's `Queue.run_sync` records a job; a Python function runs through the real
 * RQ code (`Queue.run_sync` on the stored job) in a Python child process, so what it records is RQ's own.
 */
import { spawn } from 'node:child_process';
import type { Connection, RedisClient } from './connection.js';
import { InvalidArgumentError, NoSuchJobError, RqtsError } from './errors.js';
import type { Job } from './job.js';
import type { PreparedJob } from './prepare.js';
import { JobStatus } from './protocol.js';
import { Defaults } from './protocol.js';
import { compress, formatDatetime, nowMicros } from './record.js';
import { SYNC_FINISH, syncFinishArgs } from './scripts.js';
import type { Serializer } from './serializers/serializer.js';
import { getRegisteredTask } from './tasks.js';
import { describeError, Halt, JobOutcomeError, runHandler } from './worker/execute.js';

/** The interpreter used when the queue names none. */
export const DEFAULT_PYTHON = 'python3';

/**
 * The program the child runs. `--probe` checks that RQ imports; otherwise it loads the stored job and hands
 * it to RQ's `Queue.run_sync` (the same call `Queue(is_async=False).enqueue` makes after saving the job),
 * which runs it, records success or failure and runs its callbacks. Exit 3 = RQ (or redis-py) missing.
 */
const PROGRAM = `
import json, os, sys
try:
    import rq
    from redis import Redis
    from rq import Queue
    from rq.job import Job
    from rq.serializers import DefaultSerializer, JSONSerializer
except ImportError as e:
    print(json.dumps({'missing': str(e)}))
    sys.exit(3)
if sys.argv[1] == '--probe':
    print(json.dumps({'rq': rq.__version__}))
    sys.exit(0)
conn = Redis.from_url(os.environ['RQTS_REDIS_URL'])
serializer = JSONSerializer if sys.argv[2] == 'json' else DefaultSerializer
job = Job.fetch(sys.argv[1], connection=conn, serializer=serializer)
Queue(job.origin, connection=conn, serializer=serializer, is_async=False).run_sync(job)
print(json.dumps({'status': str(job.get_status(refresh=True)).split('.')[-1].lower()}))
`;

/** What a synchronous run needs from its queue. */
export interface SyncContext {
  connection: Connection;
  serializer: Serializer;
  python: string;
}

/** Python's serializers that rqts can hand a job to (superjson is Node-only). */
const PYTHON_SERIALIZERS = new Set(['pickle', 'json']);

/**
 * Check, before anything is written, that every job can run here: a JS task must not carry Python callbacks
 * (nothing in this process can call them); a Python job needs a Python serializer and an interpreter with RQ.
 * @throws InvalidArgumentError naming the option (prefixed by `where(i)` for a batch).
 */
export async function checkSyncJobs(jobs: readonly PreparedJob[], ctx: SyncContext, where?: (i: number) => string): Promise<void> {
  const name = (i: number, option: string) => (where ? `${where(i)}.${option}` : option);
  let needsPython = false;
  jobs.forEach((job, i) => {
    if (isJsTask(job.funcName)) {
      const r = job.record;
      for (const [option, callback] of [['onSuccess', r.successCallbackName], ['onFailure', r.failureCallbackName], ['onStopped', r.stoppedCallbackName]] as const) {
        if (callback) throw new InvalidArgumentError(name(i, option), callback, 'a JS task run with isAsync: false cannot call a Python callback');
      }
    } else {
      if (!PYTHON_SERIALIZERS.has(ctx.serializer.name)) {
        throw new InvalidArgumentError(name(i, 'serializer'), ctx.serializer.name, `Python cannot read ${ctx.serializer.name} payloads; use 'pickle' or 'json' for ${job.funcName}`);
      }
      needsPython = true;
    }
  });
  if (needsPython) await probePython(ctx.python);
}

/**
 * Run a job that was just written for a synchronous run, unless it is deferred (RQ runs it only once its
 * dependencies are met, which a synchronous run never does for it). Returns the job, reloaded.
 */
export async function runSync<R>(job: Job<R>, ctx: SyncContext): Promise<Job<R>> {
  if ((await job.status) !== JobStatus.QUEUED) return job;
  if (isJsTask(job.funcName)) await runJsSync(job, ctx.connection, ctx.serializer);
  else await runPythonSync(job, ctx.python, ctx.serializer);
  // result_ttl 0 deletes the job as soon as it has run; the snapshot is all there is then.
  return job.refresh().catch((error: unknown) => {
    if (error instanceof NoSuchJobError) return job;
    throw error;
  });
}

/** Whether this job runs in-process (a JS task registered under its `func_name`). */
export function isJsTask(funcName: string): boolean {
  return getRegisteredTask(funcName) !== undefined;
}

interface ChildResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runChild(python: string, args: string[], env: NodeJS.ProcessEnv): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, ['-c', PROGRAM, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
  });
}

const probes = new Map<string, Promise<string>>();

/**
 * Check once per interpreter that it runs and imports RQ; resolves with RQ's version.
 * @throws InvalidArgumentError naming the `python` option when the interpreter or RQ is missing.
 */
export function probePython(python: string): Promise<string> {
  let probe = probes.get(python);
  if (!probe) {
    probe = runChild(python, ['--probe'], process.env).then(
      ({ code, stdout, stderr }) => {
        const last = stdout.trim().split('\n').pop() ?? '';
        if (code === 0) return (JSON.parse(last) as { rq: string }).rq;
        if (code === 3) throw new InvalidArgumentError('python', python, `RQ is not installed for this interpreter (${(JSON.parse(last) as { missing: string }).missing}); pip install rq`);
        throw new InvalidArgumentError('python', python, `the interpreter failed (exit ${code}): ${stderr.trim().split('\n').pop() ?? ''}`);
      },
      (error: NodeJS.ErrnoException) => {
        throw new InvalidArgumentError('python', python, `cannot run it (${error.code ?? error.message}); set { python } to an interpreter that has RQ`, { cause: error });
      },
    );
    // A failed probe is not cached: the caller may install RQ and try again.
    probe.catch(() => probes.delete(python));
    probes.set(python, probe);
  }
  return probe;
}

/** Run one stored Python job through RQ's `Queue.run_sync` in a child process. */
export async function runPythonSync(job: Job<unknown>, python: string, serializer: Serializer): Promise<void> {
  const url = redisUrlOf(job.connection.client);
  const { code, stdout, stderr } = await runChild(python, [job.id, serializer.name], { ...process.env, RQTS_REDIS_URL: url }).catch(
    (error: NodeJS.ErrnoException) => {
      throw new InvalidArgumentError('python', python, `cannot run it (${error.code ?? error.message})`, { cause: error });
    },
  );
  if (code !== 0) {
    throw new RqtsError(`RQ's synchronous run of job ${job.id} failed in ${python} (exit ${code}):\n${stderr.trim() || stdout.trim()}`);
  }
}

/**
 * Run a JS task in this process and record the outcome as RQ 2.x's `Queue.run_sync` does: `worker_name`
 * `sync`, a results entry, the finished or failed registry and the job's TTLs. Like RQ's synchronous path it
 * has no timeout, no retries, and does not enqueue dependents.
 */
export async function runJsSync(job: Job<unknown>, connection: Connection, serializer: Serializer): Promise<void> {
  const handler = getRegisteredTask(job.funcName)!;
  const startedAt = formatDatetime(nowMicros());
  let outcome: 'success' | 'failure' = 'success';
  let returnValue = '';
  let excString = '';
  try {
    const value = await runHandler(handler, job, -1, new Halt());
    if (value !== null && value !== undefined) returnValue = encodeResult(serializer, value);
  } catch (error) {
    outcome = 'failure';
    const text = error instanceof JobOutcomeError ? error.excString : describeError(error);
    excString = compress(Buffer.from(text, 'utf8')).toString('base64');
  }
  const ended = nowMicros();
  const { keys, args } = syncFinishArgs({
    outcome, jobId: job.id, origin: job.origin, startedAt, endedAt: formatDatetime(ended), nowSeconds: Math.floor(ended / 1e6),
    returnValue, excString, defaultResultTtl: Defaults.RESULT_TTL, defaultFailureTtl: Defaults.FAILURE_TTL,
  });
  await connection.script(SYNC_FINISH, keys, args);
}

/** base64 of the serialized value; RQ's placeholder when it cannot be serialized. */
function encodeResult(serializer: Serializer, value: unknown): string {
  try {
    return serializer.dumps(value).toString('base64');
  } catch {
    return serializer.dumps('Unserializable return value').toString('base64');
  }
}

interface ClientOptions {
  url?: string;
  username?: string;
  password?: string;
  database?: number;
  socket?: { host?: string; port?: number; path?: string; tls?: boolean };
}

/** A `redis://` URL for redis-py that reaches the same server and database as this node-redis client. */
export function redisUrlOf(client: RedisClient): string {
  const o = ((client as unknown as { options?: ClientOptions }).options ?? {}) as ClientOptions;
  const auth = o.password !== undefined ? `${encodeURIComponent(o.username ?? '')}:${encodeURIComponent(o.password)}@` : '';
  const db = o.database ?? 0;
  if (o.socket?.path) return `unix://${auth}${o.socket.path}?db=${db}`;
  if (!o.socket?.host && o.url) return o.url;
  const host = o.socket?.host ?? 'localhost';
  const hostPart = host.includes(':') ? `[${host}]` : host;
  return `${o.socket?.tls ? 'rediss' : 'redis'}://${auth}${hostPart}:${o.socket?.port ?? 6379}/${db}`;
}
