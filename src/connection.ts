/**
 * The Redis connection rqts talks through: accepts a URL or an existing node-redis client, reads every reply
 * binary-safe, retries transient failures within a bounded budget, and hands out one duplicated connection
 * for blocking reads.
 */
import { createHash } from 'node:crypto';
import type { LookupFunction } from 'node:net';
import {
  createClient,
  createSentinel,
  RESP_TYPES,
  ClientClosedError,
  ClientOfflineError,
  ConnectionTimeoutError,
  SocketClosedUnexpectedlyError,
  ErrorReply,
} from 'redis';
import pRetry from 'p-retry';
import { DeadlineQueue } from './deadlines.js';
import {
  AuthenticationError,
  ConnectionError,
  InvalidArgumentError,
  PermissionError,
  RedisReplyError,
  RqtsError,
} from './errors.js';

/**
 * Any node-redis client, whatever its modules, RESP version or type mapping: the part of its surface rqts
 * uses, stated structurally (node-redis's own generic types do not accept each other across those choices).
 */
export interface RedisClient {
  readonly isOpen: boolean;
  connect(): Promise<unknown>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  sendCommand(args: readonly (string | Buffer)[], options?: any): Promise<unknown>;
  duplicate(): RedisClient;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  on(event: string, listener: (...args: any[]) => void): unknown;
  destroy(): void;
  close(): Promise<void>;
}

/** What a raw reply looks like once type-mapped: blobs are Buffers, maps and sets flat arrays. */
export type Reply = Buffer | string | number | bigint | null | Reply[];

/** A Redis command argument. */
export type Arg = string | Buffer;

/**
 * Blob strings as Buffers (pickle and zlib bytes must survive), maps and sets as flat arrays: the same reply
 * shape under RESP2 and RESP3, so rqts works on clients the user built either way.
 */
const TYPE_MAPPING = {
  [RESP_TYPES.BLOB_STRING]: Buffer,
  [RESP_TYPES.SIMPLE_STRING]: Buffer,
  [RESP_TYPES.MAP]: Array,
  [RESP_TYPES.SET]: Array,
} as const;

/**
 * Options for every command rqts sends. `timeout: 0` turns off node-redis 6's default 5 s command timeout:
 * rqts keeps its own deadline, the default would cut blocking reads that wait longer (a worker's BLMOVE),
 * and it costs an AbortSignal and a timer per command (~10 µs, a third of a 100-in-flight enqueue).
 */
export const COMMAND_OPTIONS = { typeMapping: TYPE_MAPPING, timeout: 0 } as const;

export interface ConnectionOptions {
  /**
   * How many times a command that failed on a transient connection error is tried again.
   * @defaultValue 3
   */
  retries?: number;
  /**
   * Deadline for one command (blocking reads excepted), in milliseconds.
   * @defaultValue 10000
   */
  commandTimeoutMs?: number;
  /**
   * Deadline for establishing the connection, in milliseconds. Causes that cannot heal by waiting (connection
   * refused, unknown host, wrong password, untrusted TLS certificate) fail at once instead.
   * @defaultValue 10000
   */
  connectTimeoutMs?: number;
  /**
   * TLS settings for a connection rqts opens (a `rediss://` URL, or any URL when this is given). Ignored for a
   * node-redis client passed in (configure that client itself).
   */
  tls?: TlsOptions;
  /**
   * Make every write wait until this many replicas acknowledged it (Redis `WAIT`): a call then resolves only
   * once the job would survive a failover to one of them. Rejects with ConnectionError when fewer replicas
   * acknowledged within `timeoutMs` (the write itself stays on the primary). @defaultValue off
   */
  waitForReplicas?: { replicas: number; timeoutMs: number };
  /**
   * The socket's host name resolver (Node's `dns.lookup` signature); for tests and custom DNS.
   * @internal
   */
  lookup?: LookupFunction;
}

