/**
 * The `rqts` command line, run as a child process (`node --import tsx src/cli/index.ts`) against a private
 * Redis and a real Python `rq worker`; plus the tsc-built file run with plain `node`.
 */
import { copyFileSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Defaults, Job, Queue } from '../../src/index.js';
import { bufferOutput } from '../../src/cli/common.js';
import { enqueue } from '../../src/cli/enqueue.js';
import { info } from '../../src/cli/info.js';
import { expectExpiry, privateRedis, redisNowMs, REPO_ROOT, rqVersions, runWorker, uniqueName } from '../helpers/index.js';
import { forgetTempDir, run, start, trackTempDir, type Captured, type Spawned } from '../helpers/processes.js';

const env = privateRedis();
const VERSION = (JSON.parse(readFileSync(`${REPO_ROOT}/package.json`, 'utf8')) as { version: string }).version;

/** `rqts <args>` from the sources; `-u <private redis>` first unless `url: false`. */
function cliArgs(args: string[], url = true): string[] {
  return ['--import', 'tsx', `${REPO_ROOT}/src/cli/index.ts`, ...(url ? ['-u', env.redis.url] : []), ...args];
}
function cli(args: string[], opts: { url?: boolean; env?: Record<string, string> } = {}): Promise<Captured> {
  return run(process.execPath, cliArgs(args, opts.url ?? true), { cwd: REPO_ROOT, env: { ...process.env, ...opts.env }, timeoutMs: 60_000 });
}
const lines = (text: string): string[] => text.split('\n').filter((l) => l !== '');

async function until(what: string, cond: () => Promise<boolean>, children: Spawned[]): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${children.map((c) => c.output()).join('\n')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// The tsc build runs while the other tests do; the last test awaits it.
let buildDir = '';
let build: Promise<Captured>;
beforeAll(() => {
  buildDir = mkdtempSync(join(tmpdir(), 'rqts-cli-build-'));
  trackTempDir(buildDir);
  copyFileSync(`${REPO_ROOT}/package.json`, `${buildDir}/package.json`);
  symlinkSync(`${REPO_ROOT}/node_modules`, `${buildDir}/node_modules`);
  const tsc = `${REPO_ROOT}/node_modules/typescript/bin/tsc`;
  // prettier-ignore
  build = run(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', `${buildDir}/dist`, '--noCheck',
    '--declaration', 'false', '--sourceMap', 'false'], { cwd: REPO_ROOT, timeoutMs: 120_000 });
});
afterAll(async () => {
  await build?.catch(() => {});
  if (buildDir) forgetTempDir(buildDir);
});

