/**
 * A TCP relay on 127.0.0.1 in front of a redis-server the test started: bytes pass unchanged both ways, so
 * the client talks to the real server. It exists to drop a connection at an exact moment — as the client
 * sends a given command, which then never reaches Redis — the way a network fault or a server-side kill
 * would, without racing a timer. Nothing is answered by the relay itself.
 */
import net from 'node:net';

export interface Relay {
  readonly port: number;
  /** `redis://127.0.0.1:<relay port>`. */
  readonly url: string;
  /**
   * Drop the next connection that sends this command (client and server side both), before its bytes reach
   * Redis. Resolves once it was dropped. One cut per call.
   */
  cutOn(command: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

/** A command as a client writes it: a RESP array of bulk strings. */
const resp = (command: readonly string[]): Buffer =>
  Buffer.from(`*${command.length}\r\n${command.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`);

export async function startRelay(redisPort: number): Promise<Relay> {
  const sockets = new Set<net.Socket>();
  let trap: { pattern: Buffer; hit(): void } | null = null;
  const server = net.createServer((client) => {
    const upstream = net.connect(redisPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    // The end of the previous chunk, so a command split across two chunks is still recognised.
    let tail = Buffer.alloc(0);
    client.on('data', (chunk: Buffer) => {
      const seen = Buffer.concat([tail, chunk]);
      if (trap && seen.includes(trap.pattern)) {
        const { hit } = trap;
        trap = null;
        client.destroy();
        upstream.destroy();
        hit();
        return;
      }
      tail = seen.subarray(Math.max(0, seen.length - 256));
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    const end = (): void => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    cutOn(command) {
      return new Promise<void>((hit) => {
        trap = { pattern: resp(command), hit };
      });
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
