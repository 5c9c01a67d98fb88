/**
 * A TCP relay on 127.0.0.1 in front of a redis-server the test started: bytes pass unchanged both ways, so
 * the client talks to the real server, and nothing is ever answered by the relay itself. It exists to put a
 * network fault or delay at an exact moment instead of racing a timer: drop a connection as it sends a given
 * command (which then never reaches Redis), or hold one connection's traffic while another's goes on.
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
   * Hold the next connection that sends `command`: from that command on, what it sends waits in the relay
   * until `releaseRequests()`, and what Redis sends it until `releaseReplies()`.
   */
  holdOn(command: readonly string[]): HeldLink;
  /**
   * Call `fn` with each answer Redis gives to `command` (on any connection, from now on), before the answer
   * goes on to the client. An answer is the next bytes Redis sends on that connection.
   */
  onAnswer(command: readonly string[], fn: (answer: string) => void): void;
  close(): Promise<void>;
}

export interface HeldLink {
  /** Resolves when a connection sent the command and is being held. */
  readonly held: Promise<void>;
  releaseRequests(): void;
  releaseReplies(): void;
}

/** The arguments of a command as a client writes them: RESP bulk strings (after the array's header). */
const resp = (command: readonly string[]): Buffer => Buffer.from(command.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join(''));

interface Link {
  client: net.Socket;
  upstream: net.Socket;
  /** Bytes held back from Redis / from the client while this link is held (null: not held). */
  requests: Buffer[] | null;
  replies: Buffer[] | null;
  /** Answer listeners of the commands sent and not yet answered on this link. */
  awaiting: ((answer: string) => void)[];
}

export async function startRelay(redisPort: number): Promise<Relay> {
  const links = new Set<Link>();
  let cut: { pattern: Buffer; hit(): void } | null = null;
  let hold: { pattern: Buffer; start(link: Link): void } | null = null;
  const listeners: { pattern: Buffer; fn(answer: string): void }[] = [];

  const server = net.createServer((client) => {
    const link: Link = { client, upstream: net.connect(redisPort, '127.0.0.1'), requests: null, replies: null, awaiting: [] };
    const { upstream } = link;
    links.add(link);
    // The end of the previous chunk, so a command split across two chunks is still recognised.
    let tail = Buffer.alloc(0);
    client.on('data', (chunk: Buffer) => {
      const seen = Buffer.concat([tail, chunk]);
      tail = seen.subarray(Math.max(0, seen.length - 256));
      if (link.requests) {
        link.requests.push(chunk);
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
      if (hold && seen.includes(hold.pattern)) {
        const { start } = hold;
        hold = null;
        link.requests = [chunk];
        link.replies = [];
        start(link);
        return;
      }
      for (const l of listeners) if (chunk.includes(l.pattern)) link.awaiting.push(l.fn);
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (link.replies) {
        link.replies.push(chunk);
        return;
      }
      for (const fn of link.awaiting.splice(0)) fn(chunk.toString('latin1'));
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
    holdOn(command) {
      let link: Link | null = null;
      let releasedRequests = false;
      let releasedReplies = false;
      const flushRequests = (l: Link): void => {
        for (const b of l.requests ?? []) l.upstream.write(b);
        l.requests = null;
      };
      const flushReplies = (l: Link): void => {
        for (const b of l.replies ?? []) l.client.write(b);
        l.replies = null;
      };
      const held = new Promise<void>((resolve) => {
        hold = {
          pattern: resp(command),
          start(l) {
            link = l;
            resolve();
          },
        };
      });
      return {
        held,
        releaseRequests() {
          if (releasedRequests || !link) return;
          releasedRequests = true;
          flushRequests(link);
        },
        releaseReplies() {
          if (releasedReplies || !link) return;
          releasedReplies = true;
          flushReplies(link);
        },
      };
    },
    onAnswer(command, fn) {
      listeners.push({ pattern: resp(command), fn });
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
