/**
 * The `rqts` command as an operator uses it, against a private Redis and real Python `rq worker`s:
 * `info` with workers and `--interval` (in place on a terminal, snapshots otherwise), `enqueue-many` from a
 * JSON Lines file (consumed by a real worker; a bad line stops it at that line), and progress for
 * `requeue --all`, `empty` and `enqueue-many` — on a pseudo-terminal (a bar with rate and ETA) and on pipes
 * (plain lines on stderr, stdout untouched). The pseudo-terminal is Python's `pty` module.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Job, Queue } from '../../src/index.js';
import { privateRedis, REPO_ROOT, rqInfo, rqVersions, runWorker, startWorker, uniqueName, until } from '../helpers/index.js';
import { run, start, trackTempDir, type Captured } from '../helpers/processes.js';

const env = privateRedis();
const dir = mkdtempSync(join(tmpdir(), 'rqts-cli-op-'));
trackTempDir(dir);

const CLI = (args: string[]): string[] => [process.execPath, '--import', 'tsx', `${REPO_ROOT}/src/cli/index.ts`, '-u', env.redis.url, ...args];
const lines = (text: string): string[] => text.split('\n').filter((l) => l !== '');

/** `rqts <args>` on pipes; `RQTS_PROGRESS_INTERVAL=0` makes every progress step a line. */
function cli(args: string[], extraEnv: Record<string, string> = {}): Promise<Captured> {
  const [cmd, ...rest] = CLI(args);
  return run(cmd!, rest, { cwd: REPO_ROOT, env: { ...process.env, ...extraEnv }, timeoutMs: 120_000 });
}

/**
 * Runs a command on a pseudo-terminal (stdin, stdout and stderr all the terminal, 120×40) and returns what
 * the terminal showed and the exit code. With `interruptAfter`, types Ctrl-C once that text was shown
 * `times` times. The driver's own deadline kills the command after 120 s.
 */
const PTY_DRIVER = `
import fcntl, os, pty, select, signal, struct, sys, termios, time
stop_text, times, argv = sys.argv[1].encode(), int(sys.argv[2]), sys.argv[3:]
pid, fd = pty.fork()
if pid == 0:
    fcntl.ioctl(1, termios.TIOCSWINSZ, struct.pack('HHHH', 40, 120, 0, 0))
    os.execvp(argv[0], argv)
out, sent, deadline = b'', False, time.time() + 120
while time.time() < deadline:
    if not select.select([fd], [], [], 0.5)[0]:
        continue
    try:
        data = os.read(fd, 65536)
    except OSError:
        break
    if not data:
        break
    out += data
    if stop_text and not sent and out.count(stop_text) >= times:
        os.write(fd, b'\\x03')
        sent = True
else:
    os.kill(pid, signal.SIGKILL)
status = os.waitpid(pid, 0)[1]
sys.stdout.buffer.write(out)
sys.stderr.write('exit=%d' % os.waitstatus_to_exitcode(status))
`;

async function onTerminal(args: string[], interrupt?: { after: string; times: number }): Promise<{ screen: string; exitCode: number }> {
  const python = rqVersions()[0]!.python;
  const result = await run(python, ['-c', PTY_DRIVER, interrupt?.after ?? '', String(interrupt?.times ?? 0), ...CLI(args)], {
    cwd: REPO_ROOT,
    env: { ...process.env, RQTS_PROGRESS_INTERVAL: '' },
    timeoutMs: 150_000,
  });
  const code = /exit=(-?\d+)/.exec(result.stderr);
  if (!code) throw new Error(`pty driver failed:\n${result.all}`);
  return { screen: result.stdout, exitCode: Number(code[1]) };
}

