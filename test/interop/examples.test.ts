/**
 * Every file in examples/ runs here the way its header says to run it (`tsx examples/X.ts` with REDIS_URL
 * set), against a private Redis, while a real Python `rq worker --with-scheduler` serves the queue the way it
 * would beside a service: the examples never start workers themselves. Each example checks its own results
 * and exits non-zero otherwise; here the exit code and the values it printed are checked.
 *
 * Also: the README's code blocks are the example regions they name, examples/README.md lists every example,
 * and the TypeDoc API reference (`npm run docs`) builds with no public type left unexported.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Connection, Job } from '../../src/index.js';
import { buildServer } from '../../examples/http-service.js';
import { PYTHON_DIR, REPO_ROOT, rqVersion, rqVersions, runPython, startRedis, type RedisServer } from '../helpers/index.js';
import { run, type Captured } from '../helpers/processes.js';
import { startWorker, type WorkerProcess } from '../helpers/rq.js';

const EXAMPLES_DIR = join(REPO_ROOT, 'examples');
const TSX = join(REPO_ROOT, 'node_modules/.bin/tsx');
/** The newest installed RQ runs the examples' jobs; producer.test.ts covers every version. */
const rq = rqVersions()[0]!;

let redis: RedisServer;
let worker: WorkerProcess;

beforeAll(async () => {
  redis = await startRedis();
  worker = await startWorker({ rq, url: redis.url, queues: ['default'], withScheduler: true });
});

afterAll(async () => {
  await worker?.stop();
  await redis?.stop();
});

/** `tsx examples/<file>` with REDIS_URL pointing at the private Redis. */
function runExample(file: string, env: Record<string, string> = {}): Promise<Captured> {
  return run(TSX, [join('examples', file)], {
    cwd: REPO_ROOT,
    env: { ...process.env, REDIS_URL: redis.url, ...env },
    timeoutMs: 90_000,
  });
}

function expectSuccess(result: Captured): void {
  expect(result.timedOut, result.all).toBe(false);
  expect(result.exitCode, result.all).toBe(0);
}

