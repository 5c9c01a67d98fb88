/**
 * ACL: rqts under the minimal users the README documents — a producer (enqueue, read, wait, cancel, delete,
 * requeue, empty, meta) and a Node worker — limited to `rq:*` keys and channels with no dangerous commands,
 * and no CLIENT UNBLOCK for waits. Redis checks a script's declared keys against the user's key patterns, so
 * running every Lua script here is also the check that each one declares only real keys: the last test fails
 * when a script in src/scripts.ts or src/worker/scripts.ts never ran under these users (add its operation here).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Connection, CronScheduler, Job, PermissionError, Queue, Worker, connect, getCronJobIds, resultOf } from '../../src/index.js';
import { LuaScript } from '../../src/connection.js';
import * as producerScripts from '../../src/scripts.js';
import * as workerScripts from '../../src/worker/scripts.js';
import { formatDatetime, nowMicros } from '../../src/record.js';
import { REPO_ROOT, startRedis, uniqueName, type RedisServer } from '../helpers/index.js';

/** The ACL rules the README gives (after `ACL SETUSER <name> on ><password>`). */
const PRODUCER_RULES = 'resetkeys ~rq:* resetchannels &rq:* -@all +@read +@write +@scripting -@dangerous +ping +publish';
const WORKER_RULES = `${PRODUCER_RULES} +subscribe +unsubscribe +client|id`;

let redis: RedisServer;
let admin: Connection;
let producer: Connection;
let workerConnection: Connection;

beforeAll(async () => {
  redis = await startRedis();
  admin = await connect(redis.url);
  await admin.command(['SCRIPT', 'FLUSH']);
  await admin.command(['ACL', 'SETUSER', 'producer', 'on', '>producer-pass', ...PRODUCER_RULES.split(' ')]);
  await admin.command(['ACL', 'SETUSER', 'rqworker', 'on', '>worker-pass', ...WORKER_RULES.split(' ')]);
  producer = await connect(`redis://producer:producer-pass@127.0.0.1:${redis.port}`);
  workerConnection = await connect(`redis://rqworker:worker-pass@127.0.0.1:${redis.port}`);
});

afterAll(async () => {
  await producer?.close();
  await workerConnection?.close();
  await admin?.close();
  await redis?.stop();
});

