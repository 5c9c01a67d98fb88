/**
 * Cron: functions enqueued on a schedule by a Node CronScheduler (RQ 2.5+'s `rq cron`), run by Python workers.
 *
 *   npx tsx examples/cron.ts      (Redis at REDIS_URL and `rq worker default`: examples/README.md)
 *
 * The scheduler registers in Redis as RQ's own does (`rq:cron_schedulers`), so RQ's `CronScheduler.all()`
 * lists it; the jobs it enqueues are ordinary jobs that any RQ worker runs (1.x too). Stop it with `stop()`,
 * SIGINT or SIGTERM; `rqts cron <config module>` runs one from a config module, as `rq cron` does.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect, CronScheduler, getCronJobIds, Job } from '../src/index.js';

const connection = await connect(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0');

// #region cron
const scheduler = new CronScheduler({ connection });
// Every 2 seconds, the first time at start (RQ's `interval=`).
scheduler.register('mylib.add', { queueName: 'default', interval: 2, args: [1, 2], name: 'add-every-2s' });
// A cron string, in UTC as RQ reads it: 09:00 Monday to Friday (the first time is the next match).
const report = scheduler.register('mylib.echo', { queueName: 'default', cron: '0 9 * * 1-5', args: ['weekday report'], resultTtl: 3600 });
const running = scheduler.start(); // until stop(), SIGINT or SIGTERM

let ids: string[] = [];
while ((ids = await getCronJobIds('add-every-2s', { connection })).length < 2) await sleep(200); // newest first
const sums = await Promise.all(ids.slice(0, 2).map(async (id) => (await Job.fetch<number>(id, { connection })).wait({ timeout: 30_000 })));
console.log(`add-every-2s: ${sums.join(' ')}`); // add-every-2s: 3 3 (two jobs, run by the Python worker)
console.log(`next weekday report at ${report.nextEnqueueTime?.toISOString()}`);

await scheduler.stop(); // after the pass in progress; leaves rq:cron_schedulers
await running;
// #endregion cron
assert.deepEqual(sums, [3, 3]);
assert.equal(await connection.command(['ZSCORE', 'rq:cron_schedulers', scheduler.name]), null);
await connection.close();
