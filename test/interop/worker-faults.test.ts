/**
 * Lost replies on the Node worker's connections: while thousands of jobs run, another client keeps killing
 * the worker's connections (`CLIENT KILL TYPE normal`), so replies of scripts that already ran are lost and
 * the connection layer sends them again. Every job must still run exactly once and finish exactly once, and
 * no id may be left in a queue, intermediate list or started registry.
 */
import { describe, expect, it } from 'vitest';
import { Connection } from '../../src/connection.js';
import { getCurrentJob, Queue, Worker } from '../../src/index.js';
import { privateRedis, uniqueName, until } from '../helpers/index.js';

const env = privateRedis();
const quiet = { info() {}, warn() {}, error() {} };
const JOBS = 2_000;

/** Kill every normal client but itself, again and again, at random 40–120 ms intervals, until stopped. */
function startKiller(url: string): { kills: () => number; stop: () => Promise<void> } {
  let running = true;
  let kills = 0;
  const done = (async () => {
    const killer = await Connection.from(url).open();
    try {
      while (running) {
        await new Promise((r) => setTimeout(r, 40 + Math.random() * 80));
        kills += Number(await killer.command(['CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes']).catch(() => 0));
      }
    } finally {
      await killer.close();
    }
  })();
  return { kills: () => kills, stop: async () => ((running = false), await done) };
}

describe('the Node worker under lost replies', () => {
  it.each([1, 2])('runs and finishes every job exactly once with connections killed mid-run (%i queue(s))', async (queueCount) => {
    const names = Array.from({ length: queueCount }, () => uniqueName('faults'));
    const runs = new Map<string, number>();
    const ids: string[] = [];
    for (const name of names) {
      const queue = new Queue(name, { connection: env.connection });
      for (let from = 0; from < JOBS / queueCount; from += 500) {
        const jobs = await queue.enqueueMany(Array.from({ length: 500 }, (_, i) => Queue.prepareData('faults.touch', [from + i])));
        ids.push(...jobs.map((j) => j.id));
      }
    }
    const touch = (n: number): number => {
      const id = getCurrentJob()!.job.id;
      runs.set(id, (runs.get(id) ?? 0) + 1);
      return n;
    };
    const worker = new Worker({
      connection: env.redis.url, queues: names, concurrency: 4, logger: quiet, handleSignals: false, handlers: { 'faults.touch': touch },
    });
    const working = worker.work();
    const finished = async (): Promise<number> => {
      let total = 0;
      for (const n of names) total += Number(await env.connection.command(['ZCARD', `rq:finished:${n}`]));
      return total;
    };
    // Faults start once the worker runs (a worker that cannot register fails loudly, which is not the point).
    await until(async () => (await finished()) > 0, 'the first job to finish');
    const killer = startKiller(env.redis.url);
    try {
      // The test's own reads are killed too: a failed read counts as "not yet".
      await until(async () => (await finished().catch(() => 0)) >= JOBS, 'every job to finish', 90_000);
    } finally {
      await killer.stop();
      await worker.stop();
      await working;
    }
    expect(killer.kills()).toBeGreaterThan(10);
    const stranded: Record<string, number> = {};
    for (const n of names) {
      for (const key of [`rq:queue:${n}`, `rq:queue:${n}:intermediate`]) stranded[key] = Number(await env.connection.command(['LLEN', key]));
      stranded[`rq:wip:${n}`] = Number(await env.connection.command(['ZCARD', `rq:wip:${n}`]));
    }
    expect(stranded).toEqual(Object.fromEntries(Object.keys(stranded).map((k) => [k, 0])));
    expect(ids.filter((id) => runs.get(id) !== 1)).toEqual([]);
    const entries = await env.connection.pipeline(ids.map((id) => ['XLEN', `rq:results:${id}`]));
    const notOnce = ids.filter((_, i) => Number(entries[i]) !== 1);
    expect(notOnce).toEqual([]);
    // The worker's counters were not bumped twice by a script sent again.
    expect(worker.counts.successful).toBe(JOBS);
    expect(String(await env.connection.command(['HGET', `rq:worker:${worker.name}`, 'successful_job_count']))).toBe(String(JOBS));
  }, 180_000);
});