describe('the minimal ACL users', () => {
  it('the README documents these exact rules', () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    expect(readme).toContain(PRODUCER_RULES);
    expect(readme).toContain(WORKER_RULES.slice(PRODUCER_RULES.length).trim());
  });

  it('the producer user really is limited: other keys and CLIENT UNBLOCK are denied', async () => {
    await expect(producer.command(['SET', 'other:key', '1'])).rejects.toBeInstanceOf(PermissionError);
    await expect(producer.command(['CLIENT', 'UNBLOCK', '1'])).rejects.toBeInstanceOf(PermissionError);
    await expect(producer.command(['FLUSHALL'])).rejects.toBeInstanceOf(PermissionError);
  });

  it('every producer operation, waits, and a Node worker work; job.delete() of a job without a group too', async () => {
    const queue = new Queue(uniqueName('acl'), { connection: producer });
    const a = await queue.enqueue<number>('mylib.add', 1, 2);
    const [b] = await queue.enqueueMany([Queue.prepareData('mylib.add', [3, 4], { dependsOn: a })]);
    const failing = await queue.enqueue('mylib.fail');
    const scheduled = await queue.enqueueIn('1h', 'mylib.add', 0, 0);
    const meta = await queue.enqueue('mylib.add', 5, 5);
    await (await Job.fetch(meta.id, { connection: producer })).saveMeta({ step: 1 });
    expect(await meta.meta).toEqual({ step: 1 });
    const canceled = await queue.enqueue('mylib.add', 6, 6);
    await canceled.cancel();
    expect(await canceled.status).toBe('canceled');
    const canceledWithOptions = await queue.enqueue('mylib.add', 7, 7);
    await canceledWithOptions.cancel({ enqueueDependents: true, removeFromDependencies: true });
    expect(await canceledWithOptions.status).toBe('canceled');
    expect(await queue.compact()).toBeGreaterThanOrEqual(0);
    // Futures (deferred jobs): release, and cancel and delete before release, each its own script.
    const releasing = await queue.enqueueCall('mylib.add', { args: [8, 8], deferred: true });
    await queue.enqueueCall('mylib.add', { args: [9, 9], blockedBy: releasing });
    expect((await releasing.release()).released).toBe(true);
    const canceledFuture = await queue.enqueueCall('mylib.add', { args: [0, 1], deferred: true });
    await canceledFuture.cancel();
    expect(await canceledFuture.status).toBe('canceled');
    const deletedFuture = await queue.enqueueCall('mylib.add', { args: [0, 2], deferred: true });
    await deletedFuture.delete();
    expect(await Job.exists(deletedFuture.id, { connection: producer })).toBe(false);
    // Groups: written by the enqueue script with their set, canceled job by job (cancelWaitingJob), deleted.
    const group = await queue.enqueueGroup([Queue.prepareData('mylib.add', [0, 3]), Queue.prepareData('mylib.add', [0, 4])]);
    expect(await group.cancel()).toBe(2);
    await group.delete();
    expect(await group.count).toBe(0);
    // Results as arguments: the Node worker reads the parents' results under the worker user.
    const sum = await queue.enqueue<number>('mylib.add', resultOf(a), resultOf(b!));
    // The fault this issue fixed: the script declared '' as the group key, which no key pattern matches.
    await scheduled.delete();
    expect(await Job.exists(scheduled.id, { connection: producer })).toBe(false);

    // Waits with no CLIENT ID / CLIENT UNBLOCK: the second joins while the first one's block runs.
    const waitA = a.wait({ timeout: 30_000 });
    const waitB = b!.wait({ timeout: 30_000 });
    const ran: string[] = [];
    const worker = new Worker({
      connection: workerConnection,
      queues: [queue.name],
      burst: true,
      dequeueTimeout: 1,
      withScheduler: true, // its lock and enqueue scripts run under the worker user too
      handlers: {
        'mylib.add': (x: number, y: number) => (ran.push(`${x}+${y}`), x + y),
        'mylib.fail': () => {
          throw new Error('intentional failure');
        },
      },
      logger: { info() {}, warn() {}, error() {} },
    });
    await worker.work();
    // Slots that finish in the same tick share one finish script (finishJobs): four jobs released together.
    const together = await Promise.all([1, 2, 3, 4].map((i) => queue.enqueue('mylib.together', i)));
    let arrived = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    await new Worker({
      connection: workerConnection, queues: [queue.name], burst: true, concurrency: 4, logger: { info() {}, warn() {}, error() {} },
      handlers: {
        'mylib.together': async (i: number) => {
          if (++arrived === 4) release();
          await gate;
          return i;
        },
      },
    }).work();
    expect(await Promise.all(together.map((j) => j.wait({ timeout: 30_000 })))).toEqual([1, 2, 3, 4]);
    expect(await waitA).toBe(3);
    expect(await waitB).toBe(7);
    expect(await sum.wait({ timeout: 30_000 })).toBe(10);
    expect(await failing.status).toBe('failed');
    expect(ran).toContain('5+5');
    expect(ran).not.toContain('6+6');
    expect(ran).not.toContain('7+7');
    expect(ran.indexOf('9+9')).toBeLessThan(ran.indexOf('8+8'));
    expect(ran).toContain('8+8');

    // A failed job requeued, then the queue emptied.
    await failing.requeue();
    expect(await failing.status).toBe('queued');
    expect(await queue.empty()).toBe(1);
  });

  it('a job heartbeat (every 20 s or more in a real run) passes the ACL with its declared keys', async () => {
    const id = uniqueName('beat');
    const t = formatDatetime(nowMicros());
    const keys = workerScripts.runningJobKeys(id, 'q', 'exec1', 'w1');
    expect(await workerConnection.script(workerScripts.JOB_HEARTBEAT, keys, [t, '1', '2', `${id}:exec1`, '60', 'exec1', '3', '120', '0', '2'])).toBe(1);
  });

  it('a synchronous run (isAsync: false) records its outcome under the producer user', async () => {
    const job = await new Queue(uniqueName('aclsync'), { connection: producer }).enqueue('mylib.add', 1, 1);
    const t = formatDatetime(nowMicros());
    const { keys, args } = producerScripts.syncFinishArgs({
      outcome: 'success', jobId: job.id, origin: job.origin, startedAt: t, endedAt: t, nowSeconds: Math.floor(Date.now() / 1000),
      returnValue: '', excString: '', defaultResultTtl: 500, defaultFailureTtl: 31536000,
    });
    await producer.script(producerScripts.SYNC_FINISH, keys, args);
    expect(await job.status).toBe('finished');
  });

  it('a CronScheduler runs under the producer user (no MULTI): register, enqueue, save, heartbeat, unregister', async () => {
    const quiet = { info: () => {}, warn: () => {}, error: () => {} };
    const scheduler = new CronScheduler({ connection: producer, logger: quiet, handleSignals: false });
    const name = uniqueName('acl-cron');
    scheduler.register('mylib.add', { queueName: uniqueName('aclcron'), interval: 60, args: [1, 1], name });
    await scheduler.registerBirth();
    expect(await scheduler.enqueueJobs()).toHaveLength(1);
    await scheduler.save();
    await scheduler.heartbeat();
    const [id] = await getCronJobIds(name, { connection: producer });
    expect(await (await Job.fetch(id!, { connection: producer })).status).toBe('queued');
    await scheduler.registerDeath();
    expect(await producer.command(['ZSCORE', 'rq:cron_schedulers', scheduler.name])).toBeNull();
  });

  it('every Lua script rqts has ran under these users (add an operation above for a new one)', async () => {
    const scripts = [...Object.values(producerScripts), ...Object.values(workerScripts)].filter((v): v is LuaScript => v instanceof LuaScript);
    // ENQUEUE_JOBS is reached through enqueueJobsArgs.
    scripts.push(producerScripts.enqueueJobsArgs([]).script);
    expect(scripts.length).toBeGreaterThanOrEqual(12);
    const loaded = (await admin.command(['SCRIPT', 'EXISTS', ...scripts.map((s) => s.sha)])) as number[];
    const missing = scripts.filter((_, i) => loaded[i] !== 1).map((s) => s.name);
    expect(missing).toEqual([]);
    // And none was denied on the way.
    const log = ((await admin.command(['ACL', 'LOG'])) as unknown[]).map(String).join(' ');
    expect(log).not.toMatch(/evalsha|eval\b/i);
  });
});
