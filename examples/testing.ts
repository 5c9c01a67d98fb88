/**
 * Testing code that enqueues, without a worker: a queue with `isAsync: false` (RQ's `is_async=False`) runs
 * each job before the enqueue resolves. Python functions run through the real RQ code in a Python child
 * process; JS tasks run in this process. The records in Redis are the ones RQ's synchronous run writes.
 *
 *   PYTHONPATH=test/python RQ_PYTHON=.venv/rq-2.12/bin/python npx tsx examples/testing.ts
 *   (Redis at REDIS_URL; no worker needed: examples/README.md)
 */
import assert from 'node:assert/strict';
// #region sync
import { connect, job, Queue } from '../src/index.js';

const connection = await connect(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0');
// In a test: the same queue name your code uses, but jobs run at enqueue, with no worker.
const queue = new Queue('default', { connection, isAsync: false, python: process.env.RQ_PYTHON ?? 'python3' });

const sum = await queue.enqueue<number>('mylib.add', 1, 2); // a Python function, run by RQ's own run_sync
console.log(await sum.status, await sum.result);            // finished 3

// Code under test that uses job() stubs gets the same behaviour by binding them to that queue.
const add = job<[x: number, y: number], number>('mylib.add', { queue });
const fromStub = await add.delay(40, 2);
console.log(await fromStub.result);                          // 42

// A JS task registered with job() runs in this process.
const shout = job({ name: 'texts.shout' })((text: string) => text.toUpperCase());
const shouted = await queue.enqueue<string>(shout.funcName, 'hello');
console.log(await shouted.result);                           // HELLO

// Failures are recorded as a worker would record them, not thrown at the enqueue.
const failed = await queue.enqueue('mylib.fail');
console.log(await failed.status, (await failed.latestResult())?.excString?.trim().split('\n').pop());
// failed ValueError: intentional failure from mylib.fail
// #endregion sync
assert.equal(await sum.result, 3);
assert.equal(await fromStub.result, 42);
assert.equal(await shouted.result, 'HELLO');
assert.equal(await failed.status, 'failed');
assert.equal(await queue.count, 0); // nothing left for a worker
await connection.close();