describe('rqts info', () => {
  it('shows queues, registry counts and workers with their current job; --interval refreshes in place on a terminal', async () => {
    const rq = rqVersions()[0]!;
    const queue = uniqueName('op-info');
    const name = uniqueName('op-worker');
    const key = uniqueName('op-release');
    const worker = await startWorker({ rq, url: env.redis.url, queues: [queue], name });
    try {
      const job = await new Queue(queue, { connection: env.connection }).enqueue('mylib.block', key, 60);
      await until(async () => (await job.status) === 'started', 'the worker to start the blocking job', 60_000);

      const [json, text, rqText] = await Promise.all([cli(['info', '--json', queue]), cli(['info', queue]), rqInfo(rq, env.redis.url, { queues: [queue] })]);
      expect(json.exitCode, json.all).toBe(0);
      const parsed = JSON.parse(json.stdout) as { queues: unknown[]; workers: Record<string, unknown>[] };
      expect(parsed.queues).toEqual([{ name: queue, count: 0, started: 1, finished: 0, failed: 0, deferred: 0, scheduled: 0, canceled: 0 }]);
      expect(parsed.workers).toEqual([
        expect.objectContaining({ name, state: 'busy', queues: [queue], currentJob: job.id, currentJobDescription: `mylib.block('${key}', 60)`, failedJobCount: 0 }),
      ]);
      expect(text.exitCode, text.all).toBe(0);
      const out = lines(text.stdout);
      expect(out).toContain('1 queue, 0 jobs total');
      expect(out).toContainEqual(expect.stringMatching(/^worker +state +queues +current job$/));
      expect(out).toContainEqual(expect.stringMatching(new RegExp(`^${name} +busy +${queue} +${job.id} mylib\\.block\\('${key}', 60\\)$`)));
      expect(out.at(-1)).toBe('1 worker');
      // rq info sees the same worker on the same queue.
      expect(rqText.output).toContain(name);

      // -Q / -W leave a section out.
      const [onlyQueues, onlyWorkers] = await Promise.all([cli(['info', '-Q', '--json', queue]), cli(['info', '-W', '--json', queue])]);
      expect(Object.keys(JSON.parse(onlyQueues.stdout))).toEqual(['queues']);
      expect(Object.keys(JSON.parse(onlyWorkers.stdout))).toEqual(['workers']);

      // On a terminal: cleared once, then redrawn from the top each time; Ctrl-C ends it with exit 0.
      const tty = await onTerminal(['info', '--interval', '0.2', queue], { after: 'Updated:', times: 3 });
      expect(tty.exitCode, tty.screen).toBe(0);
      expect(tty.screen.split('\x1b[H\x1b[2J')).toHaveLength(2);
      expect(tty.screen.split('\x1b[H').length - 1).toBeGreaterThanOrEqual(3);
      expect(tty.screen).toMatch(new RegExp(`${name} +busy +${queue} +${job.id}`));

      // On a pipe: one snapshot after another (JSON Lines with --json), SIGINT ends it with exit 0.
      const [cmd, ...rest] = CLI(['info', '--interval', '0.2', '--json', queue]);
      const piped = await start(cmd!, rest, { cwd: REPO_ROOT, timeoutMs: 120_000 });
      await until(() => lines(piped.output()).length >= 3, 'three JSON snapshots', 60_000);
      piped.kill('SIGINT');
      const done = await piped.done;
      expect(done.exitCode, done.all).toBe(0);
      expect(done.stdout).not.toContain('\x1b');
      const snapshots = lines(done.stdout).map((l) => JSON.parse(l) as { workers: { currentJob: string }[] });
      expect(snapshots.length).toBeGreaterThanOrEqual(3);
      for (const s of snapshots) expect(s.workers[0]!.currentJob).toBe(job.id);

      await env.connection.command(['LPUSH', key, 'go']);
      expect(await job.wait({ timeout: 60_000 })).toBe('go');
    } finally {
      await worker.stop();
    }
  }, 300_000);

  it('refuses a bad --interval or both -Q and -W (exit 2, nothing read)', async () => {
    const results = await Promise.all([cli(['info', '--interval', '0']), cli(['info', '--interval', 'soon']), cli(['info', '-Q', '-W'])]);
    for (const r of results) expect(r.exitCode, r.all).toBe(2);
    expect(results[0]!.stderr).toContain('--interval takes a positive number of seconds, got 0');
    expect(results[2]!.stderr).toContain('not both');
  });
});

