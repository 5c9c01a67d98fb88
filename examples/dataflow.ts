/**
 * Dataflow: one job's result as another job's argument (`resultOf`), waits that follow a job which
 * returns a reference to another job, groups of jobs (RQ 2.x's `Group`) and map/reduce.
 *
 *   npx tsx examples/dataflow.ts      (Redis at REDIS_URL and `rq worker default` with the helper: examples/README.md)
 *
 * The Python workers need the helper module that ships with rqts (`pip install node_modules/rqts/python`,
 * or `python/` of this repository on their PYTHONPATH).
 */
import assert from 'node:assert/strict';
// #region result-of
import { Group, Queue, ResultRef, resultOf } from '../src/index.js';

await using queue = new Queue('default', { connection: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0' });
const wait = { timeout: 30_000 };

const a = await queue.enqueue<number>('mylib.add', 1, 2);
const b = await queue.enqueue<number>('mylib.add', 3, 4);
// Runs mylib.add(3, 7) once a and b have finished (it depends on both, as with dependsOn).
const total = await queue.enqueue<number>('mylib.add', resultOf(a), resultOf(b));
console.log(total.description);       // mylib.add(<result of 5c1f…>, <result of 9ab2…>)
console.log(await total.wait(wait));  // 10

// References may sit anywhere in args and kwargs, nested in lists and objects.
const report = await queue.enqueueCall('mylib.echo', { args: ['sum'], kwargs: { parts: [resultOf(a), resultOf(b)], total: resultOf(total) } });
console.log(await report.wait(wait)); // [ [ 'sum' ], { parts: [ 3, 7 ], total: 10 } ]
// #endregion result-of
assert.equal(total.description, `mylib.add(<result of ${a.id}>, <result of ${b.id}>)`);
assert.deepEqual(await report.result, [['sum'], { parts: [3, 7], total: 10 }]);

// #region follow
// mylib.chain(2, 'done') enqueues mylib.chain(1, 'done') and returns rqts_dataflow.result_of(that job), and
// so on: wait() follows the references to the end of the chain, under one timeout.
const chain = await queue.enqueue<string>('mylib.chain', 2, 'done');
console.log(await chain.wait(wait));                             // done
const next = await chain.wait({ ...wait, follow: false });       // the reference itself
console.log(next instanceof ResultRef);                          // true
// #endregion follow
assert.ok(next instanceof ResultRef);
assert.notEqual(next.jobId, chain.id);

// #region group
// A group (RQ 2.x's Group: rq:group:<name>, and group_id on each job; RQ 2.x's Group.fetch(name) lists it).
const group = await queue.enqueueGroup<number>(
  [Queue.prepareData('mylib.add', [1, 2]), Queue.prepareData('mylib.add', [3, 4]), Queue.prepareData('mylib.add', [5, 6])],
  { name: `adds-${Date.now()}` },
);
console.log(await group.results(wait));                      // [ 3, 7, 11 ] (item order)
const again = await Group.fetch<number>(group.name, { connection: queue.connection });
console.log(await again.count);                              // 3
// #endregion group
assert.deepEqual(await again.results(wait), [3, 7, 11]);

// #region map-reduce
// map: one job per chunk of 500 items, written in batches as the generator yields; reduce: one job that
// waits for the whole group and gets every result, in item order, as its first argument.
function* numbers(n: number) {
  for (let i = 1; i <= n; i++) yield i;
}
const sumOfSquares = await queue.map('mylib.square', numbers(1_000), { chunkSize: 500 }).reduce<number>('mylib.total').wait(wait);
console.log(sumOfSquares); // 333833500
// #endregion map-reduce
assert.equal(sumOfSquares, 333_833_500);
