/**
 * Child processes for the interop rig: spawn with captured output and a deadline, and make sure nothing
 * outlives the test process (redis-server, rq workers), even when it ends early or is interrupted.
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';

/** Live process groups (each child leads its own, so its children go with it) and temp dirs to remove. */
const liveGroups = new Set<number>();
const tempDirs = new Set<string>();
let handlersInstalled = false;
/** RQ ≥ 2 ignores a second SIGTERM that comes within 1 s of the first, so escalate more slowly than that. */
const STOP_STEP_MS = 1500;

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

function cleanupNow(): void {
  for (const pid of liveGroups) killGroup(pid, 'SIGKILL');
  liveGroups.clear();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

function installExitHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', cleanupNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      cleanupNow();
      process.off(signal, onSignal);
      // Nobody else handles it: die of the signal as we would have without this handler.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

/** Removes `dir` when the process exits, unless {@link forgetTempDir} ran first. */
export function trackTempDir(dir: string): void {
  installExitHandlers();
  tempDirs.add(dir);
}

export function forgetTempDir(dir: string): void {
  tempDirs.delete(dir);
  rmSync(dir, { recursive: true, force: true });
}

export interface Captured {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved in arrival order. */
  all: string;
  timedOut: boolean;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Written to stdin, which is then closed. */
  input?: string;
  /** After this, the process group gets `stopSignals` one by one, 1.5 s apart, then SIGKILL; none if unset. */
  timeoutMs?: number;
  stopSignals?: NodeJS.Signals[];
}

export interface Spawned {
  pid: number;
  done: Promise<Captured>;
  /** Current combined output so far. */
  output(): string;
  /** Signals the whole process group. */
  kill(signal: NodeJS.Signals): void;
}

/** Starts `command` in its own process group, capturing its output; never rejects after it started. */
export function start(command: string, args: string[], opts: RunOptions): Promise<Spawned> {
  installExitHandlers();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: opts.env ?? process.env,
      cwd: opts.cwd,
      detached: true,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const stdout: string[] = [];
    const stderr: string[] = [];
    const all: string[] = [];
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout.push(d), all.push(d)));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr.push(d), all.push(d)));
    child.stdin.on('error', () => {}); // EPIPE when the child exits without reading
    child.stdin.end(opts.input ?? '');

    child.once('error', (err) => reject(new Error(`cannot start ${command}: ${err.message}`, { cause: err })));
    child.once('spawn', () => {
      const pid = child.pid!;
      liveGroups.add(pid);
      let timedOut = false;
      const timers: NodeJS.Timeout[] = [];
      const deadline =
        opts.timeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              timedOut = true;
              const signals = opts.stopSignals ?? ['SIGTERM'];
              signals.forEach((signal, i) => timers.push(setTimeout(() => killGroup(pid, signal), i * STOP_STEP_MS)));
              timers.push(setTimeout(() => killGroup(pid, 'SIGKILL'), signals.length * STOP_STEP_MS + STOP_STEP_MS));
            }, opts.timeoutMs);

      const done = new Promise<Captured>((resolveDone) => {
        child.once('exit', (exitCode, signal) => {
          clearTimeout(deadline);
          timers.forEach(clearTimeout);
          liveGroups.delete(pid);
          const finish = (): void =>
            resolveDone({ exitCode, signal, stdout: stdout.join(''), stderr: stderr.join(''), all: all.join(''), timedOut });
          // Normally the pipes close right after; a grandchild that kept them open (an orphaned work horse)
          // must not hold the result hostage.
          const grace = setTimeout(() => {
            child.stdout.destroy();
            child.stderr.destroy();
            finish();
          }, 2000);
          child.once('close', () => {
            clearTimeout(grace);
            finish();
          });
        });
      });
      resolve({ pid, done, output: () => all.join(''), kill: (signal) => killGroup(pid, signal) });
    });
  });
}

/** Runs `command` to completion (see {@link start}). */
export async function run(command: string, args: string[], opts: RunOptions): Promise<Captured> {
  return (await start(command, args, opts)).done;
}
