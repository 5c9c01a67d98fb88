/**
 * Reliability and security, each against real redis-server processes: decompression bombs in every
 * compressed field, typed errors for Redis error replies, failing fast on causes that cannot heal, TLS with a
 * CA made here, a hung (SIGSTOPped) server with per-call deadlines, and enqueues under load across restarts.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  Connection,
  ConnectionError,
  DeserializationError,
  Job,
  JobFailedError,
  PermissionError,
  Queue,
  RedisReplyError,
  RqtsError,
  connect,
} from '../../src/index.js';
import { MAX_INFLATED_BYTES, MAX_TRACEBACK_BYTES } from '../../src/record.js';
import { freePort, rqVersions, runWorker, startRedis, uniqueName, type RedisServer } from '../helpers/index.js';

/** No deadline of ours should decide these tests: a cause known at once must fail before this. */
const PATIENT = { connectTimeoutMs: 600_000, retries: 0 } as const;

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

describe('decompression bombs', () => {
  // Small in Redis, larger than the limit once inflated (zeros deflate ~1000:1).
  const dataBomb = deflateSync(Buffer.alloc(MAX_INFLATED_BYTES + 1));
  const tracebackBomb = deflateSync(Buffer.alloc(MAX_TRACEBACK_BYTES + 1, 'x'));

  async function writeJob(fields: Record<string, string | Buffer>): Promise<string> {
    const id = uniqueName('bomb');
    const base = (await new Queue(uniqueName('bombq'), { connection: admin }).enqueue('mylib.add', 1, 2)).id;
    const record = (await admin.command(['HGETALL', `rq:job:${base}`])) as Buffer[];
    await admin.command(['HSET', `rq:job:${id}`, ...record, ...Object.entries(fields).flat()]);
    return id;
  }

  it('a bomb in `data`: fetching works, args/funcName fail with a DeserializationError naming the limit', async () => {
    expect(dataBomb.length).toBeLessThan(1_000_000);
    const id = await writeJob({ data: dataBomb });
    const job = await Job.fetch(id, { connection: admin });
    expect(job.origin).not.toBe('');
    expect(() => job.args).toThrow(DeserializationError);
    expect(() => job.funcName).toThrow(/inflates past the 67108864-byte limit/);
  });

  it('a bomb in a failed result\'s exc_string: result is null without inflating it; excInfo and wait() fail typed', async () => {
    const id = await writeJob({ status: 'failed' });
    await admin.command(['XADD', `rq:results:${id}`, '*', 'type', '2', 'exc_string', tracebackBomb.toString('base64')]);
    const job = await Job.fetch(id, { connection: admin });
    // Inflating would throw; null here shows the traceback was never decoded.
    expect(await job.result).toBeNull();
    expect(await job.returnValue()).toBeNull();
    await expect(job.excInfo).rejects.toThrow(DeserializationError);
    await expect(job.excInfo).rejects.toThrow(/exc_string of result .* inflates past the 4194304-byte limit/);
    const waited = await job.wait({ timeout: 5_000 }).catch((e: unknown) => e);
    expect(waited).toBeInstanceOf(DeserializationError);
    expect(waited).not.toBeInstanceOf(JobFailedError);
  });

  it('a bomb in the legacy exc_info field: the job still loads, excInfo fails typed (never a silent \'\')', async () => {
    const id = await writeJob({ status: 'failed', exc_info: tracebackBomb });
    const job = await Job.fetch(id, { connection: admin });
    expect(job.id).toBe(id);
    await expect(job.excInfo).rejects.toThrow(/exc_info of job .* inflates past/);
    expect(() => job.record.excInfo).toThrow(DeserializationError);
  });

  it('a traceback under the limit still reads back whole', async () => {
    const text = `Traceback (most recent call last):\n${'  frame\n'.repeat(10_000)}ValueError: big`;
    const id = await writeJob({ status: 'failed', exc_info: deflateSync(Buffer.from(text)) });
    expect(await (await Job.fetch(id, { connection: admin })).excInfo).toBe(text);
  });
});

