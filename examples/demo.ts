/**
 * `npm run demo` — the main job, end to end on this machine:
 * a private redis-server, jobs enqueued from TypeScript, a real Python `rq worker` of every installed RQ
 * version (pickle and JSON) running them, and the outcomes read back with `job.wait()` (a blocking read on
 * the results stream, started before the worker runs). Then a mixed chain: a job for the Node worker whose
 * dependent runs on a Python worker.
 */
import { Connection, JobFailedError, Queue, Retry, Worker } from '../src/index.js';
import { rqVersions, runWorker, startRedis } from '../test/helpers/index.js';

interface Row {
  rq: string;
  serializer: string;
  job: string;
  expected: string;
  got: string;
  ok: boolean;
}

const redis = await startRedis();
const connection = await Connection.from(redis.url).open();
const rows: Row[] = [];
let workerFailures = 0;

try {
  for (const rq of rqVersions()) {
    for (const serializer of ['pickle', 'json'] as const) {
      const queue = new Queue(`demo-${rq.label}-${serializer}`, { connection, serializer });
      const add = await queue.enqueue<number>('mylib.add', 1, 2);
      const echo = await queue.enqueueCall('mylib.echo', { args: ['hello', [1, 2]], kwargs: { from: 'typescript' } });
      const fail = await queue.enqueueCall('mylib.fail', { retry: new Retry({ max: 1 }) });
      const chained = await queue.enqueueCall<number>('mylib.add', { args: [40, 2], dependsOn: add });

      // Waits begin now, before any worker exists; each resolves when the worker writes its result.
      const outcomes = [add, echo, chained, fail].map((job) =>
        job.wait({ timeout: 60_000 }).then(
          (value) => JSON.stringify(value),
          (error: unknown) => (error instanceof JobFailedError ? `JobFailedError(${error.excType})` : String(error)),
        ),
      );
      const run = await runWorker({ rq, url: redis.url, queues: [queue.name], serializer });
      if (run.exitCode !== 0) {
        workerFailures += 1;
        console.error(run.log);
      }
      const [a, e, c, f] = await Promise.all(outcomes);
      const expectations: [string, string, string][] = [
        ['mylib.add(1, 2)', '3', a!],
        ["mylib.echo('hello', [1, 2], from='typescript')", '[["hello",[1,2]],{"from":"typescript"}]', e!],
        ['mylib.add(40, 2) after add', '42', c!],
        ['mylib.fail() with Retry(max=1)', 'JobFailedError(ValueError)', f!],
      ];
      for (const [job, expected, got] of expectations) {
        rows.push({ rq: rq.version, serializer, job, expected, got, ok: expected === got });
      }
    }
  }
  // Node and Python workers sharing one deployment: a JS function on the Node worker's queue, whose
  // dependent (a Python function) goes to a Python worker's queue once the Node worker finishes it.
  const rq = rqVersions()[0]!;
  const nodeQueue = new Queue('demo-node', { connection });
  const pyQueue = new Queue('demo-python', { connection });
  const total = await nodeQueue.enqueue<number>('demo.sum', [1, 2, 3, 4]);
  const after = await pyQueue.enqueueCall<number>('mylib.add', { args: [100, 1], dependsOn: total });
  const nodeWorker = new Worker({
    connection, queues: [nodeQueue.name], burst: true, logger: { info() {}, warn: console.warn, error: console.error },
    handlers: { 'demo.sum': (xs: number[]) => xs.reduce((a, b) => a + b, 0) },
  });
  await nodeWorker.work();
  const pyRun = await runWorker({ rq, url: redis.url, queues: [pyQueue.name], serializer: 'pickle' });
  if (pyRun.exitCode !== 0) workerFailures += 1;
  rows.push(
    { rq: 'node worker', serializer: 'pickle', job: 'demo.sum([1, 2, 3, 4]) in JS', expected: '10', got: JSON.stringify(await total.wait({ timeout: 10_000 })), ok: false },
    { rq: rq.version, serializer: 'pickle', job: 'mylib.add(100, 1) after it', expected: '101', got: JSON.stringify(await after.wait({ timeout: 10_000 })), ok: false },
  );
  for (const row of rows.slice(-2)) row.ok = row.expected === row.got;
} finally {
  await connection.close();
  await redis.stop();
}

printTable(rows);
const failed = rows.filter((r) => !r.ok).length;
console.log(`\n${rows.length - failed} of ${rows.length} outcomes as expected; ${workerFailures} worker runs failed.`);
process.exit(failed === 0 && workerFailures === 0 ? 0 : 1);

function printTable(data: Row[]): void {
  const header = ['RQ', 'serializer', 'job', 'result', ''];
  const body = data.map((r) => [r.rq, r.serializer, r.job, r.got, r.ok ? 'ok' : `expected ${r.expected}`]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  console.log(line(header));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const row of body) console.log(line(row));
}