describe('rqts enqueue', () => {
  it('JSON and string args, kwargs, job id and options; --wait prints the result, or the Python exception', async () => {
    const rq = rqVersions()[0]!;
    const queue = uniqueName('cli');
    const jobId = uniqueName('cli-job');
    // prettier-ignore
    const ok = await start(process.execPath, cliArgs([
      'enqueue', 'mylib.echo_types', '1', '"x"', '[1,2]', 'hello', ':"7"', '12345678901234567890',
      '--kwargs', '{"k":true,"n":null}', '--job-id', jobId, '-q', queue, '--timeout', '7m', '--result-ttl', '600',
      '--description', 'from the cli', '--wait', '30000',
    ]), { cwd: REPO_ROOT });
    const failing = await start(process.execPath, cliArgs(['enqueue', 'mylib.fail', '--queue', queue, '--wait=30000']), { cwd: REPO_ROOT });
    const q = new Queue(queue, { connection: env.connection });
    await until('both jobs in the queue', async () => (await q.count) === 2, [ok, failing]);

    const worker = await runWorker({ rq, url: env.redis.url, queues: [queue] });
    expect(worker.exitCode, worker.log).toBe(0);

    const done = await ok.done;
    expect(done.exitCode, done.all).toBe(0);
    expect(done.stderr).toBe('');
    const [id, result, ...more] = lines(done.stdout);
    expect(id).toBe(jobId);
    expect(more).toEqual([]);
    expect(JSON.parse(result!)).toEqual({
      args: [1, 'x', [1, 2], 'hello', '7', 12345678901234567890],
      kwargs: { k: true, n: null },
      types: ['int', 'str', 'list', 'str', 'str', 'int'],
    });
    expect(result).toContain('12345678901234567890'); // exact, not 12345678901234567000
    const job = await Job.fetch(jobId, { connection: env.connection });
    expect([job.timeout, job.resultTtl, job.description]).toEqual([420, 600, 'from the cli']);

    const failed = await failing.done;
    expect(failed.exitCode, failed.all).toBe(1);
    const [failedId] = lines(failed.stdout);
    expect(await job.status).toBe('finished');
    expect(lines(failed.stderr)).toEqual([`rqts: JobFailedError: Job ${failedId} failed: ValueError: intentional failure from mylib.fail`]);
  });

  it('-S json writes a JSON payload; --at-front goes to the head; a plain enqueue prints only the job id', async () => {
    const queue = uniqueName('cli-json');
    const first = await new Queue(queue, { connection: env.connection, serializer: 'json' }).enqueue('mylib.add', 0, 0);
    const done = await cli(['-S', 'json', 'enqueue', 'mylib.add', '2', '3', '-q', queue, '--at-front']);
    expect(done.exitCode, done.all).toBe(0);
    const [id, ...more] = lines(done.stdout);
    expect(more).toEqual([]);
    const job = await Job.fetch(id!, { connection: env.connection, serializer: 'json' }); // would not decode if pickled
    expect([job.funcName, job.args, job.kwargs, job.timeout]).toEqual(['mylib.add', [2, 3], {}, Defaults.JOB_TIMEOUT]);
    expect(await new Queue(queue, { connection: env.connection }).jobIds).toEqual([id, first.id]);
  });
});

describe('rqts info, requeue and empty', () => {
  it('count the run with one failed job, requeue it, empty the queue', async () => {
    const rq = rqVersions()[0]!;
    const queue = uniqueName('cli');
    const enqueued = await Promise.all([cli(['enqueue', 'mylib.add', '1', '2', '-q', queue]), cli(['enqueue', 'mylib.fail', '-q', queue])]);
    for (const e of enqueued) expect(e.exitCode, e.all).toBe(0);
    const worker = await runWorker({ rq, url: env.redis.url, queues: [queue] });
    expect(worker.exitCode, worker.log).toBe(0);

    const [table, json, all] = await Promise.all([cli(['info', queue]), cli(['info', '--json', queue]), cli(['info', '--json'])]);
    expect(table.exitCode, table.all).toBe(0);
    expect(lines(table.stdout)).toEqual([
      expect.stringMatching(/^queue +queued +started +finished +failed +deferred +scheduled +canceled$/),
      expect.stringMatching(new RegExp(`^${queue} +0 +0 +1 +1 +0 +0 +0$`)),
      '1 queue, 0 jobs total',
      '0 workers', // the burst worker is gone
    ]);
    const counts = { name: queue, count: 0, started: 0, finished: 1, failed: 1, deferred: 0, scheduled: 0, canceled: 0 };
    expect(JSON.parse(json.stdout)).toEqual({ queues: [counts], workers: [] });
    expect(JSON.parse(all.stdout).queues).toContainEqual(counts);

    const requeued = await cli(['requeue', '--all', '--queue', queue]);
    expect(requeued.exitCode, requeued.all).toBe(0);
    expect(requeued.stdout).toBe(`Requeued 1 job from the failed job registry of ${queue}\n`);
    // The URL from REDIS_URL when -u is not given.
    const after = await cli(['info', '--json', queue], { url: false, env: { REDIS_URL: env.redis.url } });
    expect(JSON.parse(after.stdout)).toEqual({ queues: [{ ...counts, count: 1, failed: 0 }], workers: [] });

    const emptied = await cli(['empty', queue]);
    expect(emptied.exitCode, emptied.all).toBe(0);
    expect(emptied.stdout).toBe(`1 job removed from ${queue} queue\n`);
    expect(await new Queue(queue, { connection: env.connection }).count).toBe(0);
  }, 180_000); // six CLI processes and a worker: over a minute on a loaded 2-core machine

  it('the commands can be called directly with an output sink', async () => {
    const queue = uniqueName('cli-direct');
    const io = bufferOutput();
    const context = { connection: env.connection, serializer: 'pickle' };
    expect(await enqueue({ ...context, func: 'mylib.add', args: [1, 2], queue, jobId: uniqueName('direct') }, io)).toBe(0);
    expect(await info({ ...context, queues: [queue], json: true }, io)).toBe(0);
    expect(io.stdout).toHaveLength(2);
    expect(JSON.parse(io.stdout[1]!).queues[0]).toMatchObject({ name: queue, count: 1 });
    expect(io.stderr).toEqual([]);
  });
});