/** TLS settings ({@link ConnectionOptions.tls}); strings or Buffers in PEM. */
export interface TlsOptions {
  /** Certificate authorities to trust instead of Node's bundled list (e.g. a private CA). */
  ca?: string | Buffer | readonly (string | Buffer)[];
  /** Client certificate, for servers that require one (`tls-auth-clients yes`). */
  cert?: string | Buffer;
  /** The client certificate's private key. */
  key?: string | Buffer;
  /** Host name to check the server certificate against (and SNI), when it differs from the URL's host. */
  servername?: string;
  /**
   * Refuse servers whose certificate does not verify. Turning this off removes the protection TLS gives.
   * @defaultValue true
   */
  rejectUnauthorized?: boolean;
}

/**
 * Where to find a Redis primary through Redis Sentinel. rqts asks the sentinels for the current primary,
 * and after a failover follows the promoted replica.
 */
export interface SentinelTarget {
  /** Addresses of some or all sentinels. */
  sentinels: readonly { host: string; port: number }[];
  /** The name the sentinels monitor the primary under (`sentinel monitor <name> …`). */
  masterName: string;
  /** Credentials for the Redis servers (primary and replicas). */
  username?: string;
  password?: string;
  /** Credentials for the sentinels, when they need their own. */
  sentinelUsername?: string;
  sentinelPassword?: string;
  /** @defaultValue 0 */
  db?: number;
}

/** Where a Connection comes from: a URL, a Sentinel setup, a node-redis client, or an existing Connection. */
export type ConnectionLike = Connection | RedisClient | SentinelTarget | string;

/**
 * A connection that lives beyond one call: a {@link Connection} or a node-redis client. APIs that do not own
 * what they are given (Job.fetch, Queue.all, withConnection…) take this rather than a URL, which would open a
 * client nobody closes.
 */
export type SharedConnection = Connection | RedisClient;

/** One Connection per node-redis client, so listeners, blocking connections and waits are shared. */
const byClient = new WeakMap<object, Connection>();

/**
 * A node-redis `multi()` (a MULTI/EXEC transaction): the caller's pipeline that `{ pipeline }` enqueues add
 * their writes to. Nothing is sent until its `exec()`.
 */
export interface RedisPipeline {
  addCommand(args: readonly (string | Buffer)[]): unknown;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  exec(...args: any[]): Promise<unknown>;
}

/** Which Connection's clients made each pipeline, so an enqueue can refuse one from another client. */
const pipelineOwners = new WeakMap<object, Connection>();

export interface SendOptions {
  /**
   * Whether sending the command twice is harmless. A lost reply looks exactly like a command that never
   * arrived, so only idempotent commands are retried after one.
   * @defaultValue true
   */
  idempotent?: boolean;
}

/** A Lua script with its SHA1 computed up front, run with EVALSHA and EVAL on NOSCRIPT. */
export class LuaScript {
  readonly sha: string;
  constructor(
    readonly name: string,
    readonly source: string,
  ) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }
}

const ALLOWED_PROTOCOLS = new Set(['redis:', 'rediss:', 'unix:']);

