/**
 * A TCP relay on 127.0.0.1 in front of a redis-server the test started: bytes pass unchanged both ways, so
 * the client talks to the real server, and nothing is ever answered by the relay itself. It exists to put a
 * network fault or delay at an exact moment instead of racing a timer: drop a connection as it sends a given
 * command (which then never reaches Redis), or hold one connection's command back until Redis has answered
 * another connection's.
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
  /**
   * Hold back the next `command` a connection sends (and whatever that connection sends after it) until
   * Redis has answered an `until` command sent on another connection; the held bytes go on to Redis before
   * that answer goes on to its client. `held` resolves when the holding starts, `released` when it ends.
   */
  holdUntilAnswered(command: readonly string[], until: readonly string[]): { held: Promise<void>; released: Promise<void> };
  close(): Promise<void>;
}

/** The arguments of a command as a client writes them: RESP bulk strings (after the array's header). */
const resp = (command: readonly string[]): Buffer => Buffer.from(command.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join(''));

interface Link {
  client: net.Socket;
  upstream: net.Socket;
  /** Bytes held back from Redis, while this link is the held one. */
  held: Buffer[] | null;
  /** This link sent the `until` command of a hold: its next bytes from Redis are the answer. */
  awaitingAnswer: boolean;
}

interface Hold {
  pattern: Buffer;
  until: Buffer;
  holder: Link | null;
  started(): void;
  released(): void;
}

export async function startRelay(redisPort: number): Promise<Relay> {
  const links = new Set<Link>();
  let cut: { pattern: Buffer; hit(): void } | null = null;
  let hold: Hold | null = null;

  const server = net.createServer((client) => {
    const link: Link = { client, upstream: net.connect(redisPort, '127.0.0.1'), held: null, awaitingAnswer: false };
    const { upstream } = link;
    links.add(link);
    // The end of the previous chunk, so a command split across two chunks is still recognised.
    let tail = Buffer.alloc(0);
    client.on('data', (chunk: Buffer) => {
      const seen = Buffer.concat([tail, chunk]);
      tail = seen.subarray(Math.max(0, seen.length - 256));
      if (link.held) {
        link.held.push(chunk);
        return;
      }
      if (cut && seen.includes(cut.pattern)) {
        const { hit } = cut;
        cut = null;
        client.destroy();
        upstream.destroy();
        hit();
        return;
      }
      if (hold && !hold.holder && seen.includes(hold.pattern)) {
        hold.holder = link;
        link.held = [chunk];
        hold.started();
        return;
      }
      if (hold?.holder && hold.holder !== link && seen.includes(hold.until)) link.awaitingAnswer = true;
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (link.awaitingAnswer && hold?.holder) {
        const { holder, released } = hold;
        hold = null;
        link.awaitingAnswer = false;
        for (const b of holder.held ?? []) holder.upstream.write(b);
        holder.held = null;
        released();
      }
      client.write(chunk);
    });
    const end = (): void => {
      client.destroy();
      upstream.destroy();
      links.delete(link);
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
        cut = { pattern: resp(command), hit };
      });
    },
    holdUntilAnswered(command, until) {
      let started!: () => void;
      let released!: () => void;
      const held = new Promise<void>((r) => (started = r));
      const done = new Promise<void>((r) => (released = r));
      hold = { pattern: resp(command), until: resp(until), holder: null, started, released };
      return { held, released: done };
    },
    close() {
      for (const { client, upstream } of links) {
        client.destroy();
        upstream.destroy();
      }
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
