/**
 * The installed Python RQ versions (from `.venv/rq-versions.json`, written by `scripts/bootstrap.sh`) and
 * the real Python processes the interop tests run against them: `rq worker`, `rq info`, ad-hoc scripts.
 */
import { readFileSync } from 'node:fs';
import { HELPER_DIR, PYTHON_DIR, RQ_MANIFEST } from './paths.js';
import { run, start, type Captured } from './processes.js';

export interface RqInstall {
  /** Exact RQ version, e.g. `2.12.0`. */
  version: string;
  /** `rq-2.12`, `rq-1.16.2`, `rq-1.13.0` (Debian's). */
  label: string;
  /** Absolute path of the interpreter that has this RQ. */
  python: string;
  /** Absolute path of its `rq` command. */
  rq: string;
  /** Exact redis-py version beside it. */
  redisPy: string;
  major: number;
}

export type PySerializer = 'pickle' | 'json';

let cached: RqInstall[] | undefined;

/** Every installed RQ, newest first. */
export function rqVersions(): RqInstall[] {
  if (cached) return cached;
  let text: string;
  try {
    text = readFileSync(RQ_MANIFEST, 'utf8');
  } catch (err) {
    throw new Error(`${RQ_MANIFEST} is missing: run \`bash scripts/bootstrap.sh\` to install Redis and Python RQ`, { cause: err });
  }
  const rows = JSON.parse(text) as Omit<RqInstall, 'major'>[];
  if (!Array.isArray(rows) || rows.length === 0) {
    throw new Error(`${RQ_MANIFEST} lists no RQ install: run \`bash scripts/bootstrap.sh\``);
  }
  cached = rows.map((row) => ({ ...row, major: Number(row.version.split('.')[0]) }));
  return cached;
}

/** The install with this label (`rq-2.12`) or exact version (`2.12.0`). */
export function rqVersion(label: string): RqInstall {
  const all = rqVersions();
  const found = all.find((rq) => rq.label === label || rq.version === label);
  if (!found) throw new Error(`no RQ install ${label}; installed: ${all.map((rq) => rq.label).join(', ')}`);
  return found;
}

/** True when `log` holds a Python traceback. */
export function hasTraceback(log: string): boolean {
  return log.includes('Traceback (most recent call last)');
}

/** `--serializer` arguments: RQ's `json` alias only exists from 2.9, the dotted path works everywhere. */
function serializerArgs(serializer: PySerializer | undefined): string[] {
  return serializer === 'json' ? ['--serializer', 'rq.serializers.JSONSerializer'] : [];
}

/**
 * Environment for every Python process: mylib and the dataflow helper (`python/rqts_dataflow.py`, as a
 * deployment would pip-install it) importable, unbuffered output, no __pycache__ in the repo.
 */
function pythonEnv(extra: Record<string, string> | undefined, url?: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1' };
  if (url !== undefined) env.REDIS_URL = url;
  Object.assign(env, extra);
  env.PYTHONPATH = [PYTHON_DIR, HELPER_DIR, extra?.PYTHONPATH].filter(Boolean).join(':');
  return env;
}

function timeoutNote(what: string, ms: number, result: Captured): string {
  return result.timedOut ? `\n[rig] ${what} timed out after ${ms} ms and was stopped\n` : '';
}

export interface RunWorkerOptions {
  rq: RqInstall;
  url: string;
  queues: string[];
  serializer?: PySerializer;
  /** @defaultValue true */
  burst?: boolean;
  withScheduler?: boolean;
  name?: string;
  /** Then the worker gets SIGTERM (warm), SIGTERM (cold: kills the horse), SIGKILL. @defaultValue 60 000 */
  timeoutMs?: number;
  extraArgs?: string[];
  env?: Record<string, string>;
}

export interface WorkerRun {
  exitCode: number | null;
  /** stdout and stderr together. */
  log: string;
  timedOut: boolean;
}

/** `rq worker` arguments for `opts`; `burst` is the caller's default. */
function workerArgs(opts: RunWorkerOptions, burst: boolean): string[] {
  return [
    'worker',
    '-u',
    opts.url,
    ...(opts.burst ?? burst ? ['--burst'] : []),
    ...(opts.withScheduler ? ['--with-scheduler'] : []),
    ...serializerArgs(opts.serializer),
    ...(opts.name !== undefined ? ['--name', opts.name] : []),
    ...(opts.extraArgs ?? []),
    ...opts.queues,
  ];
}

/** Runs the real `rq worker` CLI of `opts.rq` (burst by default) with `test/python` on PYTHONPATH. */
export async function runWorker(opts: RunWorkerOptions): Promise<WorkerRun> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const args = workerArgs(opts, true);
  const result = await run(opts.rq.rq, args, {
    env: pythonEnv(opts.env),
    timeoutMs,
    stopSignals: ['SIGTERM', 'SIGTERM'],
  });
  return { exitCode: result.exitCode, log: result.all + timeoutNote('rq worker', timeoutMs, result), timedOut: result.timedOut };
}