describe('Redis error replies are typed and keep the server text', () => {
  let locked: RedisServer;
  beforeAll(async () => {
    locked = await startRedis();
    const c = await connect(locked.url);
    await c.command(['ACL', 'SETUSER', 'limited', 'on', '>limited-pass', '~rq:*', '&rq:*', '+@all', '-@dangerous', '-hgetall']);
    await c.command(['CONFIG', 'SET', 'requirepass', 'right-pass']);
    await c.close();
  });
  afterAll(() => locked?.stop());

  it('no password on a server that needs one: enqueue and count reject with an AuthenticationError', async () => {
    await using queue = new Queue(uniqueName('noauth'), { connection: Connection.from(locked.url, PATIENT) });
    const enqueue = await queue.enqueue('mylib.add', 1, 2).catch((e: unknown) => e);
    expect(enqueue).toBeInstanceOf(AuthenticationError);
    expect(enqueue).toBeInstanceOf(RedisReplyError);
    expect((enqueue as RedisReplyError).reply).toMatch(/^(NOAUTH|ERR Protocol error: unauthenticated)/);
    await using queue2 = new Queue(uniqueName('noauth'), { connection: Connection.from(locked.url, PATIENT) });
    const count = await queue2.count.catch((e: unknown) => e);
    expect(count).toBeInstanceOf(AuthenticationError);
    expect(String(count)).toMatch(/NOAUTH Authentication required/);
  });

  it('a wrong password fails at once with an AuthenticationError (WRONGPASS), not at the connect deadline', async () => {
    const conn = Connection.from(`redis://:wrong@127.0.0.1:${locked.port}`, PATIENT);
    const failure = await conn.open().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(AuthenticationError);
    expect(String(failure)).toMatch(/WRONGPASS/);
    await conn.close();
  });

  it('NOPERM is a PermissionError; any other error reply a RedisReplyError with the server text', async () => {
    await using conn = await connect(`redis://limited:limited-pass@127.0.0.1:${locked.port}`);
    const denied = await conn.command(['HGETALL', 'rq:job:x']).catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(PermissionError);
    expect((denied as PermissionError).reply).toMatch(/^NOPERM/);
    const outside = await conn.command(['GET', 'elsewhere']).catch((e: unknown) => e);
    expect(outside).toBeInstanceOf(PermissionError);
    await conn.command(['SET', 'rq:str', 'x']);
    const wrongType = await conn.command(['LPUSH', 'rq:str', 'y']).catch((e: unknown) => e);
    expect(wrongType).toBeInstanceOf(RedisReplyError);
    expect(wrongType).not.toBeInstanceOf(PermissionError);
    expect((wrongType as RedisReplyError).reply).toMatch(/^WRONGTYPE/);
    expect(wrongType).toBeInstanceOf(RqtsError);
  });
});

describe('failing fast on causes that cannot heal', () => {
  it('connection refused on the first connect: a ConnectionError with code ECONNREFUSED', async () => {
    const port = await freePort(); // nobody listens there
    const conn = Connection.from(`redis://127.0.0.1:${port}`, PATIENT);
    const failure = await conn.open().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ConnectionError);
    expect((failure as ConnectionError).code).toBe('ECONNREFUSED');
    await conn.close();
  });

  it('an unknown host (a resolver that answers ENOTFOUND): a ConnectionError with code ENOTFOUND', async () => {
    let asked = '';
    const lookup = ((host: string, _options: unknown, callback: (e: Error) => void) => {
      asked = host;
      callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND', hostname: host }));
    }) as unknown as NonNullable<Parameters<typeof Connection.from>[1]>['lookup'];
    const conn = Connection.from('redis://no-such-host.invalid:6379', { ...PATIENT, lookup });
    const failure = await conn.open().catch((e: unknown) => e);
    expect(asked).toBe('no-such-host.invalid');
    expect(failure).toBeInstanceOf(ConnectionError);
    expect((failure as ConnectionError).code).toBe('ENOTFOUND');
    await conn.close();
  });

  it('a restart of a server that was up is waited out, not failed fast', async () => {
    const server = await startRedis();
    const conn = await connect(server.url);
    try {
      await server.stop();
      const pending = conn.command(['SET', 'rq:after-restart', '1']);
      const again = await startRedis({ port: server.port });
      try {
        expect(await pending).toEqual(Buffer.from('OK'));
      } finally {
        await again.stop();
      }
    } finally {
      await conn.close();
    }
  });
});