describe.concurrent('examples', () => {
  it('enqueue-and-wait.ts', async () => {
    const result = await runExample('enqueue-and-wait.ts');
    expectSuccess(result);
    expect(result.stdout).toMatch(/^enqueued mylib\.add\(1, 2\) as [0-9a-f-]{36}$/m);
    expect(result.stdout).toContain('mylib.add(1, 2) = 3');
    expect(result.stdout).toContain("[ [ 'monthly' ], { month: '2026-01' } ]");
    expect(result.stdout).toContain("{ requestedBy: 'alice' }");
    expect(result.stdout).toContain('mylib.fail() raised ValueError');
  });

  it('decorators.ts', async () => {
    const result = await runExample('decorators.ts');
    expectSuccess(result);
    expect(result.stdout).toContain('3 42');
    expect(result.stdout).toMatch(/mylib\.add: mylib\.add\(1, 2\); mylib\.add: order 42 total \(order-\d+\)/);
    expect(result.stdout).toContain('hello-rq-world\ntext.slugify\n');
  });

  it('node-worker.ts: a Node worker runs the JS job, the Python worker its dependent', async () => {
    const result = await runExample('node-worker.ts');
    expectSuccess(result);
    expect(result.stdout).toMatch(/^4 5$/m);
    // Worker.all lists the Python worker serving the examples and the example's own Node worker.
    expect(result.stdout).toMatch(new RegExp(`^worker \\S+: \\w+ on default, \\d+ done, ${rq.version.replace(/\./g, '\\.')}$`, 'm'));
    expect(result.stdout).toMatch(/^worker \S+: (idle|busy|started) on node, 1 done, rqts-/m);
  });

  it('dataflow.ts: resultOf arguments and a followed chain, on the Python worker with the helper', async () => {
    const result = await runExample('dataflow.ts');
    expectSuccess(result);
    expect(result.stdout).toMatch(/^mylib\.add\(<result of [0-9a-f-]{36}>, <result of [0-9a-f-]{36}>\)\n10\n/m);
    expect(result.stdout).toContain("[ [ 'sum' ], { parts: [ 3, 7 ], total: 10 } ]");
    expect(result.stdout).toContain('done\ntrue\n[ 3, 7, 11 ]\n3\n333833500\n');
  });

  it('dependencies-and-bulk.ts', async () => {
    const result = await runExample('dependencies-and-bulk.ts');
    expectSuccess(result);
    expect(result.stdout).toContain('total is deferred\n30\n');
    expect(result.stdout).toContain('risky failed: ValueError');
    expect(result.stdout).toContain("[ [ 'cleanup' ], {} ]");
    expect(result.stdout).toContain('strict is deferred');
    expect(result.stdout).toContain('[ 3, 7, 100 ]');
  });

  it('deferred-jobs.ts: held jobs run after release, before their future', async () => {
    const result = await runExample('deferred-jobs.ts');
    expectSuccess(result);
    expect(result.stdout).toContain('report is deferred, imports are deferred\n{ released: true, heldJobs: 3, futureQueued: false }\n');
    expect(result.stdout).toContain("[ [ 'daily report' ], {} ]\ncanceled\n[ 3, 7, 100 ]\n");
  });

  it('scheduled.ts (the worker runs with --with-scheduler)', async () => {
    const result = await runExample('scheduled.ts');
    expectSuccess(result);
    expect(result.stdout).toContain('scheduled scheduled\ntrue\n3 7\n');
  });

  it('cron.ts: a Node CronScheduler enqueues every 2 s, the Python worker runs the jobs', async () => {
    const result = await runExample('cron.ts');
    expectSuccess(result);
    expect(result.stdout).toContain('add-every-2s: 3 3\n');
    expect(result.stdout).toMatch(/^next weekday report at \d{4}-\d\d-\d\dT09:00:00\.000Z$/m);
    expect(result.stdout).toMatch(/CronScheduler \S+: registering death/);
  });

  it('http-service.ts as a script: serves, calls itself over HTTP, stops', async () => {
    const result = await runExample('http-service.ts');
    expectSuccess(result);
    expect(result.stdout).toMatch(/^listening on http:\/\/127\.0\.0\.1:\d+$/m);
    expect(result.stdout).toMatch(/GET \/jobs\/[0-9a-f-]{36} → \{"status":"finished","result":42\}/);
    expect(result.stdout).toContain('POST /jobs {"x":1} → 400');
    expect(result.stdout).toContain('GET /jobs/no-such-job → 404');
  });

  it('http-service.ts buildServer(), in process: 202, 200, 400 and 404, and nothing written on a 400', async () => {
    // Rejections are checked on a database nobody else uses (other examples run concurrently on db 0).
    const quiet = await Connection.from(`${redis.url}/9`).open();
    const rejecting = buildServer(quiet);
    try {
      const bad = await rejecting.inject({ method: 'POST', url: '/jobs', payload: { x: 1, y: 'two' } });
      expect(bad.statusCode).toBe(400);
      expect((await rejecting.inject({ url: '/jobs/a:b' })).statusCode).toBe(400);
      expect((await rejecting.inject({ url: '/jobs/never-enqueued' })).statusCode).toBe(404);
      expect(await quiet.command(['DBSIZE'])).toBe(0);
    } finally {
      await rejecting.close();
      await quiet.close();
    }

    const connection = await Connection.from(redis.url).open();
    const app = buildServer(connection);
    try {
      const created = await app.inject({ method: 'POST', url: '/jobs', payload: { x: 2, y: 3 } });
      expect(created.statusCode).toBe(202);
      const { id } = created.json<{ id: string }>();
      expect(await (await Job.fetch(id, { connection })).wait({ timeout: 30_000 })).toBe(5);
      const got = await app.inject({ url: `/jobs/${id}` });
      expect(got.statusCode).toBe(200);
      expect(got.json()).toEqual({ status: 'finished', result: 5 });
    } finally {
      await app.close();
      await connection.close();
    }
  });

  it('testing.ts: isAsync: false runs Python and JS jobs at enqueue, with no worker', async () => {
    const result = await runExample('testing.ts', { RQ_PYTHON: rq.python, PYTHONPATH: PYTHON_DIR });
    expectSuccess(result);
    expect(result.stdout).toContain('finished 3\n42\nHELLO\nfailed ValueError: intentional failure from mylib.fail\n');
  });

  it('mixed-deployment.ts: TS → Python worker, and a Python producer read back by TS', async () => {
    // Without the Python producer's job, the example says so and fails instead of passing vacuously.
    const missing = await runExample('mixed-deployment.ts');
    expect(missing.exitCode, missing.all).toBe(2);
    expect(missing.stderr).toContain('run examples/mixed_deployment_producer.py first');

    // The test plays the Python service (what examples/README.md tells a reader to run by hand)...
    const producer = await runPython(rq, readFileSync(join(EXAMPLES_DIR, 'mixed_deployment_producer.py'), 'utf8'), { url: redis.url });
    expect(producer.exitCode, producer.stderr).toBe(0);
    expect(producer.stdout.trim()).toBe('py-invoice-42');
    const driven = await runExample('mixed-deployment.ts');
    expectSuccess(driven);

    // ...or the example spawns it (RQ_PYTHON).
    const spawned = await runExample('mixed-deployment.ts', { RQ_PYTHON: rq.python });
    expectSuccess(spawned);
    expect(spawned.stdout).toContain('the Python producer enqueued py-invoice-42');
    for (const result of [driven, spawned]) {
      expect(result.stdout).toContain('int float float str bytes tuple datetime NoneType int');
      expect(result.stdout).toContain("Set(1) { 'a' }");
      expect(result.stdout).toContain("mylib.echo [ 'invoice', 42 ] { currency: 'EUR', lines: [ 1, 2 ] }");
      expect(result.stdout).toContain("{ source: 'billing.py', at: 2026-01-31T12:00:00.000Z }");
      expect(result.stdout).toContain("[ [ 'invoice', 42 ], { currency: 'EUR', lines: [ 1, 2 ] } ]");
    }
    // Three example runs (each with its own 90 s deadline) and a Python producer: the test's budget is their
    // sum, so only a run that overruns its own deadline fails it (37 s alone at load 33, over 180 s in a full run).
  }, 330_000);

  it('telemetry.ts: one trace from a Node request span into a traced Python worker', async () => {
    const result = await runExample('telemetry.ts', { RQ_PYTHON: rqVersion('rq-2.12').python });
    expectSuccess(result);
    expect(result.stdout).toMatch(/^meta: \{"traceparent":"00-[0-9a-f]{32}-[0-9a-f]{16}-01"\}$/m);
    expect(result.stdout).toContain('mylib.add(2, 3) = 5');
    expect(result.stdout).toContain(
      ['POST /orders [INTERNAL, node]', '  publish traced [PRODUCER, node]', '    consume traced [CONSUMER, python]'].join('\n'),
    );
    expect(result.stdout).toContain('      perform [CLIENT, python]');
    expect(result.stdout).toContain('  wait traced [INTERNAL, node]');
  });

  it('demo.ts (npm run demo without the bootstrap): its own Redis, burst workers of every RQ version and a Node worker', async () => {
    const result = await run(TSX, ['examples/demo.ts'], { cwd: REPO_ROOT, env: process.env, timeoutMs: 120_000 });
    expectSuccess(result);
    // Four jobs per RQ version and serializer, plus the Node → Python chain.
    const rows = rqVersions().length * 2 * 4 + 2;
    expect(result.stdout).toContain(`${rows} of ${rows} outcomes as expected; 0 worker runs failed.`);
    expect(result.stdout).toMatch(/node worker\s+pickle\s+demo\.sum\(\[1, 2, 3, 4\]\) in JS\s+10\s+ok/);
  }, 150_000);
});

