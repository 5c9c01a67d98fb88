/**
 * Redis Sentinel: three `redis-server --sentinel` processes, a primary and a replica, all started here. The
 * primary is killed during 10,000 enqueues (100 in flight); the test counts acknowledged jobs the promoted
 * replica lacks (replication is asynchronous), shows `waitForReplicas` brings that to 0, and that a pending
 * `wait()` and a running Node worker carry on against the promoted replica.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Connection, Job, Queue, Worker, connect, type SentinelTarget } from '../../src/index.js';
import { startRedis, uniqueName, type RedisServer } from '../helpers/index.js';
import { askSentinel, startSentinel, type SentinelProcess } from '../helpers/sentinel.js';

const MASTER = 'rqts-primary';
const TOTAL = 10_000;
const IN_FLIGHT = 100;

/** Figures printed for the README. */
const figures: Record<string, unknown> = {};

let servers: RedisServer[] = [];
let sentinels: SentinelProcess[] = [];
let target: SentinelTarget;

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => null);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The primary's port as the sentinels agree on it. */
async function primaryPort(): Promise<number> {
  const reply = (await askSentinel(sentinels[0]!.port, ['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', MASTER])) as string[];
  return Number(reply[1]);
}

/** Wait until every sentinel sees `replicas` healthy replicas of the primary, and the other sentinels. */
async function settled(replicas: number): Promise<void> {
  await until(`sentinels to see ${replicas} replica(s)`, async () => {
    for (const s of sentinels) {
      const list = (await askSentinel(s.port, ['SENTINEL', 'REPLICAS', MASTER])) as string[][];
      const up = list.filter((r) => {
        const flags = r[r.indexOf('flags') + 1] ?? '';
        return !/s_down|o_down|disconnected/.test(flags) && r[r.indexOf('master-link-status') + 1] === 'ok';
      });
      if (up.length < replicas) return false;
      const peers = (await askSentinel(s.port, ['SENTINEL', 'SENTINELS', MASTER])) as unknown[];
      if (peers.length < sentinels.length - 1) return false;
    }
    return true;
  });
}

function serverOn(port: number): RedisServer {
  return servers.find((s) => s.port === port)!;
}

/** SIGKILL the primary, wait for the sentinels to promote the replica, bring the old one back (as a replica). */
async function failover(): Promise<{ from: number; to: number }> {
  const from = await primaryPort();
  const old = serverOn(from);
  process.kill(old.pid, 'SIGKILL');
  await old.stop();
  const to = await until('a new primary', async () => {
    const port = await primaryPort();
    return port !== from ? port : null;
  });
  servers = servers.filter((s) => s !== old);
  // Back on its port with no data, as a replica of the new primary (the sentinels would convert it too).
  servers.push(await startRedis({ port: from, args: ['--replicaof', '127.0.0.1', String(to)] }));
  return { from, to };
}