describe('TLS', () => {
  let dir: string;
  let tlsServer: RedisServer;
  let tlsPort: number;
  const pem = (name: string): string => readFileSync(join(dir, name), 'utf8');

  /** A CA, a server certificate for 127.0.0.1/localhost and a client certificate, all signed by the CA. */
  function makeCertificates(): void {
    const ssl = (...args: string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    ssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=rqts test CA');
    writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
    for (const who of ['server', 'client']) {
      ssl('req', '-new', ...ec, '-keyout', `${who}.key`, '-out', `${who}.csr`, '-subj', `/CN=rqts ${who}`);
      ssl('x509', '-req', '-in', `${who}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${who}.crt`, '-days', '2',
        ...(who === 'server' ? ['-extfile', 'server.ext'] : []));
    }
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rqts-tls-'));
    makeCertificates();
    tlsPort = await freePort();
    tlsServer = await startRedis({
      args: ['--tls-port', String(tlsPort), '--tls-cert-file', join(dir, 'server.crt'), '--tls-key-file', join(dir, 'server.key'),
        '--tls-ca-cert-file', join(dir, 'ca.crt'), '--tls-auth-clients', 'yes'],
    });
  });
  afterAll(async () => {
    await tlsServer?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('rediss:// with the private CA and a client certificate: enqueue, a Python worker runs it, wait() over TLS', async () => {
    const tls = { ca: pem('ca.crt'), cert: pem('client.crt'), key: pem('client.key') };
    await using queue = new Queue(uniqueName('tls'), { connection: Connection.from(`rediss://127.0.0.1:${tlsPort}`, { tls }) });
    const job = await queue.enqueue<number>('mylib.add', 20, 22);
    const waiting = job.wait({ timeout: 30_000 });
    // The worker uses the same server's plain port: the job crossed TLS on the way in and the result on the way out.
    const run = await runWorker({ rq: rqVersions()[0]!, url: tlsServer.url, queues: [queue.name] });
    expect(run.exitCode, run.log).toBe(0);
    expect(await waiting).toBe(42);
    expect(await queue.connection.command(['CLIENT', 'INFO'])).toBeTruthy();
  });

  it('servername checks the certificate against another name: `localhost` passes, a wrong one fails fast', async () => {
    const tls = { ca: pem('ca.crt'), cert: pem('client.crt'), key: pem('client.key') };
    await using ok = await connect(`rediss://127.0.0.1:${tlsPort}`, { tls: { ...tls, servername: 'localhost' } });
    expect(await ok.command(['PING'])).toEqual(Buffer.from('PONG'));
    const wrong = Connection.from(`rediss://127.0.0.1:${tlsPort}`, { ...PATIENT, tls: { ...tls, servername: 'redis.example' } });
    const failure = await wrong.open().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ConnectionError);
    expect((failure as ConnectionError).code).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
    await wrong.close();
  });

  it('an untrusted certificate (no CA given) fails fast; rejectUnauthorized: false connects anyway', async () => {
    const conn = Connection.from(`rediss://127.0.0.1:${tlsPort}`, { ...PATIENT, tls: { cert: pem('client.crt'), key: pem('client.key') } });
    const failure = await conn.open().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ConnectionError);
    expect((failure as ConnectionError).code).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT/);
    await conn.close();
    await using insecure = await connect(`rediss://127.0.0.1:${tlsPort}`, { tls: { cert: pem('client.crt'), key: pem('client.key'), rejectUnauthorized: false } });
    expect(await insecure.command(['PING'])).toEqual(Buffer.from('PONG'));
  });

  it('bad TLS options are InvalidArgumentErrors naming the option', () => {
    expect(() => Connection.from('rediss://127.0.0.1:1', { tls: { ca: 5 as unknown as string } })).toThrow(/Invalid tls\.ca/);
    expect(() => Connection.from('rediss://127.0.0.1:1', { tls: { cert: 'x' } })).toThrow(/cert and key go together/);
    expect(() => Connection.from('rediss://127.0.0.1:1', { tls: { rejectUnauthorised: false } as never })).toThrow(/Invalid tls\.rejectUnauthorised/);
  });
});

