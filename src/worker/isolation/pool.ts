/**
 * A pool of isolated executors (threads or child processes) reused between jobs. Halting a job ends its
 * executor — `worker.terminate()` for a thread, SIGKILL for a process — which is how RQ halts its
 * work-horse; the pool replaces it on the next job.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker as Thread } from 'node:worker_threads';
import { horseKilledText } from '../execute.js';
import type { ChildReply, ParentMessage } from './messages.js';

export interface PoolOptions {
  kind: 'thread' | 'process';
  /** File URLs of the task modules each executor imports first. */
  modules: string[];
  serializer: string;
  redisUrl: string;
}

/** What an executor reports for one job. */
export type ExecResult = { ok: true; value: string } | { ok: false; excString: string };

/** Running from TypeScript sources (tests, tsx): executors load them through tsx too. */
const FROM_SOURCE = import.meta.url.endsWith('.ts');
const ENTRY = new URL(FROM_SOURCE ? './child.ts' : './child.js', import.meta.url);

function spawnThread(): Thread {
  if (!FROM_SOURCE) return new Thread(ENTRY);
  // A thread does not inherit the parent's loader hooks, and its execArgv takes no --import: register tsx first.
  const tsxApi = pathToFileURL(join(dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist/esm/api/index.mjs')).href;
  const boot = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(ENTRY.href)}); });`;
  return new Thread(boot, { eval: true });
}

function spawnProcess(): ChildProcess {
  return fork(fileURLToPath(ENTRY), [], {
    execArgv: FROM_SOURCE ? ['--import', 'tsx'] : [],
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

class Executor {
  readonly ready: Promise<void>;
  alive = true;
  readonly #post: (message: ParentMessage) => void;
  readonly #kill: () => void;
  #pending: ((result: ExecResult) => void) | null = null;
  #readyWaiter: { resolve: () => void; reject: (e: Error) => void } | null = null;

  constructor(options: PoolOptions) {
    this.ready = new Promise<void>((resolve, reject) => (this.#readyWaiter = { resolve, reject }));
    this.ready.catch(() => {});
    if (options.kind === 'thread') {
      const thread = spawnThread();
      thread.on('message', (m: ChildReply) => this.#onReply(m));
      thread.on('error', (e) => this.#onExit(`${e?.message ?? e}`));
      thread.on('exit', (code) => this.#onExit(String(code)));
      this.#post = (m) => thread.postMessage(m);
      this.#kill = () => void thread.terminate();
    } else {
      const child = spawnProcess();
      child.on('message', (m: ChildReply) => this.#onReply(m));
      child.on('error', (e) => this.#onExit(`${e?.message ?? e}`));
      // A waitpid status, as RQ reports it: the signal number, or the exit code shifted into the high byte.
      child.on('exit', (code, signal) => {
        const n = signal ? (signalNumber(signal) ?? 0) : (code ?? 0) * 256;
        this.#onExit(signal ? `${n} (signal ${n})` : String(n));
      });
      this.#post = (m) => child.send(m);
      this.#kill = () => void child.kill('SIGKILL');
    }
    this.#post({ type: 'init', modules: options.modules, serializer: options.serializer, redisUrl: options.redisUrl });
  }

  /** Run one job; resolves with the executor's report, or a work-horse failure when it dies meanwhile. */
  run(jobId: string, fields: [string, Uint8Array][]): Promise<ExecResult> {
    return new Promise((resolve) => {
      this.#pending = resolve;
      this.#post({ type: 'run', jobId, fields });
    });
  }

  kill(): void {
    if (this.alive) this.#kill();
  }

  #onReply(message: ChildReply): void {
    if (message.type === 'ready') this.#readyWaiter?.resolve();
    else if (message.type === 'init-failed') {
      this.#readyWaiter?.reject(new Error(`an isolated executor could not import the task modules:\n${message.error}`));
      this.kill();
    } else if (message.type === 'done') {
      const pending = this.#pending;
      this.#pending = null;
      pending?.(message.ok ? { ok: true, value: message.value } : { ok: false, excString: message.excString });
    }
  }

  #onExit(detail: string): void {
    if (!this.alive) return;
    this.alive = false;
    this.#readyWaiter?.reject(new Error(`an isolated executor exited before it was ready (${detail})`));
    const pending = this.#pending;
    this.#pending = null;
    pending?.({ ok: false, excString: horseKilledText(detail) });
  }
}

function signalNumber(signal: NodeJS.Signals): number | undefined {
  const numbers: Partial<Record<NodeJS.Signals, number>> = { SIGKILL: 9, SIGTERM: 15, SIGINT: 2, SIGSEGV: 11, SIGABRT: 6 };
  return numbers[signal];
}

/** Executors of one kind, created on demand and reused while they live. */
export class ExecutorPool {
  readonly #options: PoolOptions;
  readonly #idle: Executor[] = [];
  /** Warmed executors not yet ready, taken in order by the first jobs. */
  readonly #starting: Executor[] = [];
  readonly #all = new Set<Executor>();

  constructor(options: PoolOptions) {
    this.#options = options;
  }

  /** Start `n` executors ahead of the first jobs (in the background; a job takes one as soon as it is ready). */
  warm(n: number): void {
    for (let i = 0; i < n; i++) this.#starting.push(this.#spawn());
  }

  /**
   * Run a job on an idle executor (a new one if none is idle). `onStart` is called once the job is handed to a
   * ready executor (a job's timeout counts from there, as RQ's does from the work-horse's start). When `halt`
   * aborts, the executor is ended and the result is whatever it reported first (the caller reads
   * `halt.reason` for why).
   * @throws Error when a new executor cannot import the task modules.
   */
  async run(jobId: string, fields: [string, Uint8Array][], halt: AbortSignal, onStart: () => void = () => {}): Promise<ExecResult> {
    let executor = this.#idle.pop();
    while (executor && !executor.alive) executor = this.#idle.pop();
    executor ??= this.#starting.shift() ?? this.#spawn();
    try {
      await executor.ready;
    } catch (error) {
      this.#all.delete(executor);
      throw error;
    }
    const onHalt = (): void => executor.kill();
    if (halt.aborted) onHalt();
    else halt.addEventListener('abort', onHalt, { once: true });
    try {
      onStart();
      return await executor.run(jobId, fields);
    } finally {
      halt.removeEventListener('abort', onHalt);
      if (executor.alive) this.#idle.push(executor);
      else this.#all.delete(executor);
    }
  }

  /** End every executor. */
  close(): void {
    for (const executor of this.#all) executor.kill();
    this.#all.clear();
    this.#idle.length = 0;
    this.#starting.length = 0;
  }

  #spawn(): Executor {
    const executor = new Executor(this.#options);
    this.#all.add(executor);
    return executor;
  }
}