describe('rqts errors and help', () => {
  it('bad usage exits 2 with the usage text and touches nothing', async () => {
    // Keys of earlier tests (a worker hash after its death) may expire meanwhile: compare key sets, not sizes.
    const before = await keySet();
    const cases: [string[], RegExp][] = [
      [[], /missing command/],
      [['frobnicate'], /unknown command: frobnicate/],
      [['info', '--frob'], /Unknown option '--frob'/],
      [['enqueue'], /missing the function/],
      [['enqueue', 'mylib.add', '--kwargs', '[1]'], /--kwargs must be a JSON object/],
      [['enqueue', 'mylib.add', '--kwargs', '{nope'], /--kwargs is not valid JSON/],
      [['enqueue', 'mylib.add', ':[1,'], /argument 1 \(:\[1,\) is not valid JSON/],
      [['enqueue', 'mylib.add', '--wait=soon'], /--wait takes milliseconds/],
      [['enqueue', 'mylib.add', '-1'], /Unknown option '-1'/],
      [['requeue'], /give --all or at least one job id/],
      [['requeue', '--all', 'some-id'], /not both/],
      [['empty'], /give at least one queue name/],
    ];
    const results = await Promise.all(cases.map(([args]) => cli(args)));
    results.forEach((result, i) => {
      const [args, message] = cases[i]!;
      const name = args[0] && !args[0].startsWith('-') && args[0] !== 'frobnicate' ? `${args[0]} ` : '';
      expect(result.exitCode, `rqts ${args.join(' ')}\n${result.all}`).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(message);
      expect(result.stderr).toContain(`Usage: rqts ${name}[options]`);
    });
    expect([...(await keySet())].filter((k) => !before.has(k))).toEqual([]);
  });

  it('an invalid job id exits 1 with the InvalidArgumentError message and writes nothing', async () => {
    const queue = uniqueName('cli-bad');
    // Keys of earlier tests (a worker hash after its death) may expire meanwhile: compare key sets, not sizes.
    const before = await keySet();
    const [enq, req] = await Promise.all([
      cli(['enqueue', 'mylib.add', '1', '2', '-q', queue, '--job-id', 'a:b']),
      cli(['requeue', '-q', queue, 'fine-id', 'a:b']),
    ]);
    expect(enq.exitCode, enq.all).toBe(1);
    expect(enq.stdout).toBe('');
    expect(enq.stderr).toBe(
      'rqts: InvalidArgumentError: Invalid jobId ("a:b"): job ids may contain only letters, digits, "_" and "-" (RQ 2.8+ rule)\n',
    );
    expect(req.exitCode, req.all).toBe(1);
    expect(req.stdout).toBe('');
    expect(lines(req.stderr)).toEqual([expect.stringMatching(/^rqts: InvalidArgumentError: Invalid ids\[1\] \("a:b"\)/)]);
    expect([...(await keySet())].filter((k) => !before.has(k))).toEqual([]);
    expect(await env.connection.command(['KEYS', `*${queue}*`])).toEqual([]);
  });

  it('a job that is not in the failed registry is reported and exits 1', async () => {
    const result = await cli(['requeue', '-q', uniqueName('cli'), 'not-failed']);
    expect(result.exitCode, result.all).toBe(1);
    expect(result.stdout).toMatch(/^Requeued 0 jobs/);
    expect(lines(result.stderr)).toEqual([expect.stringMatching(/^rqts: could not requeue not-failed: Job not-failed is not in the failed registry/)]);
  });

  it('--help, <command> --help and --version', async () => {
    const [help, commandHelp, version] = await Promise.all([cli(['--help'], { url: false }), cli(['enqueue', '--help']), cli(['--version'], { url: false })]);
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toMatch(/^Usage: rqts \[options\] <command>/);
    for (const name of ['info', 'enqueue', 'requeue', 'empty']) expect(help.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
    expect(commandHelp.exitCode).toBe(0);
    expect(commandHelp.stdout).toMatch(/^Usage: rqts enqueue \[options\] <dotted\.function> \[arg\.\.\.\]/);
    expect(commandHelp.stdout).toContain('--kwargs <json>');
    expect(version.stdout).toBe(`${VERSION}\n`);
  });

  it('the tsc build has a shebang and runs with plain node', async () => {
    const built = await build;
    expect(built.exitCode, built.all).toBe(0);
    const file = `${buildDir}/dist/cli/index.js`;
    expect(readFileSync(file, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
    const [version, json] = await Promise.all([
      run(process.execPath, [file, '--version'], { timeoutMs: 30_000 }),
      run(process.execPath, [file, '-u', env.redis.url, 'info', '--json', 'nothing-here'], { timeoutMs: 30_000 }),
    ]);
    expect(version.stdout).toBe(`${VERSION}\n`);
    expect(json.exitCode, json.all).toBe(0);
    expect(JSON.parse(json.stdout).queues[0]).toMatchObject({ name: 'nothing-here', count: 0 });
  }, 120_000);
});

describe('rqts worker', () => {
  it('runs the JS tasks its --require modules register, then exits in burst mode', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rqts-cli-tasks-'));
    trackTempDir(dir);
    const tasks = join(dir, 'tasks.mts');
    // The task module imports the same rqts module the CLI runs, so job() registers where the worker looks.
    writeFileSync(tasks, `import { job } from ${JSON.stringify(`${REPO_ROOT}/src/index.ts`)};\nexport const shout = job({ name: 'clitasks.shout' })((s: string) => s.toUpperCase() + '!');\n`);
    const queue = new Queue(uniqueName('cliw'), { connection: env.connection });
    const ok = await queue.enqueue('clitasks.shout', 'hi');
    const unknown = await queue.enqueue('clitasks.missing');
    const result = await cli(['worker', '--burst', '--require', tasks, '--results-ttl', '60', queue.name]);
    const doneBy = Math.ceil(await redisNowMs(env.connection));
    expect(result.exitCode, result.all).toBe(0);
    expect(result.stdout).toContain('tasks: clitasks.shout');
    expect(result.stdout).toContain('1 finished, 1 failed');
    expect(await ok.wait({ timeout: 5_000 })).toBe('HI!');
    expect(await unknown.status).toBe('failed');
    await expectExpiry(env.connection, `rq:job:${ok.id}`, 60, { from: (await ok.endedAt)!.getTime(), to: doneBy });
    forgetTempDir(dir);
  });

  it('refuses to start without queues or task modules', async () => {
    expect((await cli(['worker', 'q'])).exitCode).toBe(2);
    expect((await cli(['worker', '--require', 'x.mjs'])).exitCode).toBe(2);
    expect((await cli(['worker', '--results-ttl', '1.5', '--require', 'x.mjs', 'q'])).exitCode).toBe(2);
  });
});

async function keySet(): Promise<Set<string>> {
  const reply = await env.connection.command(['KEYS', '*']);
  return new Set(Array.isArray(reply) ? reply.map(String) : []);
}