describe('a hung server (SIGSTOP)', () => {
  it('every call ends at its deadline with a ConnectionError, and works again after SIGCONT', async () => {
    const server = await startRedis();
    const conn = await connect(server.url, { commandTimeoutMs: 300, retries: 1 });
    const queue = new Queue(uniqueName('hung'), { connection: conn });
    try {
      await queue.enqueue('mylib.add', 1, 1);
      process.kill(server.pid, 'SIGSTOP');
      const results = await Promise.allSettled([queue.count, queue.enqueue('mylib.add', 2, 2), Job.exists('nope', { connection: conn })]);
      for (const r of results) {
        expect(r.status).toBe('rejected');
        expect((r as PromiseRejectedResult).reason).toBeInstanceOf(ConnectionError);
        expect(String((r as PromiseRejectedResult).reason)).toMatch(/did not answer within 300 ms/);
      }
      process.kill(server.pid, 'SIGCONT');
      // The replies held up meanwhile arrive late and are dropped; new calls get fresh answers.
      await expect.poll(() => queue.count.catch(() => -1), { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
    } finally {
      process.kill(server.pid, 'SIGCONT');
      await conn.close();
      await server.stop();
    }
  });
});

describe('restarts under load', () => {
  it('1,000 enqueues, 100 in flight, Redis killed and restarted twice: all acknowledged, none lost or doubled, every record readable', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rqts-restart-'));
    const durable = ['--appendonly', 'yes', '--appendfsync', 'always'];
    let server = await startRedis({ dir, args: durable });
    const port = server.port;
    const conn = await connect(server.url, { commandTimeoutMs: 20_000, retries: 10 });
    const queue = new Queue(uniqueName('restarts'), { connection: conn });
    try {
      const total = 1_000;
      const acked: string[] = [];
      const failed: unknown[] = [];
      let next = 0;
      const restarts: number[] = [];
      const lane = async (): Promise<void> => {
        while (next < total) {
          const i = next++;
          try {
            acked.push((await queue.enqueue('mylib.add', i, 0)).id);
          } catch (error) {
            failed.push(error);
          }
          // Kill -9 at a third and two thirds of the way, with calls in flight.
          if ((i === 333 || i === 666) && !restarts.includes(i)) {
            restarts.push(i);
            const old = server;
            process.kill(old.pid, 'SIGKILL');
            await old.stop();
            server = await startRedis({ port, dir, args: durable });
            expect(server.pid).not.toBe(old.pid);
          }
        }
      };
      await Promise.all(Array.from({ length: 100 }, lane));
      expect(failed).toEqual([]);
      expect(restarts).toHaveLength(2);
      expect(acked).toHaveLength(total);
      expect(new Set(acked).size).toBe(total);
      const listed = ((await conn.command(['LRANGE', queue.key, '0', '-1'])) as Buffer[]).map(String);
      expect(listed).toHaveLength(total);
      expect(new Set(listed)).toEqual(new Set(acked));
      // Every acknowledged record reads back whole, with the arguments it was sent with.
      const jobs = await Job.fetchMany(acked, { connection: conn });
      expect(new Set(jobs.map((job) => job?.args[0])).size).toBe(total);
    } finally {
      await conn.close();
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
