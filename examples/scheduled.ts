/**
 * Scheduled jobs: `enqueueIn` (after a delay) and `enqueueAt` (at a time), RQ's `enqueue_in`/`enqueue_at`.
 *
 *   npx tsx examples/scheduled.ts      (Redis at REDIS_URL and `rq worker --with-scheduler default`: examples/README.md)
 *
 * Scheduled jobs wait in the queue's scheduled registry until an RQ scheduler moves them onto the queue: a
 * worker started with `--with-scheduler` (plain workers never look at them). Times are whole seconds.
 */
import assert from 'node:assert/strict';
import { Queue } from '../src/index.js';

await using queue = new Queue('default', { connection: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0' });

// #region schedule
const inTwoSeconds = await queue.enqueueIn<number>('2s', 'mylib.add', 1, 2); // or a number of seconds
const at = new Date(Date.now() + 3_000);
const atTime = await queue.enqueueAt<number>(at, 'mylib.add', 3, 4);         // a Date is an absolute time

console.log(await inTwoSeconds.status, await atTime.status);               // scheduled scheduled
console.log(await queue.scheduledJobRegistry.contains(atTime));            // true
console.log(await inTwoSeconds.wait({ timeout: 30_000 }), await atTime.wait({ timeout: 30_000 })); // 3 7
// #endregion schedule
assert.equal(await inTwoSeconds.result, 3);
assert.equal(await atTime.result, 7);

// Neither ran before its time (the scheduler works in whole seconds, so allow for the rounding down).
const started = (await atTime.startedAt)!;
console.log(`atTime was due at ${at.toISOString()} and started at ${started.toISOString()}`);
assert.ok(started.getTime() >= Math.floor(at.getTime() / 1000) * 1000, 'atTime started before its time');
assert.ok(!(await queue.scheduledJobRegistry.contains(atTime)));
