/**
 * A private redis-server per test file: free port on 127.0.0.1, no persistence, its own temp dir, gone when
 * stopped or when the test process exits.
 */
import { mkdtempSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forgetTempDir, start, trackTempDir, type Spawned } from './processes.js';

export interface RedisServer {
  port: number;
  /** `redis://127.0.0.1:<port>` */
  url: string;
  pid: number;
  /** Shuts the server down and removes its directory; safe to call twice. */
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
const START_TIMEOUT_MS = 10_000;
const ATTEMPTS = 10;

/**
 * A port nobody listens on right now, chosen at random below Linux's ephemeral range (32768+) so outgoing
 * connections never take it; two vitest workers picking the same one is caught by the bind probe here or by
 * redis-server's own "Address already in use", and {@link startRedis} retries.
 */
export function freePort(): Promise<number> {
  const port = 20_000 + Math.floor(Math.random() * 12_000);
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(freePort()));
    probe.listen({ port, host: HOST, exclusive: true }, () => probe.close(() => resolve(port)));
  });
}

/** Sends PING and INFO over a raw socket; resolves the answering server's pid, or null if it doesn't answer. */
function probeServer(port: number): Promise<number | null> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: HOST });
    let reply = '';
    const finish = (pid: number | null): void => {
      socket.destroy();
      resolve(pid);
    };
    socket.setEncoding('utf8');
    socket.setTimeout(1000, () => finish(null));
    socket.once('error', () => finish(null));
    socket.once('connect', () => socket.write('PING\r\nINFO server\r\n'));
    socket.on('data', (chunk: string) => {
      reply += chunk;
      if (!reply.startsWith('+PONG') && reply.includes('\r\n')) return finish(null); // -LOADING etc.
      const match = /process_id:(\d+)\r\n/.exec(reply);
      if (match) finish(Number(match[1]));
    });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface StartRedisOptions {
  /** A fixed port (e.g. to restart a server where clients expect it); one attempt only. */
  port?: number;
  /** More `redis-server` arguments (TLS, replication…); the plain port stays for the readiness probe. */
  args?: readonly string[];
  /** A data directory the caller owns (kept on stop), so a restarted server finds its AOF/RDB files. */
  dir?: string;
}

/** Starts a private `redis-server` and waits until it answers PING. */
export async function startRedis(options: StartRedisOptions = {}): Promise<RedisServer> {
  let lastLog = '';
  const attempts = options.port === undefined ? ATTEMPTS : 1;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const port = options.port ?? (await freePort());
    const ownDir = options.dir === undefined;
    const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'rqts-redis-'));
    if (ownDir) trackTempDir(dir);
    // prettier-ignore
    const args = ['--port', String(port), '--bind', HOST, '--save', '', '--appendonly', 'no', '--dir', dir,
      '--daemonize', 'no', '--logfile', '', '--loglevel', 'notice', ...(options.args ?? [])];
    let server: Spawned;
    try {
      server = await start('redis-server', args, {});
    } catch (err) {
      if (ownDir) forgetTempDir(dir);
      throw new Error('redis-server could not be started; run `bash scripts/bootstrap.sh` to install it', { cause: err });
    }
    let exited = false;
    void server.done.then(() => (exited = true));

    const deadline = Date.now() + START_TIMEOUT_MS;
    while (!exited && Date.now() < deadline) {
      // The pid check guards against a neighbour's server that won the race for this port.
      if ((await probeServer(port)) === server.pid) {
        return handle(server, port, ownDir ? dir : null);
      }
      await sleep(50);
    }
    server.kill('SIGKILL');
    lastLog = (await server.done).all;
    if (ownDir) forgetTempDir(dir);
    if (!/address already in use/i.test(lastLog)) {
      throw new Error(`redis-server on port ${port} did not answer within ${START_TIMEOUT_MS} ms:\n${lastLog}`);
    }
  }
  throw new Error(`redis-server found no free port in ${attempts} attempts:\n${lastLog}`);
}

function handle(server: Spawned, port: number, dir: string | null): RedisServer {
  let stopping: Promise<void> | undefined;
  return {
    port,
    url: `redis://${HOST}:${port}`,
    pid: server.pid,
    stop() {
      stopping ??= (async () => {
        server.kill('SIGTERM');
        const killer = setTimeout(() => server.kill('SIGKILL'), 5000);
        await server.done;
        clearTimeout(killer);
        if (dir !== null) forgetTempDir(dir);
      })();
      return stopping;
    },
  };
}