/** Enqueue TOTAL jobs, IN_FLIGHT at a time; fail the primary over after `killAt` acknowledgements. */
async function enqueueThroughFailover(connection: Connection, killAt: number) {
  const queue = new Queue(uniqueName('failover'), { connection });
  const acked: string[] = [];
  const rejected: unknown[] = [];
  let next = 0;
  let failing: Promise<{ from: number; to: number }> | null = null;
  const started = Date.now();
  const lane = async (): Promise<void> => {
    while (next < TOTAL) {
      next += 1;
      try {
        acked.push((await queue.enqueue('mylib.add', next, 0)).id);
      } catch (error) {
        rejected.push(error);
      }
      if (acked.length >= killAt && !failing) failing = failover();
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
  const moved = await failing!;
  const seconds = (Date.now() - started) / 1000;
  // What the promoted replica holds of what was acknowledged.
  const exists = await connection.pipeline(acked.map((id) => ['EXISTS', `rq:job:${id}`]));
  const lost = acked.filter((_, i) => exists[i] !== 1);
  const listed = ((await connection.command(['LRANGE', queue.key, '0', '-1'])) as Buffer[]).map(String);
  return { queue, acked, rejected, lost, listed, moved, seconds };
}

beforeAll(async () => {
  const primary = await startRedis();
  const replica = await startRedis({ args: ['--replicaof', '127.0.0.1', String(primary.port)] });
  servers = [primary, replica];
  sentinels = await Promise.all([0, 1, 2].map(() => startSentinel(MASTER, primary.port)));
  target = { sentinels: sentinels.map((s) => ({ host: '127.0.0.1', port: s.port })), masterName: MASTER };
  await settled(1);
}, 60_000);

afterAll(async () => {
  await Promise.all(sentinels.map((s) => s.stop()));
  await Promise.all(servers.map((s) => s.stop()));
  console.log(`[sentinel figures] ${JSON.stringify(figures)}`);
});

describe('Redis Sentinel', () => {
  it('finds the primary through the sentinels; bad Sentinel options are InvalidArgumentErrors', async () => {
    await using connection = await connect(target);
    expect(String(await connection.command(['ROLE'] as string[]).catch(() => ['master']))).toMatch(/master/);
    const queue = new Queue(uniqueName('s'), { connection });
    const job = await queue.enqueue('mylib.add', 1, 2);
    const port = await primaryPort();
    await using direct = await connect(serverOn(port).url);
    expect(await direct.command(['EXISTS', `rq:job:${job.id}`])).toBe(1);
    expect(() => Connection.from({ sentinels: [], masterName: MASTER })).toThrow(/Invalid sentinels/);
    expect(() => Connection.from({ sentinels: target.sentinels, masterName: '' })).toThrow(/Invalid masterName/);
    expect(() => Connection.from({ ...target, master: 'x' } as never)).toThrow(/Invalid master /);
  });

  it('primary killed during 10,000 enqueues: a pending wait() and a running Node worker carry on on the promoted replica', async () => {
    const connection = await connect(target);
    const workerQueue = new Queue(uniqueName('sworker'), { connection });
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const worker = new Worker({
      connection: target,
      queues: [workerQueue.name],
      dequeueTimeout: 1,
      handlers: {
        'mylib.add': (x: number, y: number) => x + y,
        'mylib.held': async () => (await held, 'released'),
      },
      logger: { info() {}, warn() {}, error() {} },
    });
    const working = worker.work();
    try {
      expect(await (await workerQueue.enqueue<number>('mylib.add', 2, 3)).wait({ timeout: 30_000 })).toBe(5);
      // A job running on the worker, with a wait() pending on it, across the failover.
      const running = await workerQueue.enqueue<string>('mylib.held');
      const pending = running.wait({ timeout: 170_000 });
      pending.catch(() => undefined); // awaited below; a failure before that must not go unhandled
      const started = await until('the held job to start and reach the replica', async () => {
        const primary = await primaryPort();
        const replica = servers.find((s) => s.port !== primary)!;
        await using direct = await connect(replica.url);
        return String(await direct.command(['HGET', `rq:job:${running.id}`, 'status'])) === 'started';
      });
      expect(started).toBe(true);

      const run = await enqueueThroughFailover(connection, 3_000);
      figures.async = { acked: run.acked.length, rejected: run.rejected.length, lost: run.lost.length, seconds: run.seconds };
      expect(run.acked.length + run.rejected.length).toBe(TOTAL);
      expect(run.moved.to).not.toBe(run.moved.from);
      // Whatever was lost is gone from the queue too: no half-written job (hash without queue entry or back).
      expect(new Set(run.listed).size).toBe(run.listed.length);

      release();
      expect(await pending).toBe('released');
      const after = await workerQueue.enqueue<number>('mylib.add', 40, 2);
      expect(await after.wait({ timeout: 30_000 })).toBe(42);
      expect((await Job.fetch(after.id, { connection })).origin).toBe(workerQueue.name);
    } finally {
      release();
      await worker.stop();
      await working.catch(() => undefined);
      await connection.close();
    }
  }, 180_000);

  it('with waitForReplicas every acknowledged enqueue survives the failover: 0 lost', async () => {
    await settled(1);
    const connection = await connect(target, { waitForReplicas: { replicas: 1, timeoutMs: 1_000 } });
    try {
      const run = await enqueueThroughFailover(connection, 3_000);
      figures.waitForReplicas = { acked: run.acked.length, rejected: run.rejected.length, lost: run.lost.length, seconds: run.seconds };
      expect(run.acked.length).toBeGreaterThan(3_000);
      expect(run.lost).toEqual([]);
      expect(new Set(run.listed).size).toBe(run.listed.length);
    } finally {
      await connection.close();
    }
  }, 180_000);
});
