/**
 * Redis Sentinel for tests: `redis-server <conf> --sentinel` processes on free 127.0.0.1 ports, each with its
 * own config file (sentinels rewrite it), watching one primary with short timeouts so a failover takes seconds.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'redis';
import { forgetTempDir, start, trackTempDir } from './processes.js';
import { freePort } from './redis-server.js';

export interface SentinelProcess {
  port: number;
  pid: number;
  stop(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** One sentinel monitoring `masterName` at 127.0.0.1:`primaryPort` (quorum 2, down after 1 s). */
export async function startSentinel(masterName: string, primaryPort: number): Promise<SentinelProcess> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'rqts-sentinel-'));
  trackTempDir(dir);
  const conf = join(dir, 'sentinel.conf');
  writeFileSync(
    conf,
    [
      `port ${port}`,
      'bind 127.0.0.1',
      `dir ${dir}`,
      'sentinel resolve-hostnames no',
      `sentinel monitor ${masterName} 127.0.0.1 ${primaryPort} 2`,
      `sentinel down-after-milliseconds ${masterName} 1000`,
      `sentinel failover-timeout ${masterName} 5000`,
      `sentinel parallel-syncs ${masterName} 1`,
      '',
    ].join('\n'),
  );
  const proc = await start('redis-server', [conf, '--sentinel'], {});
  let exited = false;
  void proc.done.then(() => (exited = true));
  const client = createClient({ RESP: 2, socket: { host: '127.0.0.1', port, reconnectStrategy: false } });
  client.on('error', () => {});
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (exited) throw new Error(`sentinel on ${port} exited:\n${proc.output()}`);
    try {
      await client.connect();
      await client.sendCommand(['PING']);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`sentinel on ${port} did not answer:\n${proc.output()}`);
      await sleep(50);
    }
  }
  client.destroy();
  let stopping: Promise<void> | undefined;
  return {
    port,
    pid: proc.pid,
    stop() {
      stopping ??= (async () => {
        proc.kill('SIGKILL');
        await proc.done;
        forgetTempDir(dir);
      })();
      return stopping;
    },
  };
}

/** Ask a sentinel something (SENTINEL … replies), over a short-lived connection. */
export async function askSentinel(port: number, args: string[]): Promise<unknown> {
  const client = createClient({ RESP: 2, socket: { host: '127.0.0.1', port, reconnectStrategy: false } });
  client.on('error', () => {});
  try {
    await client.connect();
    return await client.sendCommand(args);
  } finally {
    client.destroy();
  }
}
