/**
 * `isAsync: false` (RQ's `Queue(is_async=False)`): every enqueue runs the job before it resolves. Python
 * functions go through the real RQ `Queue.run_sync` of each installed version in a child process; JS tasks
 * run in-process. Python reads both back exactly as its own synchronous run's records.
 */
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError, Job, Queue, job } from '../../src/index.js';
import { PYTHON_DIR, privateRedis, rqVersions, runPythonJson, uniqueName, type PySerializer } from '../helpers/index.js';
import { pyPrelude } from '../helpers/python.js';
import { trackTempDir } from '../helpers/processes.js';

const env = privateRedis();
const newest = rqVersions()[0]!;

beforeAll(() => {
  // The child interpreter inherits the environment: mylib must be importable, as for a worker.
  process.env.PYTHONPATH = [PYTHON_DIR, process.env.PYTHONPATH].filter(Boolean).join(':');
});

/** What Python sees of a job: every fact its synchronous run records, with times reduced to presence. */
const DESCRIBE = `
def describe(i):
    job = fetch(i)
    raw = {k.decode(): v.decode('latin1') for k, v in conn.hgetall(job.key).items()}
    results = job.results() if hasattr(job, 'results') else []
    q = Queue(job.origin, connection=conn, serializer=S)
    ttl = conn.ttl(job.key)
    return {
        'status': status_of(job), 'value': value_of(job) if status_of(job) == 'finished' else None,
        'fields': sorted(k for k in raw if k not in ('data', 'meta', 'description', 'created_at', 'result_ttl', 'failure_ttl')),
        'empty': sorted(k for k, v in raw.items() if v == ''),
        'worker_name': raw.get('worker_name'), 'in_queue': i.encode() in conn.lrange(q.key, 0, -1),
        'finished': i in q.finished_job_registry.get_job_ids(), 'failed': i in q.failed_job_registry.get_job_ids(),
        'results': [(int(r.type.value if hasattr(r.type, 'value') else r.type), r.exc_string is not None and r.exc_string.strip().splitlines()[-1]) for r in results],
        'ttl': 'none' if ttl < 0 else ('result' if ttl <= 500 else 'failure'),
        'results_ttl': 'none' if conn.ttl('rq:results:' + i) < 0 else 'set',
        'callback': (conn.get('mylib:on_success:' + i) or conn.get('mylib:on_failure:' + i) or b'').decode() or None,
    }
`;

/**
 * Equal as Python reads them. The hash may hold more fields than an RQ 1.x job of its own: those rqts writes
 * at enqueue for newer RQ versions (1.x ignores them; test/interop/producer.test.ts covers that).
 */
function expectSameRecord(ours: Record<string, unknown>, native: Record<string, unknown>): void {
  const newer = new Set(['group_id', 'stopped_callback_name', 'success_callback_timeout', 'failure_callback_timeout', 'stopped_callback_timeout']);
  const trim = (r: Record<string, unknown>, others: Record<string, unknown>) => ({
    ...r,
    fields: (r.fields as string[]).filter((f) => !newer.has(f) || (others.fields as string[]).includes(f)),
    empty: (r.empty as string[]).filter((f) => !newer.has(f) || (others.fields as string[]).includes(f)),
  });
  expect(trim(ours, native)).toEqual(native);
}

describe.each(rqVersions())('isAsync: false with RQ $version', (rq) => {
  it.each(['pickle', 'json'] as const)('runs Python jobs through RQ run_sync, recorded as Python records its own (%s)', async (serializer) => {
    const queue = new Queue(uniqueName('sync'), { connection: env.connection, serializer, isAsync: false, python: rq.python });
    const ok = await queue.enqueueCall<number>('mylib.add', { args: [1, 2], onSuccess: 'mylib.on_success' });
    const bad = await queue.enqueueCall('mylib.fail', { onFailure: 'mylib.on_failure' });
    // Resolved with the finished (and failed) job, result included.
    expect(await ok.status).toBe('finished');
    expect(await ok.result).toBe(3);
    expect(await bad.status).toBe('failed');
    expect((await bad.latestResult())?.excString).toContain('ValueError: intentional failure');
    // A dependent enqueued after its parent finished runs too; one on a job nobody ran stays deferred.
    const child = await queue.enqueueCall<number>('mylib.add', { args: [2, 2], dependsOn: ok });
    expect(await child.result).toBe(4);
    const pending = await new Queue(uniqueName('later'), { connection: env.connection, serializer }).enqueue('mylib.noop');
    const waiting = await queue.enqueueCall('mylib.noop', { dependsOn: pending });
    expect(await waiting.status).toBe('deferred');
    // job() stubs honour it through their queue.
    const add = job<[number, number], number>('mylib.add', { queue });
    const viaStub = await add.delay(20, 22);
    expect([await viaStub.status, await viaStub.result]).toEqual(['finished', 42]);

    const read = await runPythonJson<Record<string, Record<string, unknown>>>(rq, `${pyPrelude(serializer)}${DESCRIBE}
import mylib
native = Queue(${JSON.stringify(queue.name)}, connection=conn, serializer=S, is_async=False)
n_ok = native.enqueue('mylib.add', 1, 2, on_success=mylib.on_success)
n_bad = native.enqueue('mylib.fail', on_failure=mylib.on_failure)
print(json.dumps({'ok': describe(${JSON.stringify(ok.id)}), 'bad': describe(${JSON.stringify(bad.id)}),
  'native_ok': describe(n_ok.id), 'native_bad': describe(n_bad.id)}))`, { url: env.redis.url });
    expectSameRecord(read.ok!, read.native_ok!);
    expectSameRecord(read.bad!, read.native_bad!);
    expect(read.ok).toMatchObject({ status: 'finished', value: 3, worker_name: 'sync', in_queue: false, finished: true, callback: '3' });
    expect(read.bad).toMatchObject({ status: 'failed', failed: true, in_queue: false, callback: "ValueError('intentional failure from mylib.fail')" });
  }, 120_000);
});

