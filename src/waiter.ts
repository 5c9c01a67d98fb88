/**
 * Blocking result waits without polling: every pending `job.wait()` on a connection is served by one
 * `XREAD BLOCK … STREAMS rq:results:<id>…` call on one duplicated connection (blocking commands on one
 * connection run one after another, so one call must cover every job). When a new job joins, the running
 * block is ended with `CLIENT UNBLOCK` and re-issued with the larger key set. Under an ACL user that may not
 * run `CLIENT ID`/`CLIENT UNBLOCK`, blocks are kept short instead, so a new job joins within one of them.
 */
import type { Connection, RedisClient, Reply } from './connection.js';
import type { ResultRef } from './dataflow.js';
import { ConnectionError, JobCanceledError, NoSuchJobError, PermissionError, RedisReplyError, WaitTimeoutError } from './errors.js';
import { jobKey, resultsKey } from './keys.js';
import { JobStatus, ResultType } from './protocol.js';

/** How long one XREAD blocks before the loop re-checks statuses (canceled/deleted jobs write no result). */
const BLOCK_MS = 2_000;

/** The block when `CLIENT UNBLOCK` is denied: the longest a newly added wait goes unwatched. */
const SHORT_BLOCK_MS = 50;

/** Replies that a failover or restart clears up: keep waiting. */
const TRANSIENT_REPLY = /^(LOADING|BUSY|TRYAGAIN|MASTERDOWN|READONLY)\b/;

/** Result types that end a wait; RETRIED (4) means the job runs again. */
const FINAL_TYPES = new Set<number>([ResultType.SUCCESSFUL, ResultType.FAILED, ResultType.MAX_RETRIES_EXCEEDED]);

interface Pending {
  resolve(entry: Reply): void;
  reject(error: unknown): void;
}

interface Watched {
  /** Stream id after which a new entry counts. */
  lastId: string;
  waiters: Set<Pending>;
}

const waiters = new WeakMap<Connection, ResultWaiter>();

/** The waiter shared by every wait on this connection. */
export function waiterFor(connection: Connection): ResultWaiter {
  let w = waiters.get(connection);
  if (!w) {
    w = new ResultWaiter(connection);
    waiters.set(connection, w);
  }
  return w;
}

export interface WaitOptions {
  /** Milliseconds; rejects with {@link WaitTimeoutError}. @defaultValue no limit */
  timeout?: number;
  /** Rejects with `signal.reason` when aborted. */
  signal?: AbortSignal;
  /**
   * When the job returns a reference to another job (`resultOf(job)`, or `rqts_dataflow.result_of(job)` in
   * Python), keep waiting for that job and resolve with its value; chains of any length, under one
   * `timeout`. `false` resolves with the reference itself (a {@link ResultRef}). Only `job.wait()` reads it.
   * @defaultValue true
   */
  follow?: boolean;
}

export class ResultWaiter {
  readonly #connection: Connection;
  readonly #watched = new Map<string, Watched>();
  /** Set while {@link #run} loops (one loop per waiter). */
  #looping = false;
  #blockingId: string | null = null;
  /** Set while an XREAD is in flight; bumps with every call so a late UNBLOCK can tell. */
  #generation = 0;
  #inFlight = false;
  /** The XREAD an UNBLOCK is already on its way to (its generation), so joins in one tick cost one. */
  #interruptFor = -1;
  /** False once Redis denied CLIENT ID or CLIENT UNBLOCK (ACL): then blocks are short. */
  #canUnblock = true;
  readonly #listening = new WeakSet<RedisClient>();

  constructor(connection: Connection) {
    this.#connection = connection;
  }

  /** How many jobs are being waited on (for tests and diagnostics). */
  get size(): number {
    return this.#watched.size;
  }