/** Validate a Redis URL before any socket is opened. */
export function validateRedisUrl(url: unknown): string {
  if (typeof url !== 'string' || url.length === 0) {
    throw new InvalidArgumentError('connection', url, 'expected a redis:// or rediss:// URL or a node-redis client');
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw new InvalidArgumentError('connection', url, 'not a valid URL', { cause });
  }
  if (!ALLOWED_PROTOCOLS.has(parsed.protocol)) {
    throw new InvalidArgumentError('connection', url, `unsupported scheme ${parsed.protocol} (use redis:// or rediss://)`);
  }
  const db = parsed.pathname.replace(/^\//, '');
  if (parsed.protocol !== 'unix:' && db !== '' && !/^\d+$/.test(db)) {
    throw new InvalidArgumentError('connection', url, `database index ${JSON.stringify(db)} is not a number`);
  }
  return url;
}

/**
 * One logical Redis connection: a command client plus, on demand, a duplicated client for blocking reads.
 *
 * @remarks
 * Clients rqts creates from a URL use RESP2 and are closed by {@link Connection.close}; a client passed in
 * stays the caller's to close (its blocking duplicate is rqts's).
 */
export class Connection {
  readonly #client: RedisClient;
  readonly #owned: boolean;
  readonly #retries: number;
  readonly #commandTimeoutMs: number;
  readonly #deadlines: DeadlineQueue;
  readonly #connectTimeoutMs: number;
  /** `WAIT replicas timeout` after each write, when asked for. */
  readonly #waitArgs: string[] | null;
  /** The client's latest 'error' event, to explain a failed connect (e.g. WRONGPASS). */
  #lastError: Error | null = null;
  #connecting: Promise<void> | null = null;
  #blocking: Promise<RedisClient> | null = null;
  #closed = false;

  private constructor(client: RedisClient, owned: boolean, options: ConnectionOptions) {
    this.#client = client;
    this.#owned = owned;
    this.#retries = nonNegativeInt('retries', options.retries ?? 3);
    this.#commandTimeoutMs = positiveInt('commandTimeoutMs', options.commandTimeoutMs ?? 10_000);
    const ms = this.#commandTimeoutMs;
    this.#deadlines = new DeadlineQueue(ms, () => new DeadlineError(`Redis did not answer within ${ms} ms`));
    this.#connectTimeoutMs = positiveInt('connectTimeoutMs', options.connectTimeoutMs ?? 10_000);
    this.#waitArgs = waitArgs(options.waitForReplicas);
    // Without a listener a Redis restart would crash the process; errors surface on commands instead.
    client.on('error', (error: Error) => {
      this.#lastError = error;
    });
    this.#adopt(client);
  }

  /**
   * Note every `multi()` this client makes as this connection's, so `{ pipeline }` can check where a
   * pipeline came from (node-redis keeps a multi's client private).
   */
  #adopt(client: RedisClient): void {
    const target = client as unknown as { multi?: (...args: unknown[]) => object; MULTI?: (...args: unknown[]) => object };
    const original = target.multi;
    if (typeof original !== 'function') return;
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const connection = this;
    const multi = function (this: unknown, ...args: unknown[]): object {
      const pipeline = original.apply(this ?? client, args);
      pipelineOwners.set(pipeline, connection);
      return pipeline;
    };
    target.multi = multi;
    target.MULTI = multi;
  }

  /**
   * A MULTI/EXEC pipeline of this connection's client, for `{ pipeline }` (node-redis `client.multi()`, which
   * works as well). For `WATCH`, which needs a client of its own, use a client from {@link Connection.openDuplicate}:
   * its `multi()` counts as this connection's too.
   */
  multi(): RedisPipeline {
    return (this.#client as unknown as { multi(): RedisPipeline }).multi();
  }

  /** @internal Whether `pipeline` is a `multi()` of this connection's client or of a duplicate it opened. */
  ownsPipeline(pipeline: unknown): boolean {
    return typeof pipeline === 'object' && pipeline !== null && pipelineOwners.get(pipeline) === this;
  }

  /**
   * A Connection over a URL or client, not yet connected (it connects on first use). Validates the URL now.
   * A URL gives a new Connection that the caller owns (close it); a client gives the one Connection kept for
   * that client (options apply the first time).
   * @throws InvalidArgumentError for a malformed URL or an object that is not a node-redis client.
   */
  static from(target: ConnectionLike, options: ConnectionOptions = {}): Connection {
    if (target instanceof Connection) return target;
    if (typeof target === 'string') {
      const url = validateRedisUrl(target);
      const client = createClient({ url, RESP: 2, socket: socketOptions(options, url.startsWith('rediss:')) }) as unknown as RedisClient;
      return new Connection(client, true, options);
    }
    if (isSentinelTarget(target)) return new Connection(sentinelClient(target, options), true, options);
    if (!isRedisClient(target)) {
      throw new InvalidArgumentError('connection', target, 'expected a redis:// URL, { sentinels, masterName }, a node-redis client or a Connection');
    }
    let shared = byClient.get(target);
    if (!shared) byClient.set(target, (shared = new Connection(target, false, options)));
    return shared;
  }

  /**
   * @internal
   * {@link Connection.from} for options typed {@link SharedConnection}: a URL string is refused at run time
   * too, because the connection it would open belongs to nobody and would keep the process alive.
   */
  static shared(target: SharedConnection, option = 'connection'): Connection {
    if (typeof target === 'string') {
      throw new InvalidArgumentError(option, target, 'expected a Connection or a node-redis client, not a URL: nothing would close the connection a URL opens here; open one with connect(url) and pass that');
    }
    return Connection.from(target);
  }

  /** The underlying node-redis client (for advanced use; rqts never changes its settings). */
  get client(): RedisClient {
    return this.#client;
  }

  /** @internal True once {@link close} was called (a dropped connection that reconnects is not closed). */
  get closed(): boolean {
    return this.#closed;
  }

  /** Connect now instead of on first use. */
  async open(): Promise<this> {
    await this.#ensureOpen();
    return this;
  }

  async #ensureOpen(): Promise<void> {
    if (this.#closed) throw new ConnectionError('Connection is closed');
    if (this.#client.isOpen) return;
    // node-redis retries a failed first connect (refused, unknown host, a wrong password, a bad certificate)
    // forever and its connectTimeout does not cover the handshake: so the whole connect gets our deadline,
    // and a cause that waiting cannot heal ends it at once. On failure the client stops trying.
    this.#connecting ??= this.#connectOrFail()
      .catch((cause: unknown) => {
        this.#connecting = null;
        if (this.#owned) this.#client.destroy();
        throw connectError(cause instanceof DeadlineError && this.#lastError ? this.#lastError : cause);
      });
    await this.#connecting;
  }

  #connectOrFail(): Promise<void> {
    let onError: ((error: Error) => void) | undefined;
    const certain = new Promise<never>((_, reject) => {
      onError = (error: Error) => {
        if (isCertainFailure(error)) reject(error);
      };
      this.#client.on('error', onError);
    });
    return withDeadline(Promise.race([this.#client.connect(), certain]), this.#connectTimeoutMs)
      .then(() => undefined)
      .finally(() => (this.#client as unknown as { off?(e: string, l: unknown): void }).off?.('error', onError));
  }

  /**
   * @internal
   * Send one command; replies are type-mapped (see {@link Reply}). Transient connection errors are retried;
   * with `idempotent: false` only errors that prove the command never reached Redis are.
   */
  command(args: readonly Arg[], { idempotent = true }: SendOptions = {}): Promise<Reply> {
    const reply = this.#withRetry(() => this.#send(this.#client, args, this.#commandTimeoutMs), idempotent);
    return this.#waitArgs && isWrite(args) ? this.#afterReplicas(reply) : reply;
  }

  /** @internal Send several commands in one round trip (not atomic); each reply in order. */
  async pipeline(commands: readonly (readonly Arg[])[]): Promise<Reply[]> {
    if (commands.length === 0) return [];
    // Commands issued in the same tick share one socket write (node-redis auto-pipelining).
    const replies = await this.#withRetry(() =>
      Promise.all(commands.map((args) => this.#send(this.#client, args, this.#commandTimeoutMs))),
    );
    if (this.#waitArgs && commands.some(isWrite)) await this.#awaitReplicas();
    return replies;
  }

  /**
   * @internal
   * Run a Lua script (EVALSHA, then EVAL when Redis answers NOSCRIPT, e.g. after a restart). Retries as
   * {@link Connection.command}: a script that is not safe to run twice must say `idempotent: false`.
   */
  script(script: LuaScript, keys: readonly Arg[], args: readonly Arg[], { idempotent = true }: SendOptions = {}): Promise<Reply> {
    // A script declares only real keys: an empty name fails under ACL key patterns, proxies and clusters.
    for (const key of keys) {
      if (key.length === 0) return Promise.reject(new RqtsError(`Script ${script.name} was given an empty key name (an rqts bug)`));
    }
    const tail = [String(keys.length), ...keys, ...args];
    const reply = this.#withRetry(
      () =>
        this.#send(this.#client, ['EVALSHA', script.sha, ...tail], this.#commandTimeoutMs).then(undefined, (error: unknown) => {
          if (error instanceof ErrorReply && error.message.startsWith('NOSCRIPT')) {
            return this.#send(this.#client, ['EVAL', script.source, ...tail], this.#commandTimeoutMs);
          }
          throw error;
        }),
      idempotent,
    );
    // Every rqts script writes (or may write).
    return this.#waitArgs ? this.#afterReplicas(reply) : reply;
  }

  /** `reply`, once every write sent so far reached the replicas `waitForReplicas` asks for. */
  async #afterReplicas<T>(reply: Promise<T>): Promise<T> {
    const value = await reply;
    await this.#awaitReplicas();
    return value;
  }

  /** `WAIT n timeout`: every write sent on this connection so far reached `n` replicas, else a ConnectionError. */
  async #awaitReplicas(): Promise<void> {
    const [, replicas, timeoutMs] = this.#waitArgs!;
    const acked = await this.#withRetry(() => this.#send(this.#client, this.#waitArgs!, Number(timeoutMs) + this.#commandTimeoutMs));
    if (Number(acked) < Number(replicas)) {
      throw new ConnectionError(`Only ${acked} of ${replicas} replicas acknowledged the write within ${timeoutMs} ms (waitForReplicas); it is on the primary only`);
    }
  }

  /**
   * @internal
   * The shared duplicated client for blocking reads (`XREAD BLOCK`), created on first use.
   * Blocking commands on one connection run one after another, so callers multiplex onto one call.
   */
  async blockingClient(): Promise<RedisClient> {
    await this.#ensureOpen();
    this.#blocking ??= this.openDuplicate().catch((error: unknown) => {
      this.#blocking = null;
      throw error;
    });
    return this.#blocking;
  }

  /**
   * A new connected client with this connection's settings, for a connection of your own — `WATCH` before a
   * `{ pipeline }` transaction needs one: its `multi()` counts as this connection's. You own it: `destroy()`
   * or `close()` it when done. (The Node worker uses it for its blocking pop and its pub/sub subscription.)
   */
  async openDuplicate(): Promise<RedisClient> {
    await this.#ensureOpen();
    const dup = this.#client.duplicate();
    // duplicate() does not copy listeners; without one a Redis restart would crash the process.
    dup.on('error', () => {});
    this.#adopt(dup);
    try {
      await withDeadline(dup.connect(), this.#connectTimeoutMs);
    } catch (cause) {
      dup.destroy();
      throw new ConnectionError(`Could not open a duplicate connection: ${(cause as Error)?.message ?? cause}`, { cause });
    }
    return dup;
  }

  /** @internal Send a command on the blocking client with no deadline of ours (the command's own BLOCK bounds it). */
  async blockingCommand(args: readonly Arg[]): Promise<Reply> {
    const client = await this.blockingClient();
    try {
      return (await client.sendCommand(args as Arg[], COMMAND_OPTIONS)) as unknown as Reply;
    } catch (error) {
      throw toRqtsError(error);
    }
  }

  /** Close the clients rqts opened; a client the caller passed in is left open. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (byClient.get(this.#client) === this) byClient.delete(this.#client);
    const blocking = this.#blocking;
    this.#blocking = null;
    if (blocking) {
      const dup = await blocking.catch(() => null);
      dup?.destroy();
    }
    if (this.#owned && this.#client.isOpen) {
      // close() waits for pending replies and can hang during an outage: give it a deadline, then destroy.
      await withDeadline(this.#client.close(), 2_000).catch(() => this.#client.destroy());
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  // The hot path of every command: plain promise chains rather than async layers, so a command costs as few
  // promises as it can (each one costs more again once AsyncLocalStorage is in use).
  #send(client: RedisClient, args: readonly Arg[], timeoutMs: number): Promise<Reply> {
    if (this.#closed || !client.isOpen) return this.#ensureOpen().then(() => this.#sendOpen(client, args, timeoutMs));
    return this.#sendOpen(client, args, timeoutMs);
  }

  #sendOpen(client: RedisClient, args: readonly Arg[], timeoutMs: number): Promise<Reply> {
    let reply: Promise<unknown>;
    try {
      reply = client.sendCommand(args as Arg[], COMMAND_OPTIONS);
    } catch (error) {
      return Promise.reject(error);
    }
    return (timeoutMs === this.#commandTimeoutMs ? this.#deadlines.track(reply) : withDeadline(reply, timeoutMs)) as Promise<Reply>;
  }

  /** Run once; only a failure goes through p-retry (whose bookkeeping the hot path should not pay for). */
  #withRetry<T>(fn: () => Promise<T>, idempotent = true): Promise<T> {
    return fn().then(undefined, (error: unknown) => {
      if (!(idempotent ? isTransient(error) : neverSent(error)) || this.#retries === 0) throw this.#wrap(error);
      return this.#retryAfterFailure(fn, idempotent);
    });
  }

  async #retryAfterFailure<T>(fn: () => Promise<T>, idempotent: boolean): Promise<T> {
    // p-retry tries at once, so pause as its backoff would have after the failure we already saw.
    await new Promise((r) => setTimeout(r, 50));
    try {
      return await pRetry(fn, {
        // The first attempt already failed before p-retry was called.
        retries: this.#retries - 1,
        minTimeout: 50,
        maxTimeout: 1_000,
        shouldRetry: ({ error }) => (idempotent ? isTransient(error) : neverSent(error)),
      });
    } catch (error) {
      throw this.#wrap(error);
    }
  }

  /** Connection-level failures become a ConnectionError, Redis error replies a RedisReplyError (or subclass). */
  #wrap(error: unknown): unknown {
    if (isTransient(error) || neverSent(error)) {
      if (error instanceof RqtsError && !(error instanceof DeadlineError)) return error;
      return new ConnectionError(`Redis command failed after ${this.#retries} retries: ${(error as Error).message}`, { cause: error });
    }
    return toRqtsError(error);
  }
}

/** Open a connection now. `connect('redis://localhost:6379/0')` or `connect(existingClient)`. */
export async function connect(target: ConnectionLike = 'redis://localhost:6379/0', options?: ConnectionOptions): Promise<Connection> {
  return Connection.from(target, options).open();
}

class DeadlineError extends ConnectionError {
  override name = 'ConnectionError';
}

/**
 * Any failure as an rqts error: a Redis error reply keeps the server's text in a {@link RedisReplyError}
 * (NOAUTH/WRONGPASS → {@link AuthenticationError}, NOPERM → {@link PermissionError}); node-redis's own
 * errors become a {@link ConnectionError}.
 */
export function toRqtsError(error: unknown): RqtsError {
  if (error instanceof RqtsError) return error;
  if (error instanceof ErrorReply) return replyError(error.message, error);
  const e = error as { message?: unknown; code?: unknown } | null;
  const message = typeof e?.message === 'string' ? e.message : String(error);
  return new ConnectionError(`Redis connection failed: ${message}`, { cause: error, code: typeof e?.code === 'string' ? e.code : null });
}

function replyError(text: string, cause: unknown): RedisReplyError {
  // A server that requires a password answers an unauthenticated client's large command with this, then closes.
  if (/^(NOAUTH|WRONGPASS)\b/.test(text) || /^ERR Protocol error: unauthenticated/.test(text) || /^ERR AUTH\b.*without any password/.test(text)) {
    return new AuthenticationError(text, { cause, message: `Redis refused the credentials: ${text}` });
  }
  if (/^NOPERM\b/.test(text)) {
    return new PermissionError(text, { cause, message: `Redis ACL denied it: ${text}` });
  }
  return new RedisReplyError(text, { cause });
}

/** A failed connect, with the cause named; an auth failure stays an AuthenticationError. */
function connectError(cause: unknown): RqtsError {
  if (cause instanceof ErrorReply) return replyError(cause.message, cause);
  if (cause instanceof RqtsError && !(cause instanceof DeadlineError)) return cause;
  const code = (cause as { code?: unknown })?.code;
  const reason = (cause as Error)?.message ?? String(cause);
  return new ConnectionError(`Could not connect to Redis: ${reason}`, { cause, code: typeof code === 'string' ? code : null });
}

/** TLS verification failures: a certificate that does not chain to a trusted CA, or names another host. */
const TLS_CODES = /^(DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?|CERT_\w+|ERR_TLS_CERT_ALTNAME_INVALID|ERR_SSL_\w+|ERR_TLS_\w+|EPROTO)$/;

/**
 * Causes of a failed first connect that waiting cannot heal: nothing listens there, the host name does not
 * exist, the credentials or certificate are wrong. (Once connected, refused/reset mean a restart: retried.)
 */
function isCertainFailure(error: unknown): boolean {
  if (error instanceof ErrorReply) return !/^(LOADING|BUSY|TRYAGAIN|MASTERDOWN)\b/.test(error.message);
  const code = (error as { code?: unknown })?.code;
  if (typeof code !== 'string') return false;
  return code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_NONAME' || TLS_CODES.test(code);
}

/** Commands rqts sends outside scripts that change data (for `waitForReplicas`). */
const WRITE_COMMANDS = new Set(['HSET', 'DEL', 'SADD', 'SREM', 'LREM', 'LPUSH', 'RPUSH', 'ZADD', 'ZREM', 'ZREMRANGEBYSCORE', 'EXPIRE', 'XADD']);
const isWrite = (args: readonly Arg[]): boolean => WRITE_COMMANDS.has(String(args[0]).toUpperCase());

function waitArgs(option: ConnectionOptions['waitForReplicas']): string[] | null {
  if (option === undefined) return null;
  if (option === null || typeof option !== 'object') throw new InvalidArgumentError('waitForReplicas', option, 'expected { replicas, timeoutMs }');
  positiveInt('waitForReplicas.replicas', option.replicas);
  positiveInt('waitForReplicas.timeoutMs', option.timeoutMs);
  return ['WAIT', String(option.replicas), String(option.timeoutMs)];
}

/** node-redis socket options for a client rqts creates. */
function socketOptions(options: ConnectionOptions, rediss: boolean): Record<string, unknown> {
  const socket: Record<string, unknown> = { connectTimeout: positiveInt('connectTimeoutMs', options.connectTimeoutMs ?? 10_000) };
  if (options.lookup !== undefined) {
    if (typeof options.lookup !== 'function') throw new InvalidArgumentError('lookup', options.lookup, 'expected a function like dns.lookup');
    socket.lookup = options.lookup;
  }
  const tls = options.tls;
  if (tls !== undefined) {
    if (tls === null || typeof tls !== 'object') throw new InvalidArgumentError('tls', tls, 'expected { ca, cert, key, servername, rejectUnauthorized }');
    const known = new Set(['ca', 'cert', 'key', 'servername', 'rejectUnauthorized']);
    for (const k of Object.keys(tls)) if (!known.has(k)) throw new InvalidArgumentError(`tls.${k}`, (tls as Record<string, unknown>)[k], `unknown TLS option; use ${[...known].join(', ')}`);
    for (const k of ['cert', 'key', 'servername'] as const) {
      const v = tls[k];
      if (v !== undefined && typeof v !== 'string' && !Buffer.isBuffer(v)) throw new InvalidArgumentError(`tls.${k}`, v, 'expected a string or Buffer');
    }
    if (tls.ca !== undefined && ![tls.ca].flat().every((c) => typeof c === 'string' || Buffer.isBuffer(c))) {
      throw new InvalidArgumentError('tls.ca', tls.ca, 'expected PEM text or Buffers');
    }
    if (tls.rejectUnauthorized !== undefined && typeof tls.rejectUnauthorized !== 'boolean') {
      throw new InvalidArgumentError('tls.rejectUnauthorized', tls.rejectUnauthorized, 'expected a boolean');
    }
    if ((tls.cert === undefined) !== (tls.key === undefined)) throw new InvalidArgumentError('tls', tls, 'cert and key go together');
    Object.assign(socket, { tls: true }, tls, tls.ca !== undefined ? { ca: [tls.ca].flat() } : {});
  } else if (rediss) {
    socket.tls = true;
  }
  return socket;
}

function isSentinelTarget(value: unknown): value is SentinelTarget {
  return !!value && typeof value === 'object' && 'sentinels' in value;
}

/** A node-redis Sentinel client behind the {@link RedisClient} surface (its sendCommand takes a read-only flag). */
function sentinelClient(target: SentinelTarget, options: ConnectionOptions): RedisClient {
  const { sentinels, masterName } = target;
  if (!Array.isArray(sentinels) || sentinels.length === 0) throw new InvalidArgumentError('sentinels', sentinels, 'expected a non-empty array of { host, port }');
  sentinels.forEach((node, i) => {
    if (!node || typeof node.host !== 'string' || node.host === '' || !Number.isInteger(node.port) || node.port <= 0 || node.port > 65535) {
      throw new InvalidArgumentError(`sentinels[${i}]`, node, 'expected { host, port }');
    }
  });
  if (typeof masterName !== 'string' || masterName === '') throw new InvalidArgumentError('masterName', masterName, 'expected the name the sentinels monitor');
  const known = new Set(['sentinels', 'masterName', 'username', 'password', 'sentinelUsername', 'sentinelPassword', 'db']);
  for (const k of Object.keys(target)) if (!known.has(k)) throw new InvalidArgumentError(k, (target as unknown as Record<string, unknown>)[k], `unknown Sentinel option; use ${[...known].join(', ')}`);
  if (target.db !== undefined) nonNegativeInt('db', target.db);
  const socket = socketOptions(options, false);
  const sentinel = createSentinel({
    name: masterName,
    sentinelRootNodes: sentinels.map(({ host, port }) => ({ host, port })),
    nodeClientOptions: { RESP: 2, username: target.username, password: target.password, database: target.db, socket },
    sentinelClientOptions: { RESP: 2, username: target.sentinelUsername, password: target.sentinelPassword, socket },
  } as Parameters<typeof createSentinel>[0]);
  return new SentinelClient(sentinel as unknown as SentinelLike);
}

interface SentinelLike {
  readonly isOpen: boolean;
  connect(): Promise<unknown>;
  sendCommand(isReadonly: boolean, args: Arg[], options?: unknown): Promise<unknown>;
  duplicate(): SentinelLike;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  off(event: string, listener: (...args: unknown[]) => void): unknown;
  destroy(): Promise<void>;
  close(): Promise<void>;
  subscribe(channel: string, listener: (message: string) => void): Promise<void>;
}

class SentinelClient implements RedisClient {
  constructor(readonly sentinel: SentinelLike) {}
  get isOpen(): boolean {
    return this.sentinel.isOpen;
  }
  connect(): Promise<unknown> {
    return this.sentinel.connect();
  }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  sendCommand(args: readonly Arg[], options?: any): Promise<unknown> {
    return this.sentinel.sendCommand(false, args as Arg[], options);
  }
  duplicate(): RedisClient {
    return new SentinelClient(this.sentinel.duplicate());
  }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  on(event: string, listener: (...args: any[]) => void): this {
    this.sentinel.on(event, listener);
    return this;
  }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  off(event: string, listener: (...args: any[]) => void): this {
    this.sentinel.off(event, listener);
    return this;
  }
  destroy(): void {
    void this.sentinel.destroy().catch(() => undefined);
  }
  close(): Promise<void> {
    return this.sentinel.close();
  }
  /** Pub/sub (the Node worker's command channel). */
  subscribe(channel: string, listener: (message: string) => void): Promise<void> {
    return this.sentinel.subscribe(channel, listener);
  }
}

/** Whether rqts opened the client behind this target (and so closes it): a URL or a Sentinel setup. */
export function ownsTarget(target: ConnectionLike): boolean {
  return typeof target === 'string' || isSentinelTarget(target);
}

/** Errors that prove the command never reached Redis (so even a non-idempotent one may be sent again). */
function neverSent(error: unknown): boolean {
  return error instanceof ClientOfflineError || error instanceof ConnectionTimeoutError;
}

/** Errors after which an idempotent command may simply be sent again (a lost reply looks like these). */
function isTransient(error: unknown): boolean {
  if (error instanceof DeadlineError) return true;
  if (
    error instanceof SocketClosedUnexpectedlyError ||
    error instanceof ClientOfflineError ||
    error instanceof ConnectionTimeoutError
  ) {
    return true;
  }
  if (error instanceof ClientClosedError) return false;
  if (error instanceof ErrorReply) return /^(LOADING|BUSY|TRYAGAIN|MASTERDOWN)\b/.test(error.message);
  const code = (error as { code?: unknown })?.code;
  return code === 'ECONNRESET' || code === 'ECONNREFUSED' || code === 'EPIPE' || code === 'ETIMEDOUT';
}

function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(`Redis did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

function isRedisClient(value: unknown): value is RedisClient {
  const v = value as Partial<RedisClient> | null;
  return !!v && typeof v === 'object' && typeof v.sendCommand === 'function' && typeof v.duplicate === 'function';
}

function positiveInt(option: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0) throw new InvalidArgumentError(option, value, 'expected a positive integer');
  return value;
}

function nonNegativeInt(option: string, value: number): number {
  if (!Number.isInteger(value) || value < 0) throw new InvalidArgumentError(option, value, 'expected an integer >= 0');
  return value;
}