describe('isAsync: false with a JS task', () => {
  it.each(['pickle', 'json'] as const)('runs in-process and is recorded as RQ 2.x run_sync records a job (%s)', async (serializer: PySerializer) => {
    const suffix = serializer;
    const double = job({ name: `synctasks.double_${suffix}` })(async (n: number) => n * 2);
    const boom = job({ name: `synctasks.boom_${suffix}` })(() => {
      throw new TypeError('boom in sync');
    });
    const queue = new Queue(uniqueName('syncjs'), { connection: env.connection, serializer, isAsync: false, python: newest.python });
    const ok = await queue.enqueue<number>(double.funcName, 21);
    const bad = await queue.enqueue(boom.funcName);
    const keep = await queue.enqueueCall<number>(double.funcName, { args: [1], resultTtl: -1 });
    const gone = await queue.enqueueCall<number>(double.funcName, { args: [2], resultTtl: 0 });
    expect([await ok.status, await ok.result]).toEqual(['finished', 42]);
    expect(await bad.status).toBe('failed');
    expect((await bad.latestResult())?.excString).toContain('TypeError: boom in sync');
    expect(await queue.count).toBe(0);
    expect(await Job.exists(gone.id, { connection: env.connection })).toBe(false);
    expect(Number(await env.connection.command(['TTL', `rq:job:${keep.id}`]))).toBe(-1);
    // The in-process path writes what RQ 2.12's run_sync writes for a Python job; every version reads it.
    for (const rq of rqVersions()) {
      const read = await runPythonJson<Record<string, Record<string, unknown>>>(rq, `${pyPrelude(serializer)}${DESCRIBE}
out = {'ok': describe(${JSON.stringify(ok.id)}), 'bad': describe(${JSON.stringify(bad.id)})}
${rq === newest ? `native = Queue(${JSON.stringify(queue.name)}, connection=conn, serializer=S, is_async=False)
out['native_ok'] = describe(native.enqueue('mylib.add', 20, 22).id)
out['native_bad'] = describe(native.enqueue('mylib.fail').id)` : ''}
print(json.dumps(out))`, { url: env.redis.url });
      expect(read.ok, rq.label).toMatchObject({ status: 'finished', value: 42, worker_name: 'sync', finished: true, in_queue: false, results: [[1, false]] });
      expect(read.bad, rq.label).toMatchObject({ status: 'failed', failed: true, in_queue: false, results: [[2, 'TypeError: boom in sync']] });
      if (rq === newest) {
        expectSameRecord(read.ok!, read.native_ok!);
        expectSameRecord({ ...read.bad, results: null }, { ...read.native_bad, results: null });
      }
    }
  }, 120_000);
});

describe('isAsync: false — bad input, nothing written', () => {
  it('rejects scheduling, a missing interpreter or RQ, superjson for Python, Python callbacks on a JS task', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rqts-sync-'));
    trackTempDir(dir);
    // An interpreter that runs but cannot import RQ: Python without its site-packages.
    const bare = join(dir, 'python-without-rq');
    writeFileSync(bare, `#!/bin/sh\nexec ${newest.python} -S -I "$@"\n`);
    chmodSync(bare, 0o755);
    const jsTask = job({ name: 'synctasks.plain' })(() => 1);
    const name = uniqueName('syncbad');
    const before = await env.connection.command(['DBSIZE']);
    const sync = (options: object = {}) => new Queue(name, { connection: env.connection, isAsync: false, python: newest.python, ...options });
    const cases: [() => Promise<unknown>, string][] = [
      [() => sync().enqueueAt(new Date(Date.now() + 60_000), 'mylib.add', 1, 2), 'isAsync'],
      [() => sync().enqueueIn(60, 'mylib.add', 1, 2), 'isAsync'],
      [() => sync({ python: join(dir, 'no-such-python') }).enqueue('mylib.add', 1, 2), 'python'],
      [() => sync({ python: bare }).enqueue('mylib.add', 1, 2), 'python'],
      [() => sync({ serializer: 'superjson' }).enqueue('mylib.add', 1, 2), 'serializer'],
      [() => sync().enqueueCall(jsTask.funcName, { onSuccess: 'mylib.on_success' }), 'onSuccess'],
      [() => sync().enqueueMany([Queue.prepareData('mylib.add', [1, 2]), Queue.prepareData('mylib.add', [1, 2], { onFailure: 'x.y' }), Queue.prepareData(jsTask.funcName, [], { onFailure: 'x.y' })]), 'enqueueMany[2].onFailure'],
    ];
    for (const [promise, option] of cases) {
      const error = await promise().catch((e: unknown) => e);
      expect(error, option).toBeInstanceOf(InvalidArgumentError);
      expect((error as InvalidArgumentError).option, String(error)).toBe(option);
    }
    const missing = await sync({ python: bare }).enqueue('mylib.add', 1, 2).catch((e: unknown) => e);
    expect(String(missing)).toMatch(/RQ is not installed/);
    expect(() => new Queue(name, { connection: env.connection, isAsync: 'no' as unknown as boolean })).toThrow(InvalidArgumentError);
    expect(await env.connection.command(['DBSIZE'])).toBe(before);
  }, 60_000);
});
