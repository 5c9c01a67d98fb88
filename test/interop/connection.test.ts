/**
 * Connections: db index and password/ACL URLs (with a real Python worker on the same URL), clients the
 * caller built (RESP2 and RESP3), surviving a Redis restart, and a typed ConnectionError when Redis stays away.
 */
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthenticationError, Connection, ConnectionError, Job, Queue, connect } from '../../src/index.js';
import { rqVersions, runWorker, startRedis, uniqueName, waitFor, type RedisServer } from '../helpers/index.js';

let redis: RedisServer;
let admin: Connection;

beforeAll(async () => {
  redis = await startRedis();
  admin = await connect(redis.url);
});

afterAll(async () => {
  await admin?.close();
  await redis?.stop();
});

describe('URLs', () => {
  it('a db index selects the database, and a Python worker on the same URL runs the job', async () => {
    const url = `${redis.url}/3`;
    await using queue = new Queue(uniqueName('db3'), { connection: url });
    const job = await queue.enqueue('mylib.add', 2, 2);
    expect(await admin.command(['EXISTS', `rq:job:${job.id}`])).toBe(0); // not in db 0
    const run = await runWorker({ rq: rqVersions()[0]!, url, queues: [queue.name], serializer: 'pickle' });
    expect(run.exitCode, run.log).toBe(0);
    expect(await job.wait({ timeout: 10_000 })).toBe(4);
  });

  it('password and ACL user URLs authenticate; a wrong password is an AuthenticationError', async () => {
    await admin.command(['ACL', 'SETUSER', 'app', 'on', '>app-pass', '~*', '&*', '+@all']);
    const port = redis.port;
    const asUser = await connect(`redis://app:app-pass@127.0.0.1:${port}/0`);
    expect(await asUser.command(['ACL', 'WHOAMI'])).toEqual(Buffer.from('app'));
    await asUser.close();
    const wrong = Connection.from(`redis://app:nope@127.0.0.1:${port}/0`, { connectTimeoutMs: 2_000, retries: 0 });
    const failure = await wrong.open().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(AuthenticationError);
    expect(String(failure)).toMatch(/WRONGPASS|invalid username-password/i);
    await wrong.close();
  });
});

describe('clients the caller built', () => {
  it.each([2, 3] as const)('RESP%i: enqueue, read back and wait, and the client stays open', async (RESP) => {
    const client = createClient({ url: redis.url, RESP });
    client.on('error', () => {});
    await client.connect();
    const queue = new Queue(uniqueName(`resp${RESP}`), { connection: client, serializer: 'json' });
    // One Connection per client: one error listener, one blocking connection, shared waits.
    expect(Connection.from(client)).toBe(queue.connection);
    const job = await queue.enqueueCall('mylib.echo', { args: [1, 'x'], meta: { m: true } });
    const fetched = await Job.fetch(job.id, { connection: client, serializer: 'json' });
    expect(fetched.args).toEqual([1, 'x']);
    expect(await fetched.meta).toEqual({ m: true });
    const waiting = job.wait({ timeout: 15_000 });
    const run = await runWorker({ rq: rqVersions()[0]!, url: redis.url, queues: [queue.name], serializer: 'json' });
    expect(run.exitCode, run.log).toBe(0);
    expect(await waiting).toEqual([[1, 'x'], {}]);
    await queue.close();
    await queue.connection.close();
    expect(client.isOpen).toBe(true);
    client.destroy();
  });
});

describe('outages', () => {
  it('a command sent while Redis restarts completes once it is back', async () => {
    const server = await startRedis();
    const conn = await connect(server.url, { commandTimeoutMs: 5_000 });
    const queue = new Queue(uniqueName('restart'), { connection: conn });
    await queue.enqueue('mylib.add', 1, 1);
    await server.stop();
    const pending = queue.enqueue('mylib.add', 2, 2);
    // The client has noticed: the enqueue waits for a reconnect rather than going straight through.
    await waitFor(() => !(conn.client as unknown as { isReady: boolean }).isReady, { what: 'the client to notice the restart' });
    const again = await startRedis({ port: server.port });
    try {
      const job = await pending;
      expect(await job.status).toBe('queued');
      expect(await queue.count).toBe(1); // the first job went with the old server
    } finally {
      await conn.close();
      await again.stop();
    }
  });

  it('gives up with a ConnectionError when Redis stays away', async () => {
    const server = await startRedis();
    const conn = await connect(server.url, { commandTimeoutMs: 300, retries: 1 });
    await server.stop();
    // Gives up rather than hanging: the test's own deadline (below) is the bound, not a speed check.
    await expect(conn.command(['PING'])).rejects.toBeInstanceOf(ConnectionError);
    await conn.close();
  }, 20_000);
});