describe.concurrent('docs', () => {
  it('README code blocks are copied from the example regions they name', () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const blocks = [...readme.matchAll(/<!-- from (examples\/[\w.-]+)#([\w-]+) -->\n```ts\n([\s\S]*?)```/g)];
    expect(blocks.length).toBeGreaterThanOrEqual(3);
    for (const [, file, region, code] of blocks) {
      expect(code, `${file}#${region}`).toBe(exampleRegion(file!, region!));
    }
  });

  it('examples/README.md lists every example with its command', () => {
    const index = readFileSync(join(EXAMPLES_DIR, 'README.md'), 'utf8');
    for (const file of readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith('.ts'))) {
      expect(index, file).toContain(`npx tsx examples/${file}`);
    }
  });

  it('the API reference builds with every type the public API mentions exported', async () => {
    const result = await run(join(REPO_ROOT, 'node_modules/.bin/typedoc'), ['--emit', 'none'], {
      cwd: REPO_ROOT,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
      timeoutMs: 120_000,
    });
    expect(result.exitCode, result.all).toBe(0);
    const warnings = result.all.split('\n').filter((line) => /\[warning\]/.test(line) && !/Found \d+ errors and \d+ warnings/.test(line));
    expect(warnings, result.all).toEqual([]);
  }, 150_000);
});

// After every example has run (the describe blocks above run first).
it('the Python worker stops cleanly, having failed only the jobs meant to fail', async () => {
  // A warm shutdown only (a cold one 60 s later at the earliest): an idle worker's shutdown ends by itself,
  // however long a loaded machine takes, and a second SIGTERM would kill it halfway (exit code null).
  const { exitCode, log } = await worker.stop({ graceMs: 60_000 });
  expect(exitCode, log).toBe(0);
  expect(log).toMatch(/Listening on .*default/);
  const tracebacks = log.split('Traceback (most recent call last)').slice(1);
  expect(tracebacks.length, log).toBeGreaterThan(0); // enqueue-and-wait and dependencies-and-bulk each fail one
  for (const chunk of tracebacks) expect(chunk.slice(0, 4000), log).toContain('intentional failure from mylib.fail');
}, 120_000);

/** The lines between `// #region name` and `// #endregion name`, dedented, with the package's own import path. */
function exampleRegion(file: string, region: string): string {
  const text = readFileSync(join(REPO_ROOT, file), 'utf8');
  const match = new RegExp(`^([ \\t]*)// #region ${region}\\n([\\s\\S]*?)^[ \\t]*// #endregion ${region}$`, 'm').exec(text);
  if (!match) throw new Error(`${file} has no region ${region}`);
  const indent = match[1]!.length;
  return match[2]!
    .split('\n')
    .map((line) => line.slice(Math.min(indent, line.length - line.trimStart().length)))
    .join('\n')
    .replaceAll("'../src/index.js'", "'rqts'");
}
