/**
 * Where an enqueue scenario spends its CPU: profiles only the measured loop (after a warm-up) with the V8
 * sampling profiler, then prints time by area (rqts encoding, node-redis, p-retry, zlib, GC, idle…), the
 * heaviest functions by self time, and rqts's own functions by inclusive time.
 *
 *   node --import tsx bench/profile.ts sequential|concurrent|bulk [jobs]
 *
 * The raw profile goes to .tmp/bench-<scenario>.cpuprofile (open it in Chrome DevTools or VS Code).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session, type Profiler } from 'node:inspector';
import { fileURLToPath } from 'node:url';
import { Connection, Queue } from './lib/rqts.js';
import { startRedis } from '../test/helpers/redis-server.js';
import { batches, inFlight } from './enqueue.js';
import { ADD } from './lib/context.js';
import { textTable } from './lib/table.js';

const scenario = process.argv[2] ?? 'sequential';
const jobs = Number(process.argv[3] ?? (scenario === 'sequential' ? 20_000 : 100_000));
const loops: Record<string, (q: Queue, n: number) => Promise<unknown>> = {
  sequential: async (q, n) => { for (let i = 0; i < n; i++) await q.enqueue(ADD, i, 2); },
  concurrent: (q, n) => inFlight(n, 100, (i) => q.enqueue(ADD, i, 2)),
  bulk: (q, n) => batches(n, 1000, (first, count) => q.enqueueMany(Array.from({ length: count }, (_, k) => Queue.prepareData(ADD, [first + k, 2])))),
};
const loop = loops[scenario];
if (!loop) throw new Error(`scenario must be one of ${Object.keys(loops).join(', ')}`);

const redis = await startRedis();
const connection = await Connection.from(redis.url).open();
const queue = new Queue('bench-profile', { connection });
const session = new Session();
session.connect();
const post = <T>(method: string, params?: object): Promise<T> =>
  new Promise((resolve, reject) => session.post(method, params, (err, res) => (err ? reject(err) : resolve(res as T))));

let profile: Profiler.Profile;
let seconds: number;
try {
  await loop(queue, Math.min(jobs, 5000)); // warm-up
  await connection.command(['FLUSHALL']);
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 100 });
  await post('Profiler.start');
  const start = performance.now();
  await loop(queue, jobs);
  seconds = (performance.now() - start) / 1000;
  ({ profile } = await post<{ profile: Profiler.Profile }>('Profiler.stop'));
} finally {
  session.disconnect();
  await connection.close();
  await redis.stop();
}

const out = fileURLToPath(new URL(`../.tmp/bench-${scenario}.cpuprofile`, import.meta.url));
mkdirSync(fileURLToPath(new URL('../.tmp/', import.meta.url)), { recursive: true });
writeFileSync(out, JSON.stringify(profile));

// ---- self time per node, and inclusive time per function ---------------------------------------------
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const selfUs = new Map<number, number>();
let total = 0;
profile.samples!.forEach((id, i) => {
  const dt = profile.timeDeltas![i] ?? 0;
  total += dt;
  selfUs.set(id, (selfUs.get(id) ?? 0) + dt);
});

const name = (n: Profiler.ProfileNode): string => {
  const { functionName, url, lineNumber } = n.callFrame;
  const file = url.replace(/^.*\/node_modules\//, '').replace(/^.*\/(src|bench)\//, '$1/').replace(/^node:/, '');
  return `${functionName || '(anonymous)'}${file ? ` ${file}:${lineNumber + 1}` : ''}`;
};

/** The area a sample belongs to, judged by the innermost frame that says something. */
function area(id: number): string {
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const n = nodes.get(cur)!;
    const { url, functionName } = n.callFrame;
    if (functionName === '(idle)') return 'idle (waiting for Redis)';
    if (functionName === '(garbage collector)') return 'garbage collector';
    if (functionName === '(program)') return 'V8/native (program)';
    if (url.includes('zlib')) return 'zlib deflateSync (src/record.ts compress)';
    if (url.includes('/src/serializers/') || url.includes('/src/py/')) return 'pickle encoding (src/serializers, src/py)';
    if (url.includes('/p-retry/')) return 'p-retry (Connection.#withRetry)';
    if (url.includes('/@redis/client/')) return 'node-redis (queue, RESP encode, socket)';
    if (/node:net|stream|writev|socket/.test(url + functionName)) return 'socket writes (writev: loopback TCP)';
    if (/abort_controller|timers/.test(url)) return 'timers & AbortSignal (deadlines)';
    if (url.includes('/src/')) return `rqts ${url.replace(/^.*\/src\//, 'src/')}`;
  }
  return 'other';
}

const byArea = new Map<string, number>();
const bySelf = new Map<string, number>();
const inclusive = new Map<string, number>();
for (const [id, us] of selfUs) {
  const a = area(id);
  byArea.set(a, (byArea.get(a) ?? 0) + us);
  const self = name(nodes.get(id)!);
  bySelf.set(self, (bySelf.get(self) ?? 0) + us);
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const n = nodes.get(cur)!;
    if (!n.callFrame.url.includes('/src/')) continue;
    const key = name(n);
    if (seen.has(key)) continue;
    seen.add(key);
    inclusive.set(key, (inclusive.get(key) ?? 0) + us);
  }
}

const pct = (us: number): string => `${((100 * us) / total).toFixed(1)}%`;
const perJob = (us: number): string => `${(us / jobs).toFixed(1)} µs`;
const top = (m: Map<string, number>, n: number): string[][] =>
  [...m].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, us]) => [k, pct(us), perJob(us)]);

console.log(`${scenario}: ${jobs} jobs in ${seconds.toFixed(2)} s = ${Math.round(jobs / seconds)} jobs/s; profile ${(total / 1e6).toFixed(2)} s → ${out}\n`);
console.log(textTable(['area', 'share', 'per job'], top(byArea, 20), ['l', 'r', 'r']));
console.log();
console.log(textTable(['function (self time)', 'share', 'per job'], top(bySelf, 25), ['l', 'r', 'r']));
console.log();
console.log(textTable(['rqts function (inclusive)', 'share', 'per job'], top(inclusive, 25), ['l', 'r', 'r']));