/** A long-running `rq worker` started by {@link startWorker}. */
export interface WorkerProcess {
  pid: number;
  /** stdout and stderr together, so far. */
  output(): string;
  /** Resolves when the worker exits by itself (burst done, or a shutdown command), without signalling it. */
  exited: Promise<WorkerRun>;
  /**
   * Warm shutdown (SIGTERM: the current job finishes), then a cold one (a second SIGTERM `graceMs` later
   * kills the work horse), then SIGKILL 3 s after that; resolves when the worker has exited. Safe to call
   * twice (the first call's grace wins). A test that checks a clean exit passes a long grace: the warm
   * shutdown of an idle worker ends by itself, and a loaded machine may take seconds to get there.
   */
  stop(options?: { graceMs?: number }): Promise<WorkerRun>;
}

/**
 * Starts the real `rq worker` CLI of `opts.rq` in the background (not burst by default), for tests where
 * jobs arrive while it runs, as they do in a service. `opts.timeoutMs` (default 10 minutes) is a safety
 * deadline after which it is stopped anyway; call {@link WorkerProcess.stop} when done.
 */
export async function startWorker(opts: RunWorkerOptions): Promise<WorkerProcess> {
  const timeoutMs = opts.timeoutMs ?? 600_000;
  const stopSignals: NodeJS.Signals[] = ['SIGTERM', 'SIGTERM'];
  const worker = await start(opts.rq.rq, workerArgs(opts, false), { env: pythonEnv(opts.env), timeoutMs, stopSignals });
  let stopping: Promise<WorkerRun> | undefined;
  const asRun = (result: Captured): WorkerRun => ({
    exitCode: result.exitCode,
    log: result.all + timeoutNote('rq worker', timeoutMs, result),
    timedOut: result.timedOut,
  });
  return {
    pid: worker.pid,
    output: worker.output,
    exited: worker.done.then(asRun),
    stop({ graceMs = 1500 } = {}) {
      stopping ??= (async () => {
        const timers: NodeJS.Timeout[] = [];
        stopSignals.forEach((signal, i) => timers.push(setTimeout(() => worker.kill(signal), i * graceMs)));
        timers.push(setTimeout(() => worker.kill('SIGKILL'), (stopSignals.length - 1) * graceMs + 3000));
        const result = await worker.done;
        timers.forEach(clearTimeout);
        return asRun(result);
      })();
      return stopping;
    },
  };
}

export interface RunPythonOptions {
  /** Exported as `REDIS_URL`. */
  url?: string;
  env?: Record<string, string>;
  /** @defaultValue 60 000 */
  timeoutMs?: number;
}

export interface PythonRun {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** Runs `code` (fed on stdin) with the interpreter of `rq`. */
export async function runPython(rq: RqInstall, code: string, opts: RunPythonOptions = {}): Promise<PythonRun> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const result = await run(rq.python, ['-'], { env: pythonEnv(opts.env, opts.url), input: code, timeoutMs });
  return {
    exitCode: result.exitCode,
    stdout: result.stdout,
    stderr: result.stderr + timeoutNote('python', timeoutMs, result),
    timedOut: result.timedOut,
  };
}

/**
 * Runs `code`, which prints one JSON line last, and returns that value parsed.
 * @throws Error with stderr when Python exits non-zero or the last line isn't JSON.
 */
export async function runPythonJson<T = unknown>(rq: RqInstall, code: string, opts: RunPythonOptions = {}): Promise<T> {
  const result = await runPython(rq, code, opts);
  const last = result.stdout.trimEnd().split('\n').pop() ?? '';
  if (result.exitCode !== 0) {
    throw new Error(`python (${rq.label}) exited with ${result.exitCode}:\n${result.stderr}\nstdout:\n${result.stdout}`);
  }
  try {
    return JSON.parse(last) as T;
  } catch {
    throw new Error(`python (${rq.label}) did not print JSON last:\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`);
  }
}

export interface RqInfoOptions {
  serializer?: PySerializer;
  /** Queue names to show (all when unset). */
  queues?: string[];
  /** `--only-queues`: leave out the workers section. */
  onlyQueues?: boolean;
  timeoutMs?: number;
}

/** Runs `rq info -u url`; `output` is stdout and stderr together. */
export async function rqInfo(rq: RqInstall, url: string, opts: RqInfoOptions = {}): Promise<{ exitCode: number | null; output: string }> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const args = ['info', '-u', url, ...serializerArgs(opts.serializer), ...(opts.onlyQueues ? ['--only-queues'] : []), ...(opts.queues ?? [])];
  const result = await run(rq.rq, args, { env: pythonEnv(undefined), timeoutMs });
  return { exitCode: result.exitCode, output: result.all + timeoutNote('rq info', timeoutMs, result) };
}