describe('rqts enqueue-many', () => {
  it('streams a JSON Lines file in batches; a real rq worker runs every job; progress lines on a pipe', async () => {
    const rq = rqVersions()[0]!;
    const queue = uniqueName('op-many');
    const file = join(dir, `${queue}.jsonl`);
    const rows: string[] = [];
    for (let i = 0; i < 23; i++) rows.push(JSON.stringify([i, 100]));
    rows.splice(5, 0, ''); // a blank line is passed over
    rows.push(JSON.stringify({ args: [1], kwargs: { y: 5 }, options: { jobId: `${queue}-kw`, resultTtl: 600, meta: { from: 'file' }, description: 'by kwargs' } }));
    rows.push(JSON.stringify({ args: [2, 3], options: { retry: { max: 2 }, jobTimeout: '3m' } }));
    writeFileSync(file, `${rows.join('\n')}\n`);

    const result = await cli(['enqueue-many', 'mylib.add', '--from', file, '-q', queue, '--batch-size', '10', '--json'], { RQTS_PROGRESS_INTERVAL: '0' });
    expect(result.exitCode, result.all).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ queue, enqueued: 25, lines: 26 });
    // One plain line per batch (10, 20, 25 jobs), then the final one; nothing on stdout but the JSON.
    const progress = lines(result.stderr);
    expect(progress.slice(0, 3)).toEqual([10, 20, 25].map((n) => expect.stringMatching(new RegExp(`^enqueue-many ${queue}: ${n} jobs, \\d[\\d,]* jobs/s, ETA `))));
    expect(progress.at(-1)).toMatch(new RegExp(`^enqueue-many ${queue}: 25 jobs, \\d[\\d,]* jobs/s, done in `));

    const q = new Queue(queue, { connection: env.connection });
    const ids = await q.jobIds;
    expect(ids).toHaveLength(25);
    const kw = await Job.fetch(`${queue}-kw`, { connection: env.connection });
    expect([kw.kwargs, kw.resultTtl, kw.description, await kw.meta]).toEqual([{ y: 5 }, 600, 'by kwargs', { from: 'file' }]);

    const worker = await runWorker({ rq, url: env.redis.url, queues: [queue], timeoutMs: 180_000 });
    expect(worker.exitCode, worker.log).toBe(0);
    const jobs = await Job.fetchMany(ids, { connection: env.connection });
    const results = await Promise.all(jobs.map((j) => j!.result));
    expect(results.slice(0, 23)).toEqual(Array.from({ length: 23 }, (_, i) => i + 100));
    expect(results.slice(23)).toEqual([6, 5]);
    expect(await Promise.all(jobs.map((j) => j!.status))).toEqual(Array(25).fill('finished'));
  }, 240_000);

  it('a bad line stops the run there: the lines before it are written, none after; --skip resumes', async () => {
    const queue = uniqueName('op-bad');
    const q = new Queue(queue, { connection: env.connection });
    const good = (i: number): string => JSON.stringify([i, 1]);
    const rows = Array.from({ length: 12 }, (_, i) => good(i + 1));
    rows[7] = JSON.stringify({ args: [8, 1], options: { jobTimeout: '3 minutes' } }); // line 8, in the second batch of 5
    const file = join(dir, `${queue}.jsonl`);
    writeFileSync(file, rows.join('\n'));

    const bad = await cli(['enqueue-many', 'mylib.add', '--from', file, '-q', queue, '--batch-size', '5', '--json']);
    expect(bad.exitCode, bad.all).toBe(1);
    expect(JSON.parse(bad.stdout)).toEqual({ queue, enqueued: 7, error: { line: 8, message: expect.stringMatching(/^Invalid jobTimeout \("3 minutes"\)/) } });
    expect(lines(bad.stderr)).toEqual([
      `rqts: ${file} line 8: ${JSON.parse(bad.stdout).error.message} (7 jobs enqueued from the lines before it, none from it on; fix it and resume with --skip 7)`,
    ]);
    expect(await q.count).toBe(7);

    // Fixed, resumed after the seven written lines: every line once.
    rows[7] = good(8);
    writeFileSync(file, rows.join('\n'));
    const resumed = await cli(['enqueue-many', 'mylib.add', '--from', file, '-q', queue, '--batch-size', '5', '--skip', '7']);
    expect(resumed.exitCode, resumed.all).toBe(0);
    expect(resumed.stdout).toBe(`Enqueued 5 jobs on ${queue} from 5 lines after skipping 7\n`);
    const jobs = await q.jobs;
    expect(jobs.map((j) => j.args[0])).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));

    // Lines that are not JSON, or not an array / {args, kwargs, options}.
    const cases: [string[], number, RegExp][] = [
      [[good(1), good(2), '{oops'], 3, /^line 3: not valid JSON/],
      [[good(1), '42'], 2, /^line 2: expected a JSON array of arguments or an object/],
      [['{"args": [1], "kw": {}}'], 1, /^line 1: unknown key "kw"/],
      [[good(1), '{"args": [1], "options": {"kwargs": {}}}'], 2, /^line 2: "options" cannot hold "kwargs"/],
    ];
    const others = cases.map(() => uniqueName('op-bad'));
    const runs = await Promise.all(
      cases.map(([content], i) => {
        const path = join(dir, `${others[i]}.jsonl`);
        writeFileSync(path, content.join('\n'));
        return cli(['enqueue-many', 'mylib.add', '--from', path, '-q', others[i]!]);
      }),
    );
    for (const [i, [, line, message]] of cases.entries()) {
      const r = runs[i]!;
      expect(r.exitCode, r.all).toBe(1);
      expect(r.stderr.replace(`rqts: ${join(dir, `${others[i]}.jsonl`)} `, '')).toMatch(message);
      expect(await new Queue(others[i]!, { connection: env.connection }).count).toBe(line - 1);
    }
  }, 120_000);

  it('refuses a missing file, extra arguments and bad numbers before writing (exit 2)', async () => {
    const queue = uniqueName('op-usage');
    const results = await Promise.all([
      cli(['enqueue-many', 'mylib.add', '--from', join(dir, 'missing.jsonl'), '-q', queue]),
      cli(['enqueue-many', 'mylib.add', '1', '--from', 'x.jsonl']),
      cli(['enqueue-many', 'mylib.add']),
      cli(['enqueue-many', 'mylib.add', '--from', 'x.jsonl', '--batch-size', '0']),
    ]);
    for (const r of results) expect(r.exitCode, r.all).toBe(2);
    expect(results.map((r) => lines(r.stderr)[0])).toEqual([
      `rqts: cannot read ${join(dir, 'missing.jsonl')}: no such file`,
      'rqts: unexpected argument 1: arguments come from the --from file',
      'rqts: give the jobs file with --from <file.jsonl> (- for stdin)',
      'rqts: --batch-size takes an integer ≥ 1, got 0',
    ]);
    expect(await env.connection.command(['KEYS', `*${queue}*`])).toEqual([]);
  });
});

