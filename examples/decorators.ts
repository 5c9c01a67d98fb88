/**
 * `job()`, RQ's `@job` decorator for TypeScript: a typed stub for a Python function (its arguments and
 * result type-checked by tsc), and a JS function made enqueueable under a stable name.
 *
 *   npx tsx examples/decorators.ts      (Redis at REDIS_URL and `rq worker default`: examples/README.md)
 */
import assert from 'node:assert/strict';
// #region decorator
import { connect, job, setDefaultConnection } from '../src/index.js';

// Tasks are defined once, at module level, like `@job('default')` in Python. Options given here apply to
// every call; the connection comes later (setDefaultConnection / withConnection), or as `{ connection }`.
const add = job<[x: number, y: number], number>('mylib.add', { queue: 'default', jobTimeout: '1m', resultTtl: 600 });

const connection = await connect(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0');
setDefaultConnection(connection); // RQ's push_connection / `with Connection(redis):`

const three = await add.delay(1, 2); // Job<number>
const order = await add.delayWith({ jobId: `order-${Date.now()}`, meta: { order: 42 }, description: 'order 42 total' }, 40, 2);
// @ts-expect-error: mylib.add takes two numbers; tsc rejects this call before anything is sent.
add.prepareData('one', 2);

console.log(await three.wait({ timeout: 30_000 }), await order.wait({ timeout: 30_000 })); // 3 42
// #endregion decorator
assert.equal(await three.result, 3);
assert.equal(await order.result, 42);
assert.match(order.id, /^order-\d+$/);
assert.equal(order.description, 'order 42 total');
assert.deepEqual(await order.meta, { order: 42 });
assert.equal(three.timeout, 60);
assert.equal(three.resultTtl, 600);
console.log(`${three.funcName}: ${three.description}; ${order.funcName}: ${order.description} (${order.id})`);

// #region js-function
// A JS function wrapped with job() stays an ordinary function; it also gets delay() & co. and is registered
// under `name`, the func_name a Node worker will look it up by (Python workers cannot run it).
const slugify = job({ name: 'text.slugify', queue: 'node' })(function slugify(title: string): string {
  return title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
});

console.log(slugify('Hello, RQ world!')); // hello-rq-world: a direct call, nothing is enqueued
console.log(slugify.funcName);            // text.slugify
console.log(slugify.prepareData('Hi'));   // { func: 'text.slugify', options: { args: [ 'Hi' ] } }
// #endregion js-function
assert.equal(slugify('Hello, RQ world!'), 'hello-rq-world');
assert.equal(slugify.funcName, 'text.slugify');
assert.equal(slugify.prepareData('Hi').func, 'text.slugify');

setDefaultConnection(null);
await connection.close();
