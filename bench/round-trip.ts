/**
 * What one sequential round trip costs on each Redis client: the floor under a concurrency-1 worker, which
 * sends one call per job and waits for it. Three clients on the same private Redis, one call at a time:
 *
 * - a bare `net.Socket` writing RESP by hand (the floor: the kernel's loopback and Redis's own work);
 * - node-redis as rqts sends commands (`Connection.command` / `Connection.script`);
 * - ioredis, as BullMQ sends them.
 *
 * Two calls each: `PING`, and an `EVALSHA` shaped like the worker's concurrency-1 finish (4 keys, 25
 * arguments of the lengths the worker sends) whose script answers as `FINISH_JOBS` does when it started
 * the next job (a status, id, index, TTL and the next job's 15-field hash as HGETALL reads it). Printed per
 * client and call: wall time and this process's CPU per round trip (medians of the rounds).
 *
 *   node --import tsx bench/round-trip.ts [calls] [rounds]
 */
import net from 'node:net';
import { Redis as IORedis } from 'ioredis';
import { LuaScript } from '../src/connection.js';
import { Connection } from './lib/rqts.js';
import { startRedis } from '../test/helpers/redis-server.js';
import { median } from './lib/stats.js';

const calls = Number(process.argv[2] ?? 20_000);
const rounds = Number(process.argv[3] ?? 3);

const redis = await startRedis();
const connection = await Connection.from(redis.url).open();
const io = new IORedis({ host: '127.0.0.1', port: redis.port });

// The next job's hash, as a worker reads it (a real enqueue's field names and value lengths).
const NEXT = 'rq:job:0a6b1c4e-5f7d-4e2a-9b3c-8d1e2f3a4b5c';
const hash: string[] = [
  'status', 'queued', 'created_at', '2026-11-30T17:02:31.123456Z', 'data', 'x'.repeat(60), 'success_callback_name', '',
  'failure_callback_name', '', 'stopped_callback_name', '', 'started_at', '', 'ended_at', '', 'last_heartbeat', '', 'worker_name', '',
  'group_id', '', 'origin', 'default', 'description', "mylib.noop()", 'enqueued_at', '2026-11-30T17:02:31.123456Z', 'timeout', '180',
];
await connection.command(['HSET', NEXT, ...hash]);
const FINISH_SHAPED = new LuaScript('finishShaped', "return {'finished', ARGV[2], 1, 90, redis.call('HGETALL', KEYS[1])}");
const finishKeys = [NEXT, 'rq:worker:round-trip:claims', 'rq:suspended', 'rq:queues'];
const finishArgs = [
  'round-trip-worker', '500', '480', '2', '180', '1', '0', '0.0012', 'success', '0a6b1c4e-5f7d-4e2a-9b3c-8d1e2f3a4b5c', 'default',
  '1c0e3b5a7d9f4e2a8b6c0d1e2f3a4b5c', '0a6b1c4e-5f7d-4e2a-9b3c-8d1e2f3a4b5c:1c0e3b5a7d9f4e2a8b6c0d1e2f3a4b5c', '1764522151.123456',
  '2026-11-30T17:02:31.123456Z', '1764522151.122001', '', '', '', '0', '0', 'f:1c0e3b5a7d9f4e2a8b6c0d1e2f3a4b5c', '0',
  '2d1f4c6b8e0a5f3b9c7d1e2f3a4b5c6d', '0',
];
await connection.script(FINISH_SHAPED, finishKeys, finishArgs); // loads it
const sha = FINISH_SHAPED.sha;

// A bare socket: one RESP call out, resolved when the reply's last byte is in (the caller knows its length).
const socket = net.connect(redis.port, '127.0.0.1');
socket.setNoDelay(true);
await new Promise((resolve) => socket.once('connect', resolve));
let waiting: { need: number; got: number; done: () => void } | null = null;
socket.on('data', (chunk: Buffer) => {
  if (!waiting) return;
  waiting.got += chunk.length;
  if (waiting.got >= waiting.need) {
    const { done } = waiting;
    waiting = null;
    done();
  }
});
const resp = (args: string[]): string => `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
const pingFrame = resp(['PING']);
const finishFrame = resp(['EVALSHA', sha, String(finishKeys.length), ...finishKeys, ...finishArgs]);
/** The reply's length in bytes, learnt once from a first call. */
async function replyLength(frame: string): Promise<number> {
  return new Promise((resolve) => {
    let got = 0;
    let timer: NodeJS.Timeout;
    const onData = (chunk: Buffer): void => {
      got += chunk.length;
      clearTimeout(timer);
      timer = setTimeout(() => {
        socket.off('data', onData);
        resolve(got);
      }, 50);
    };
    socket.on('data', onData);
    socket.write(frame);
  });
}
const pingBytes = await replyLength(pingFrame);
const finishBytes = await replyLength(finishFrame);
const bare = (frame: string, need: number) => (): Promise<void> =>
  new Promise((done) => {
    waiting = { need, got: 0, done };
    socket.write(frame);
  });

const ways: [string, () => Promise<unknown>][] = [
  ['bare socket  PING', bare(pingFrame, pingBytes)],
  ['node-redis   PING', () => connection.command(['PING'])],
  ['ioredis      PING', () => io.ping()],
  ['bare socket  finish-shaped EVALSHA', bare(finishFrame, finishBytes)],
  ['node-redis   finish-shaped EVALSHA', () => connection.script(FINISH_SHAPED, finishKeys, finishArgs)],
  ['ioredis      finish-shaped EVALSHA', () => io.evalsha(sha, finishKeys.length, ...finishKeys, ...finishArgs)],
];

/** µs of wall time and of this process's CPU per call, over `calls` sequential calls. */
async function time(fn: () => Promise<unknown>): Promise<{ wall: number; cpu: number }> {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for (let i = 0; i < calls; i++) await fn();
  const c = process.cpuUsage(c0);
  return { wall: (1000 * (performance.now() - t0)) / calls, cpu: (c.user + c.system) / calls };
}

try {
  for (const [, fn] of ways) for (let i = 0; i < 2000; i++) await fn(); // warm-up
  const results = new Map<string, { wall: number; cpu: number }[]>(ways.map(([name]) => [name, []]));
  for (let round = 0; round < rounds; round++) for (const [name, fn] of ways) results.get(name)!.push(await time(fn));
  console.log(`one call at a time, ${calls} calls, median of ${rounds} rounds (µs per round trip):`);
  for (const [name, r] of results) {
    console.log(`  ${name.padEnd(36)} wall ${median(r.map((x) => x.wall)).toFixed(1).padStart(6)}  client CPU ${median(r.map((x) => x.cpu)).toFixed(1).padStart(6)}`);
  }
} finally {
  socket.destroy();
  io.disconnect();
  await connection.close();
  await redis.stop();
}