  /**
   * Resolve with the first final stream entry written after `afterId` for the job.
   * Rejects on timeout, abort, cancel (no result is ever written) and deletion.
   */
  wait(jobId: string, afterId: string, options: WaitOptions = {}): Promise<Reply> {
    const { timeout, signal } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<Reply>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const cleanup = (): void => {
        clearTimeout(timer); // a no-op when the wait has no timeout
        signal?.removeEventListener('abort', onAbort);
        const w = this.#watched.get(jobId);
        w?.waiters.delete(pending);
        if (w && w.waiters.size === 0) this.#watched.delete(jobId);
      };
      const pending: Pending = {
        resolve: (entry) => { cleanup(); resolve(entry); },
        reject: (error) => { cleanup(); reject(error); },
      };
      const onAbort = (): void => pending.reject(signal!.reason);
      signal?.addEventListener('abort', onAbort); // cleanup removes it on every settle, this one included
      if (timeout !== undefined) timer = setTimeout(() => pending.reject(new WaitTimeoutError(jobId, timeout)), timeout);

      const w = this.#watched.get(jobId);
      if (w) {
        w.waiters.add(pending);
      } else {
        this.#watched.set(jobId, { lastId: afterId, waiters: new Set([pending]) });
        this.#interrupt();
      }
      this.#ensureLoop();
    });
  }

  #ensureLoop(): void {
    if (this.#looping) return;
    this.#looping = true;
    void this.#run();
  }

  async #run(): Promise<void> {
    try {
      let lastSweep = Date.now();
      for (;;) {
        let reply: Reply;
        try {
          const client = await this.#connection.blockingClient();
          await this.#ensureBlockingId(client);
          // Read the key set only now: a wait added during the awaits above is then included, not missed. None
          // left (delivered, timed out, swept): the loop ends, and the next wait starts another.
          const watched = [...this.#watched];
          if (watched.length === 0) break;
          this.#generation += 1;
          this.#inFlight = true;
          reply = await this.#connection.blockingCommand([
            'XREAD', 'BLOCK', String(this.#canUnblock ? BLOCK_MS : SHORT_BLOCK_MS), 'STREAMS',
            ...watched.map(([id]) => resultsKey(id)),
            ...watched.map(([, w]) => w.lastId),
          ]);
        } catch (error) {
          // close() ends the waits. A dropped connection does not ("Socket closed unexpectedly"): node-redis
          // reconnects and queues the next command until then; re-read from the last ids after a pause, with a
          // new CLIENT ID (the reconnected connection has a new id).
          this.#blockingId = null;
          if (this.#connection.closed) return this.#rejectAll(new ConnectionError('Connection is closed'));
          // A reply no retry changes (ACL denies XREAD, the key is not a stream): end the waits with it.
          if (error instanceof RedisReplyError && !TRANSIENT_REPLY.test(error.reply)) return this.#rejectAll(error);
          await new Promise((r) => setTimeout(r, 100));
          continue;
        } finally {
          this.#inFlight = false;
        }
        this.#deliver(reply);
        if (Date.now() - lastSweep >= BLOCK_MS) {
          lastSweep = Date.now();
          await this.#sweep().catch(() => undefined);
        }
      }
    } finally {
      this.#looping = false; // as the loop ends, not a tick later: a wait added after it starts another
    }
  }

  /** Hand each final entry to its waiters; remember how far each stream was read. */
  #deliver(reply: Reply): void {
    for (const [key, entries] of streamsOf(reply)) {
      const jobId = key.slice(resultsKey('').length);
      const w = this.#watched.get(jobId);
      if (!w) continue;
      for (const entry of entries) {
        if (!Array.isArray(entry)) continue;
        w.lastId = String(entry[0]);
        if (FINAL_TYPES.has(entryType(entry))) {
          for (const p of [...w.waiters]) p.resolve(entry);
          break;
        }
      }
    }
  }

  /** Canceled and deleted jobs never get a result: find them and end their waits. */
  async #sweep(): Promise<void> {
    const ids = [...this.#watched.keys()];
    const statuses = await this.#connection.pipeline(ids.map((id) => ['HGET', jobKey(id), 'status']));
    ids.forEach((id, i) => {
      const status = statuses[i];
      const error = status === null ? new NoSuchJobError(id) : String(status) === JobStatus.CANCELED ? new JobCanceledError(id) : null;
      if (error) for (const p of [...(this.#watched.get(id)?.waiters ?? [])]) p.reject(error);
    });
  }

  #rejectAll(error: unknown): void {
    for (const w of [...this.#watched.values()]) for (const p of [...w.waiters]) p.reject(error);
  }

  async #ensureBlockingId(client: RedisClient): Promise<void> {
    if (this.#blockingId !== null || !this.#canUnblock) return;
    if (!this.#listening.has(client)) {
      // A reconnect gives the connection a new id.
      client.on('ready', () => { this.#blockingId = null; });
      this.#listening.add(client);
    }
    try {
      this.#blockingId = String(await this.#connection.blockingCommand(['CLIENT', 'ID']));
    } catch (error) {
      // Only a denial (ACL) lasts: a dropped connection or a BUSY reply is the loop's to retry, with CLIENT ID.
      if (!(error instanceof PermissionError)) throw error;
      this.#canUnblock = false;
    }
  }

  /**
   * End the running XREAD so the next one includes new jobs: one UNBLOCK per XREAD, however many join. None
   * when no XREAD is in flight: the next one reads the key set afresh (an idle waiter's first wait used to
   * end the very XREAD it had just issued, one more round trip on every wait).
   */
  #interrupt(): void {
    if (!this.#inFlight || this.#interruptFor === this.#generation) return;
    const generation = (this.#interruptFor = this.#generation);
    setImmediate(() => void this.#unblock(generation, 0));
  }

  async #unblock(generation: number, attempt: number): Promise<void> {
    if (!this.#inFlight || generation !== this.#generation || this.#blockingId === null) return;
    const done = await this.#connection.command(['CLIENT', 'UNBLOCK', this.#blockingId]).catch((error: unknown) => {
      if (error instanceof PermissionError) {
        // Denied (ACL): short blocks from now on, and no UNBLOCK (nor a retry of this one: no id to name).
        this.#canUnblock = false;
        this.#blockingId = null;
      }
      return 0;
    });
    // The XREAD may not have reached Redis yet; try again shortly while it is still the same call.
    if (done !== 1 && attempt < 20) setTimeout(() => void this.#unblock(generation, attempt + 1), 2);
  }
}

/**
 * XREAD reply → [stream key, entries] pairs, under RESP2 (`[[k, entries], …]`) or RESP3 (`[k, entries, …]`);
 * null (the block ran out) gives none. Redis always pairs a stream key with an array of entries.
 */
function streamsOf(reply: Reply): [string, Reply[]][] {
  if (!Array.isArray(reply)) return [];
  if (Array.isArray(reply[0])) return (reply as Reply[][]).map((pair) => [String(pair[0]), pair[1] as Reply[]]);
  const out: [string, Reply[]][] = [];
  for (let i = 0; i + 1 < reply.length; i += 2) out.push([String(reply[i]), reply[i + 1] as Reply[]]);
  return out;
}

function entryType(entry: Reply[]): number {
  const fields = entry[1];
  if (!Array.isArray(fields)) return 0;
  for (let i = 0; i + 1 < fields.length; i += 2) if (String(fields[i]) === 'type') return Number(String(fields[i + 1]));
  return 0;
}
