/**
 * A mixed deployment: a Node service and Python services share RQ queues on one Redis.
 *
 *   1. TypeScript enqueues, a stock Python `rq worker` runs the job, TypeScript reads the result.
 *   2. A Python producer enqueues (plain Python RQ); TypeScript finds the job and reads it all back.
 *
 *   npx tsx examples/mixed-deployment.ts      (Redis at REDIS_URL and `rq worker default`: examples/README.md)
 *
 * The Python side of part 2 is examples/mixed_deployment_producer.py; run it first, or set RQ_PYTHON to a
 * Python that has RQ installed and this example runs it for you. In short it does:
 *
 *     queue = Queue('default', connection=Redis.from_url(REDIS_URL))
 *     queue.enqueue('mylib.echo', 'invoice', 42, currency='EUR', lines=(1, 2),
 *                   job_id='py-invoice-42', meta={'source': 'billing.py', 'at': datetime(2026, 1, 31, 12, 0, tzinfo=timezone.utc)})
 *
 * Both sides must use the same serializer: RQ's default is pickle, and so is rqts's.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { connect, Job, NoSuchJobError, py, Queue } from '../src/index.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0';
await using connection = await connect(REDIS_URL);
const queue = new Queue('default', { connection, serializer: 'pickle' }); // 'json' if the workers use --serializer json

// ---- 1. TypeScript producer → Python worker -----------------------------------------------------------
// #region ts-to-python
// JS values arrive in Python as the Python types a Python producer would have sent.
const typed = await queue.enqueueCall('mylib.echo_types', {
  args: [7, 2.5, py.float(3), 'text', Buffer.from('bytes'), py.tuple(1, 2), new Date('2026-01-31T12:00:00Z'), null, 2n ** 70n],
  kwargs: { tags: new Set(['a']) },
});
const seen = (await typed.wait({ timeout: 30_000 })) as { types: string[]; kwargs: { tags: Set<string> } };
console.log(seen.types.join(' ')); // int float float str bytes tuple datetime NoneType int
console.log(seen.kwargs.tags);     // Set(1) { 'a' }: a Python set comes back as a Set
// #endregion ts-to-python
assert.deepEqual(seen.types, ['int', 'float', 'float', 'str', 'bytes', 'tuple', 'datetime', 'NoneType', 'int']);
assert.deepEqual(seen.kwargs.tags, new Set(['a']));

// ---- 2. Python producer → TypeScript reader ----------------------------------------------------------
if (process.env.RQ_PYTHON) {
  const script = fileURLToPath(new URL('./mixed_deployment_producer.py', import.meta.url));
  const id = execFileSync(process.env.RQ_PYTHON, [script], { env: { ...process.env, REDIS_URL }, encoding: 'utf8' }).trim();
  console.log(`the Python producer enqueued ${id}`);
}

// #region python-to-ts
let invoice: Job;
try {
  invoice = await Job.fetch('py-invoice-42', { connection }); // the id the Python producer chose
} catch (error) {
  if (!(error instanceof NoSuchJobError)) throw error;
  console.error('No job py-invoice-42: run examples/mixed_deployment_producer.py first, or set RQ_PYTHON.');
  process.exit(2);
}
console.log(invoice.funcName, invoice.args, invoice.kwargs); // mylib.echo [ 'invoice', 42 ] { currency: 'EUR', lines: [ 1, 2 ] }
console.log(await invoice.meta);                             // { source: 'billing.py', at: 2026-01-31T12:00:00.000Z }
console.log(await invoice.wait({ timeout: 30_000 }));        // [ [ 'invoice', 42 ], { currency: 'EUR', lines: [ 1, 2 ] } ]
// #endregion python-to-ts
assert.equal(invoice.funcName, 'mylib.echo');
assert.deepEqual([...invoice.args], ['invoice', 42]);
assert.equal(invoice.kwargs.currency, 'EUR');
assert.deepEqual([...(invoice.kwargs.lines as number[])], [1, 2]); // a Python tuple: py.tuple(1, 2)
const meta = await invoice.meta;
assert.equal(meta.source, 'billing.py');
assert.equal((meta.at as Date).toISOString(), '2026-01-31T12:00:00.000Z');
assert.equal(await invoice.status, 'finished');
const [args, kwargs] = (await invoice.result) as [unknown[], Record<string, unknown>];
assert.deepEqual([...args], ['invoice', 42]);
assert.equal(kwargs.currency, 'EUR');
