/**
 * A Node worker beside Python ones: JS functions run on a Node worker that speaks RQ's protocol, so
 * `rq info`, Python producers and Python workers see its jobs like any other. Here one JS job's dependent is
 * a Python job, which goes to the Python worker's `default` queue once the JS job has finished. Then it lists
 * the registered workers (the Python one too) and shuts its own down with a worker command.
 *
 *   npx tsx examples/node-worker.ts      (Redis at REDIS_URL and `rq worker default`: examples/README.md)
 */
import assert from 'node:assert/strict';
// #region worker
import { connect, getCurrentJob, job, Queue, sendShutdownCommand, Worker } from '../src/index.js';

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
// #endregion worker

// #region inspect
// Every registered worker, Python's and Node's alike (RQ's Worker.all), and a command to one of them.
for (const w of await Worker.all({ connection })) {
  console.log(`worker ${w.name}: ${w.state} on ${w.queues.join(',')}, ${w.successfulJobCount} done, ${w.version}`);
}
await sendShutdownCommand(connection, worker.name); // as worker.stop(): finishes the current job, unregisters
await working;
// #endregion inspect
assert.equal(await counted.result, 4);
assert.equal(await python.result, 5);
await connection.close();