describe('progress of long operations', () => {
  it('requeue --all, empty and enqueue-many: a bar with rate and ETA on a terminal; lines on stderr and untouched stdout on a pipe', async () => {
    const rq = rqVersions()[0]!;
    const queue = uniqueName('op-progress');
    const q = new Queue(queue, { connection: env.connection });
    await q.enqueueMany(Array.from({ length: 12 }, () => Queue.prepareData('mylib.fail')));
    const worker = await runWorker({ rq, url: env.redis.url, queues: [queue], timeoutMs: 180_000 });
    expect(worker.exitCode, worker.log).toBe(0);
    expect(await q.failedJobRegistry.count).toBe(12);

    // On a pipe: --json on stdout, progress lines on stderr.
    const piped = await cli(['requeue', '--all', '-q', queue, '--json'], { RQTS_PROGRESS_INTERVAL: '0' });
    expect(piped.exitCode, piped.all).toBe(0);
    expect(JSON.parse(piped.stdout)).toEqual({ queue, requeued: 12, failed: [] });
    const steps = lines(piped.stderr);
    expect(steps[0]).toMatch(new RegExp(`^requeue ${queue}: 1/12 jobs \\(8%\\), \\d[\\d,]* jobs/s, ETA \\S+$`));
    expect(steps.at(-1)).toMatch(new RegExp(`^requeue ${queue}: 12/12 jobs \\(100%\\), \\d[\\d,]* jobs/s, done in \\S+$`));
    expect(await q.count).toBe(12);

    // Quiet on a pipe unless a run outlasts the period: the default 5 s is longer than this empty.
    const quiet = await cli(['empty', queue, '--json']);
    expect(quiet.exitCode, quiet.all).toBe(0);
    expect(quiet.stderr).toBe('');
    expect(JSON.parse(quiet.stdout)).toEqual({ removed: { [queue]: 12 } });

    // On a terminal: a cli-progress bar with the count, rate and ETA, for each of the three commands.
    await q.enqueueMany(Array.from({ length: 2500 }, (_, i) => Queue.prepareData('mylib.add', [i, 1])));
    const file = join(dir, `${queue}.jsonl`);
    writeFileSync(file, Array.from({ length: 300 }, (_, i) => JSON.stringify([i, 2])).join('\n'));
    const emptied = await onTerminal(['empty', queue]);
    expect(emptied.exitCode, emptied.screen).toBe(0);
    expect(emptied.screen).toMatch(new RegExp(`empty ${queue} [█░]+ 100% \\| 2,500/2,500 jobs \\| [\\d,]+ jobs/s \\| ETA \\S+`));
    expect(emptied.screen).toContain(`2500 jobs removed from ${queue} queue`);
    const many = await onTerminal(['enqueue-many', 'mylib.add', '--from', file, '-q', queue, '--batch-size', '50']);
    expect(many.exitCode, many.screen).toBe(0);
    expect(many.screen).toMatch(new RegExp(`enqueue-many ${queue} [█░]+ 100% \\| 300 jobs \\| [\\d,]+ jobs/s \\| ETA`));
    expect(await q.count).toBe(300);
    await q.empty();
    await q.enqueueMany(Array.from({ length: 3 }, () => Queue.prepareData('mylib.fail')));
    const failing = await runWorker({ rq, url: env.redis.url, queues: [queue], timeoutMs: 180_000 });
    expect(failing.exitCode, failing.log).toBe(0);
    const requeued = await onTerminal(['requeue', '--all', '-q', queue]);
    expect(requeued.exitCode, requeued.screen).toBe(0);
    expect(requeued.screen).toMatch(new RegExp(`requeue ${queue} [█░]+ 100% \\| 3/3 jobs \\| [\\d,]+ jobs/s \\| ETA`));
    expect(requeued.screen).toContain(`Requeued 3 jobs from the failed job registry of ${queue}`);
  }, 300_000);
});
