/**
 * A Node worker beside Python ones: JS functions run on a Node worker that speaks RQ's protocol, so
 * `rq info`, Python producers and Python workers see its jobs like any other. Here one JS job's dependent is
 * a Python job, which goes to the Python worker's `default` queue once the JS job has finished.
 *
 *   npx tsx examples/node-worker.ts      (Redis at REDIS_URL and `rq worker default`: examples/README.md)
 */
import assert from 'node:assert/strict';
// #region worker
import { connect, getCurrentJob, job, Queue, Worker } from '../src/index.js';

const connection = await connect(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0');

// A JS task, registered by name so a Node worker can run it (and callable directly, too).
const wordCount = job({ queue: 'node', connection, name: 'texts.word_count' })(async (text: string) => {
  console.log(`running ${getCurrentJob()?.job.id}`);
  return text.split(/\s+/).filter(Boolean).length;
});

const worker = new Worker({ connection, queues: ['node'] }); // runs texts.word_count and any other job() task
const working = worker.work();                               // until worker.stop()

const counted = await wordCount.delay('the quick brown fox');
// A Python job that waits for the JS one, run by the Python worker on `default`.
const python = await new Queue('default', { connection }).enqueueCall<number>('mylib.add', { args: [4, 1], dependsOn: counted });
console.log(await counted.wait({ timeout: 30_000 }), await python.wait({ timeout: 30_000 })); // 4 5

await worker.stop(); // finishes the current job, unregisters
await working;
// #endregion worker
assert.equal(await counted.result, 4);
assert.equal(await python.result, 5);
await connection.close();
