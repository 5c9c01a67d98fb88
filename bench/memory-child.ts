/**
 * Scenario 6, the measured process: enqueue `jobs` jobs drawn from a generator with `queue.enqueueStream`
 * (atomic `enqueueMany` batches, two on the wire while the next is encoded), and report RSS along the way
 * and the process's peak.
 * Started by `bench/memory.ts` as its own Node process so that only this work is in its RSS, transpiled to
 * plain JavaScript first (lib/transpile.ts); `node --import tsx bench/memory-child.ts` runs it too.
 *
 *   node .tmp/bench-build/bench/memory-child.js <redis url> <jobs> <batch>
 */
import { Connection, Queue, type EnqueueData } from '../src/index.js';

const [url, jobsArg, batchArg] = process.argv.slice(2);
const total = Number(jobsArg);
const batchSize = Number(batchArg);
const MB = 1024 * 1024;

/** The jobs to write, made one at a time as they are asked for. */
function* jobs(count: number): Generator<EnqueueData> {
  for (let i = 0; i < count; i++) yield Queue.prepareData('mylib.add', [i, 2]);
}

const connection = await Connection.from(url!).open();
const queue = new Queue('bench-memory', { connection });
const samples: { jobs: number; rssMB: number; heapTotalMB: number; heapUsedMB: number; externalMB: number }[] = [];
const sample = (done: number): void => {
  const m = process.memoryUsage();
  samples.push({ jobs: done, rssMB: m.rss / MB, heapTotalMB: m.heapTotal / MB, heapUsedMB: m.heapUsed / MB, externalMB: m.external / MB });
};

sample(0);
const every = Math.max(batchSize, Math.floor(total / 10));
const start = performance.now();
let done = 0;
/** The generator, counted as it is drawn so RSS is sampled every 10%. */
function* sampled(): Generator<EnqueueData> {
  for (const item of jobs(total)) {
    yield item;
    done++;
    if (done % every === 0) sample(done);
  }
}
const written = await queue.enqueueStream(sampled(), { batchSize });
sample(written);
const seconds = (performance.now() - start) / 1000;
const count = await queue.count;
await connection.close();

process.stdout.write(`${JSON.stringify({
  jobs: written,
  queued: count,
  seconds,
  rate: written / seconds,
  peakRssMB: process.resourceUsage().maxRSS / 1024,
  samples,
})}\n`);
