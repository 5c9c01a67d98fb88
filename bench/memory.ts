/**
 * Scenario 6: memory. One million jobs through `enqueueStream` (enqueueMany batches of 1,000) from a generator, in a
 * child Node process of its own (bench/memory-child.ts, run as plain JavaScript: see lib/transpile.ts)
 * whose RSS is sampled every 10% and whose peak RSS (getrusage maxrss) is the number reported.
 */
import { spawn } from 'node:child_process';
import type { Context } from './lib/context.js';
import { transpileForChild } from './lib/transpile.js';

export interface MemoryResult {
  jobs: number;
  batch: number;
  seconds: number;
  rate: number;
  peakRssMB: number;
  /** RSS before the first batch: Node and rqts loaded, connected. */
  startRssMB: number;
  samples: { jobs: number; rssMB: number; heapTotalMB: number; heapUsedMB: number; externalMB: number }[];
  /** Redis's used_memory after the run. */
  redisUsedMB: number;
}

export async function memoryScenario(ctx: Context): Promise<MemoryResult> {
  const jobs = ctx.sizes.memoryJobs;
  const batch = ctx.sizes.batch;
  await ctx.flush();
  const [entry] = transpileForChild(['bench/memory-child.ts']);
  ctx.log(`memory: enqueueStream of ${jobs.toLocaleString('en-US')} jobs in a child process`);
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, [entry!, ctx.redis.url, String(jobs), String(batch)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`memory child exited with ${code}:\n${stdout}`))));
  });
  const child = JSON.parse(out.trim().split('\n').pop()!) as Omit<MemoryResult, 'batch' | 'startRssMB' | 'redisUsedMB'> & { queued: number };
  if (child.queued !== jobs) throw new Error(`memory: ${child.queued} jobs queued, expected ${jobs}`);
  const info = await ctx.admin.info('memory');
  const used = Number(/used_memory:(\d+)/.exec(info)?.[1] ?? NaN);
  ctx.log(`memory: peak RSS ${child.peakRssMB.toFixed(0)} MB, ${Math.round(child.rate).toLocaleString('en-US')} jobs/s`);
  await ctx.flush();
  return {
    jobs: child.jobs,
    batch,
    seconds: child.seconds,
    rate: child.rate,
    peakRssMB: child.peakRssMB,
    startRssMB: child.samples[0]!.rssMB,
    samples: child.samples,
    redisUsedMB: used / 1024 / 1024,
  };
}
