/**
 * The shared result waiter on its own, against a private Redis: results-stream entries are written here as
 * a worker writes them (`XADD rq:results:<id> * type <n> …`, protocol §5), so every rule of `wait()` is
 * checked without a worker: which entry types end a wait, what "after" means, fan-out to several waiters,
 * several jobs in one blocking read, timeouts, aborts, and the sweep that ends waits on canceled or deleted
 * jobs. Fast enough for the mutation run (`npm run mutate`).
 */
import { getEventListeners, type EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { createClient } from 'redis';
import { Connection } from '../../src/connection.js';
import { JobCanceledError, NoSuchJobError, RedisReplyError, RqtsError, WaitTimeoutError } from '../../src/errors.js';
import { ResultType } from '../../src/protocol.js';
import { waiterFor } from '../../src/waiter.js';
import { privateRedis, uniqueName, waitFor } from '../helpers/index.js';
import { startRelay, type HeldLink, type Relay } from '../helpers/relay.js';

const env = privateRedis();

/** Append a results entry the way RQ's worker does; returns its stream id. */
async function addResult(id: string, type: number, extra: string[] = []): Promise<string> {
  return String(await env.connection.command(['XADD', `rq:results:${id}`, '*', 'type', String(type), ...extra]));
}
/** A job hash with this status (the sweep reads only `status`). */
async function job(status: string): Promise<string> {
  const id = uniqueName('w');
  await env.connection.command(['HSET', `rq:job:${id}`, 'status', status]);
  return id;
}
/** The `[field, value, …]` of an entry as strings. */
const fieldsOf = (entry: unknown): string[] => ((entry as [unknown, unknown[]])[1] ?? []).map(String);
const idOf = (entry: unknown): string => String((entry as [unknown])[0]);

/** Every command Redis runs from now on (MONITOR), as argument lists, and the address of the client of each. */
interface Monitor { seen: string[][]; from: string[]; stop(): void }
async function monitor(): Promise<Monitor> {
  const client = createClient({ url: env.redis.url });
  await client.connect();
  const seen: string[][] = [];
  const from: string[] = [];
  await client.monitor((line: string) => {
    seen.push([...line.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!));
    from.push(/\[\d+ ([^\]]+)\]/.exec(line)?.[1] ?? '');
  });
  return { seen, from, stop: () => client.destroy() };
}
const isXread = (args: string[]): boolean => args[0]?.toUpperCase() === 'XREAD';
/** CLIENT UNBLOCK calls so far (an admin command: MONITOR does not show it, INFO commandstats counts it). */
const unblocks = async (): Promise<number> => {
  const stats = String(await env.connection.command(['INFO', 'commandstats']));
  return Number(/cmdstat_client\|unblock:calls=(\d+)/.exec(stats)?.[1] ?? 0);
};
/** Error replies Redis has sent so far, to any client (INFO stats). */
const errorReplies = async (): Promise<number> => {
  const stats = String(await env.connection.command(['INFO', 'stats']));
  return Number(/total_error_replies:(\d+)/.exec(stats)?.[1]);
};
const isClientId = (args: string[]): boolean => args[0]?.toUpperCase() === 'CLIENT' && args[1]?.toUpperCase() === 'ID';
/** The streams an XREAD reads (the first half of what follows STREAMS). */
const streamsRead = (args: string[]): string[] => {
  const rest = args.slice(args.findIndex((a) => a.toUpperCase() === 'STREAMS') + 1);
  return rest.slice(0, rest.length / 2);
};
/** How many connections are blocked in XREAD right now (CLIENT LIST: cmd=xread, flags with b). */
const blockedXreads = async (): Promise<number> => {
  const list = String(await env.connection.command(['CLIENT', 'LIST']));
  return list.split('\n').filter((l) => / cmd=xread\b/.test(l) && / flags=\S*b/.test(l)).length;
};
/** Until one XREAD is blocked in Redis and MONITOR has seen an XREAD that reads `id`'s results stream. */
const blockedOn = (watch: Monitor, id: string, what: string): Promise<boolean> =>
  waitFor(async () => (await blockedXreads()) === 1 && watch.seen.some((x) => isXread(x) && streamsRead(x).includes(`rq:results:${id}`)), { what });

/** A connection of its own to `url` and MONITOR, for `fn`; both closed after. */
async function watching(url: string, fn: (connection: Connection, watch: Monitor) => Promise<void>): Promise<void> {
  const connection = await Connection.from(url).open();
  const watch = await monitor();
  try {
    await fn(connection, watch);
  } finally {
    watch.stop();
    await connection.close();
  }
}

/** A relay in front of the test's Redis, a connection through it and MONITOR, for `fn`; all closed after. */
async function throughRelay(fn: (through: { relay: Relay; connection: Connection; watch: Monitor }) => Promise<void>): Promise<void> {
  const relay = await startRelay(env.redis.port);
  try {
    await watching(relay.url, (connection, watch) => fn({ relay, connection, watch }));
  } finally {
    await relay.close();
  }
}

/**
 * Hold the next connection that sends XREAD in the relay; `onUnblock` hears how many CLIENT UNBLOCKs Redis
 * has answered so far (each answer is kept in `answers`), to release the held read at the moment it chooses.
 */
function holdXread(relay: Relay, onUnblock: (count: number, xread: HeldLink) => void): { xread: HeldLink; answers: string[] } {
  const xread = relay.holdOn(['XREAD']);
  const answers: string[] = [];
  relay.onAnswer(['CLIENT', 'UNBLOCK'], (answer) => {
    answers.push(answer);
    onUnblock(answers.length, xread);
  });
  return { xread, answers };
}

describe('ResultWaiter', () => {
  it('ends a wait on a success, a failure or a spent Retry, but not on a retried run', async () => {
    const waiter = waiterFor(env.connection);
    const ids = await Promise.all(['queued', 'queued', 'queued', 'queued'].map(job));
    const [ok, failed, spent, retried] = ids as [string, string, string, string];
    const waits = ids.map((id) => waiter.wait(id, '0-0'));
    await waitFor(() => waiter.size === 4, { what: 'four watched jobs' });
    await addResult(retried, ResultType.RETRIED); // the job runs again: keep waiting
    const expected = [
      await addResult(ok, ResultType.SUCCESSFUL, ['return_value', 'eA==']),
      await addResult(failed, ResultType.FAILED, ['exc_string', 'eA==']),
      await addResult(spent, ResultType.MAX_RETRIES_EXCEEDED),
    ];
    const final = await addResult(retried, ResultType.SUCCESSFUL);
    const entries = await Promise.all(waits);
    expect(entries.map(idOf)).toEqual([...expected, final]);
    expect(fieldsOf(entries[0])).toEqual(['type', '1', 'return_value', 'eA==']);
    expect(fieldsOf(entries[1])).toEqual(['type', '2', 'exc_string', 'eA==']);
    expect(fieldsOf(entries[3])).toEqual(['type', '1']);
    expect(waiter.size).toBe(0);
  });

  it('counts only entries after the one given, and a stopped-type entry is not final', async () => {
    const waiter = waiterFor(env.connection);
    const id = await job('started');
    const old = await addResult(id, ResultType.SUCCESSFUL);
    const pending = waiter.wait(id, old);
    await addResult(id, ResultType.STOPPED);
    const next = await addResult(id, ResultType.FAILED);
    expect(idOf(await pending)).toBe(next);
    // From the beginning, the old success is the first final entry.
    expect(idOf(await waiter.wait(id, '0-0'))).toBe(old);
  });

  it('hands one entry to every waiter of a job and serves a wait added while the read blocks', async () => {
    const waiter = waiterFor(env.connection);
    const [a, b] = await Promise.all([job('queued'), job('queued')]);
    const first = [waiter.wait(a, '0-0'), waiter.wait(a, '0-0')];
    await waitFor(() => waiter.size === 1, { what: 'one watched job' });
    const late = waiter.wait(b, '0-0'); // joins the running XREAD
    expect(waiter.size).toBe(2);
    const entryB = await addResult(b, ResultType.SUCCESSFUL);
    expect(idOf(await late)).toBe(entryB);
    const entryA = await addResult(a, ResultType.SUCCESSFUL);
    expect((await Promise.all(first)).map(idOf)).toEqual([entryA, entryA]);
    expect(waiter.size).toBe(0);
  });

  it('times out and aborts one waiter without disturbing another on the same job', async () => {
    const waiter = waiterFor(env.connection);
    const id = await job('queued');
    const patient = waiter.wait(id, '0-0');
    const hasty = waiter.wait(id, '0-0', { timeout: 30 }).catch((e: unknown) => e);
    const controller = new AbortController();
    const aborted = waiter.wait(id, '0-0', { signal: controller.signal }).catch((e: unknown) => e);
    controller.abort(new Error('no longer needed'));
    const timedOut = await hasty;
    expect(timedOut).toBeInstanceOf(WaitTimeoutError);
    expect(timedOut).toMatchObject({ jobId: id, timeoutMs: 30 });
    expect(await aborted).toEqual(new Error('no longer needed'));
    const already = new AbortController();
    already.abort(new Error('before'));
    await expect(waiter.wait(id, '0-0', { signal: already.signal })).rejects.toThrow('before');
    expect(waiter.size).toBe(1);
    const entry = await addResult(id, ResultType.SUCCESSFUL);
    expect(idOf(await patient)).toBe(entry);
    expect(waiter.size).toBe(0);
  });

  it('ends the waits of canceled and deleted jobs, which never get a result', async () => {
    const waiter = waiterFor(env.connection);
    const [canceled, deleted, running] = await Promise.all([job('queued'), job('queued'), job('started')]);
    const waits = [canceled, deleted].map((id) => waiter.wait(id, '0-0').catch((e: unknown) => e));
    const stillRunning = waiter.wait(running, '0-0');
    await env.connection.command(['HSET', `rq:job:${canceled}`, 'status', 'canceled']);
    await env.connection.command(['DEL', `rq:job:${deleted}`]);
    const [c, d] = await Promise.all(waits);
    expect(c).toBeInstanceOf(JobCanceledError);
    expect(c).toMatchObject({ jobId: canceled });
    expect(d).toBeInstanceOf(NoSuchJobError);
    expect(d).toMatchObject({ jobId: deleted });
    expect(waiter.size).toBe(1); // the running job is still waited on
    const entry = await addResult(running, ResultType.SUCCESSFUL);
    expect(idOf(await stillRunning)).toBe(entry);
  });

  it('reads RESP3 replies too', async () => {
    const client = createClient({ url: env.redis.url, RESP: 3 });
    await client.connect();
    const connection = Connection.from(client as never);
    try {
      const waiter = waiterFor(connection);
      expect(waiterFor(connection)).toBe(waiter);
      expect(waiterFor(env.connection)).not.toBe(waiter);
      const [a, b] = await Promise.all([job('queued'), job('queued')]);
      const waits = [waiter.wait(a, '0-0'), waiter.wait(b, '0-0')];
      await waitFor(() => waiter.size === 2, { what: 'two watched jobs' });
      const entries = [await addResult(a, ResultType.SUCCESSFUL, ['return_value', 'eA==']), await addResult(b, ResultType.FAILED)];
      const got = await Promise.all(waits);
      expect(got.map(idOf)).toEqual(entries);
      expect(fieldsOf(got[0])).toEqual(['type', '1', 'return_value', 'eA==']);
    } finally {
      await connection.close();
      client.destroy();
    }
  });

  it('ends the running XREAD with one CLIENT UNBLOCK when jobs join, and re-issues it with every stream', async () => {
    // A fresh connection: its waiter starts from nothing (no blocking id yet, no loop).
    await watching(env.redis.url, async (connection, watch) => {
      const waiter = waiterFor(connection);
      const [a, b, c] = await Promise.all([job('queued'), job('queued'), job('queued')]);
      const first = waiter.wait(a, '0-0');
      await blockedOn(watch, a, 'an XREAD blocked on the first job');
      const mark = watch.seen.length;
      const unblocksBefore = await unblocks();
      // Two jobs join in one tick: one UNBLOCK ends the block, one XREAD then reads all three streams.
      const joined = [waiter.wait(b, '0-0'), waiter.wait(c, '0-0')];
      const all = [a, b, c].map((id) => `rq:results:${id}`);
      await waitFor(async () => (await blockedXreads()) === 1 && watch.seen.slice(mark).some((x) => isXread(x) && streamsRead(x).length === 3), { what: 'an XREAD blocked on all three jobs' });
      const after = watch.seen.slice(mark);
      expect(after.filter(isXread).map(streamsRead)).toEqual([all]);
      expect((await unblocks()) - unblocksBefore).toBe(1);
      // The blocking connection asks its id once, not before every XREAD.
      expect(watch.seen.filter(isClientId)).toHaveLength(1);
      const entries = [await addResult(a, ResultType.SUCCESSFUL), await addResult(b, ResultType.SUCCESSFUL), await addResult(c, ResultType.FAILED)];
      expect((await Promise.all([first, ...joined])).map(idOf)).toEqual(entries);
      expect(waiter.size).toBe(0);
    });
  });

  it('serves a wait on an idle waiter with one XREAD and no CLIENT UNBLOCK (nothing in flight to end); an idle waiter sends nothing', async () => {
    await watching(env.redis.url, async (connection, watch) => {
      const waiter = waiterFor(connection);
      const [a, b] = await Promise.all([job('queued'), job('queued')]);
      // The first wait also asks the blocking connection its id; once it is served the waiter is idle.
      const first = waiter.wait(a, '0-0');
      await waitFor(async () => (await blockedXreads()) === 1, { what: 'an XREAD blocked on the first job' });
      const mark = watch.seen.length;
      const errorsBefore = await errorReplies();
      await addResult(a, ResultType.SUCCESSFUL);
      await first;
      const unblocksBefore = await unblocks();
      const second = waiter.wait(b, '0-0');
      await waitFor(async () => (await blockedXreads()) === 1, { what: 'an XREAD blocked on the second job' });
      const entry = await addResult(b, ResultType.SUCCESSFUL);
      expect(idOf(await second)).toBe(entry);
      expect((await unblocks()) - unblocksBefore).toBe(0);
      // Between the two waits the loop ended without another read (a keyless XREAD would be refused).
      expect(watch.seen.slice(mark).filter(isXread).map(streamsRead)).toEqual([[`rq:results:${b}`]]);
      expect((await errorReplies()) - errorsBefore).toBe(0);
    });
  });

  it('without CLIENT ID and CLIENT UNBLOCK (ACL), blocks briefly instead, so a job that joins is still served', async () => {
    await env.connection.command(['ACL', 'SETUSER', 'nounblock', 'on', '>pw', '~*', '&*', '+@all', '-client']);
    await env.connection.command(['ACL', 'LOG', 'RESET']);
    await watching(`redis://nounblock:pw@127.0.0.1:${env.redis.port}`, async (connection, watch) => {
      const unblocksBefore = await unblocks();
      const waiter = waiterFor(connection);
      const [a, b] = await Promise.all([job('queued'), job('queued')]);
      const first = waiter.wait(a, '0-0');
      await waitFor(() => watch.seen.some((x) => isXread(x) && streamsRead(x).includes(`rq:results:${a}`)), { what: 'an XREAD on the first job' });
      const late = waiter.wait(b, '0-0');
      const entries = [await addResult(a, ResultType.SUCCESSFUL), await addResult(b, ResultType.SUCCESSFUL)];
      expect((await Promise.all([first, late])).map(idOf)).toEqual(entries);
      // CLIENT ID was denied once (ACL LOG counts repeats) and not asked again; nothing tries CLIENT UNBLOCK;
      // the blocks are the short ones.
      const denied = ((await env.connection.command(['ACL', 'LOG'])) as unknown[][])
        .map((entry) => Object.fromEntries(Array.from({ length: entry.length / 2 }, (_, i) => [String(entry[2 * i]), String(entry[2 * i + 1])])))
        .filter((entry) => entry.username === 'nounblock');
      expect(denied.map((entry) => [entry.object, entry.count])).toEqual([['client|id', '1']]);
      expect(await unblocks()).toBe(unblocksBefore);
      const blocks = watch.seen.filter(isXread).map((x) => Number(x[2]));
      expect(blocks.length).toBeGreaterThan(0);
      expect(blocks.every((ms) => ms === blocks.at(-1))).toBe(true);
      expect(blocks.at(-1)).toBeLessThan(2_000);
    });
  });

  it('ends every wait with the reply when XREAD fails for good (not a stream), and with the error when the connection closes', async () => {
    const connection = await Connection.from(env.redis.url).open();
    const waiter = waiterFor(connection);
    const id = await job('queued');
    await env.connection.command(['SET', `rq:results:${id}`, 'not a stream']);
    const failed = await waiter.wait(id, '0-0').catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(RedisReplyError);
    expect((failed as RedisReplyError).reply).toMatch(/^WRONGTYPE/);
    expect(waiter.size).toBe(0);
    const other = await job('queued');
    const pending = waiter.wait(other, '0-0').catch((e: unknown) => e);
    await waitFor(() => waiter.size === 1, { what: 'a watched job' });
    await connection.close();
    const closed = await pending;
    expect(closed).toBeInstanceOf(RqtsError);
    expect((closed as Error).message).toMatch(/closed/i);
  });

  it('leaves no listener on the abort signal and no timeout timer once a wait ends', async () => {
    const waiter = waiterFor(env.connection);
    const id = await job('queued');
    const controller = new AbortController();
    // A timer left running would keep the process alive until the timeout (a CLI would not exit).
    const set = vi.spyOn(globalThis, 'setTimeout');
    const clear = vi.spyOn(globalThis, 'clearTimeout');
    try {
      const pending = waiter.wait(id, '0-0', { signal: controller.signal, timeout: 60_000 });
      const timers = set.mock.results.filter((_, i) => set.mock.calls[i]![1] === 60_000).map((r) => r.value as unknown);
      expect(timers).toHaveLength(1);
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
      await addResult(id, ResultType.SUCCESSFUL);
      await pending;
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
      expect(clear.mock.calls.filter(([t]) => t === timers[0])).toHaveLength(1);
    } finally {
      set.mockRestore();
      clear.mockRestore();
    }
  });

  it('finds the type field wherever the entry has it', async () => {
    const waiter = waiterFor(env.connection);
    const id = await job('started');
    const pending = waiter.wait(id, '0-0');
    // A retried run whose first field reads like a final type, then a success with type last.
    await env.connection.command(['XADD', `rq:results:${id}`, '*', 'return_value', String(ResultType.SUCCESSFUL), 'type', String(ResultType.RETRIED)]);
    const entry = String(await env.connection.command(['XADD', `rq:results:${id}`, '*', 'created_at', '2026-11-30T12:00:00Z', 'return_value', 'eA==', 'type', String(ResultType.SUCCESSFUL)]));
    expect(idOf(await pending)).toBe(entry);
  });

  it('asks the blocking connection its id again after it reconnects while idle, so joining jobs still cost one UNBLOCK', async () => {
    await watching(env.redis.url, async (connection, watch) => {
      const waiter = waiterFor(connection);
      const a = await job('queued');
      const done = waiter.wait(a, '0-0');
      await addResult(a, ResultType.SUCCESSFUL);
      await done;
      // Now idle: drop the blocking connection (the one that asked CLIENT ID); node-redis reconnects it.
      const clients = (): Promise<string[]> => env.connection.command(['CLIENT', 'LIST']).then((l) => String(l).trim().split('\n'));
      const count = (await clients()).length;
      const blocking = watch.from[watch.seen.findIndex(isClientId)]!;
      await env.connection.command(['CLIENT', 'KILL', 'ADDR', blocking]);
      await waitFor(async () => (await clients()).length === count, { what: 'the blocking connection back' });
      const [b, c] = await Promise.all([job('queued'), job('queued')]);
      const first = waiter.wait(b, '0-0');
      await waitFor(async () => (await blockedXreads()) === 1, { what: 'an XREAD blocked on the next job' });
      const unblocksBefore = await unblocks();
      const late = waiter.wait(c, '0-0');
      await waitFor(() => watch.seen.some((x) => isXread(x) && streamsRead(x).length === 2), { what: 'an XREAD on both jobs' });
      expect(watch.seen.filter(isClientId)).toHaveLength(2);
      expect((await unblocks()) - unblocksBefore).toBe(1);
      const entries = [await addResult(b, ResultType.SUCCESSFUL), await addResult(c, ResultType.SUCCESSFUL)];
      expect((await Promise.all([first, late])).map(idOf)).toEqual(entries);
    });
  });

  it('keeps waiting through a transient reply (MASTERDOWN while a replica has lost its primary), then is served', async () => {
    const connection = await Connection.from(env.redis.url).open();
    const errors = async (): Promise<number> => {
      const stats = String(await env.connection.command(['INFO', 'errorstats']));
      return Number(/errorstat_MASTERDOWN:count=(\d+)/.exec(stats)?.[1] ?? 0);
    };
    try {
      const id = await job('queued');
      const before = await errors();
      // A replica of a primary that is not there, told not to serve stale data: reads get MASTERDOWN.
      await env.connection.command(['CONFIG', 'SET', 'replica-serve-stale-data', 'no']);
      await env.connection.command(['REPLICAOF', '127.0.0.1', '1']);
      const waiter = waiterFor(connection);
      const pending = waiter.wait(id, '0-0');
      // Refused, waited and asked again: two MASTERDOWN replies (INFO still answers on a stale replica).
      await waitFor(async () => (await errors()) >= before + 2, { what: 'the read refused twice' });
      expect(waiter.size).toBe(1);
      await env.connection.command(['REPLICAOF', 'NO', 'ONE']);
      const entry = await addResult(id, ResultType.SUCCESSFUL);
      expect(idOf(await pending)).toBe(entry);
    } finally {
      await env.connection.command(['REPLICAOF', 'NO', 'ONE']);
      await env.connection.command(['CONFIG', 'SET', 'replica-serve-stale-data', 'yes']);
      await connection.close();
    }
  });
  it('keeps waiting when the blocking connection drops as it asks CLIENT ID or while XREAD blocks: asks again once back, and joining jobs still cost one UNBLOCK', async () => {
    // Through a relay that can drop the connection the moment CLIENT ID is sent (it never reaches Redis).
    await throughRelay(async ({ relay, connection, watch }) => {
      const waiter = waiterFor(connection);
      const [a, b, c] = await Promise.all([job('queued'), job('queued'), job('queued')]);
      const cut = relay.cutOn(['CLIENT', 'ID']);
      const first = waiter.wait(a, '0-0');
      await cut;
      // Not an ACL denial: asked again on the reconnected connection, and the blocks stay the long ones.
      await blockedOn(watch, a, 'an XREAD blocked on the first job');
      expect(watch.seen.filter(isClientId)).toHaveLength(1);
      // The waiter's 'ready' listener (a reconnect means a new id) is added once per client, not per CLIENT ID.
      const readyListeners = async (): Promise<number> => ((await connection.blockingClient()) as unknown as EventEmitter).listenerCount('ready');
      const listeners = await readyListeners();
      // Now drop it while XREAD blocks: the read is sent again once it is back, with a new id.
      const blocking = watch.from[watch.seen.findIndex(isXread)]!;
      const xreads = watch.seen.filter(isXread).length;
      await env.connection.command(['CLIENT', 'KILL', 'ADDR', blocking]);
      await waitFor(async () => (await blockedXreads()) === 1 && watch.seen.filter(isXread).length > xreads, { what: 'the XREAD blocked again' });
      expect(watch.seen.filter(isClientId)).toHaveLength(2);
      expect(await readyListeners()).toBe(listeners);
      expect(waiter.size).toBe(1);
      const unblocksBefore = await unblocks();
      const late = [waiter.wait(b, '0-0'), waiter.wait(c, '0-0')];
      await waitFor(() => watch.seen.some((x) => isXread(x) && streamsRead(x).length === 3), { what: 'an XREAD on all three jobs' });
      expect((await unblocks()) - unblocksBefore).toBe(1);
      expect(new Set(watch.seen.filter(isXread).map((x) => x[2]))).toEqual(new Set(['2000']));
      const entries = [await addResult(a, ResultType.SUCCESSFUL), await addResult(b, ResultType.SUCCESSFUL), await addResult(c, ResultType.SUCCESSFUL)];
      expect((await Promise.all([first, ...late])).map(idOf)).toEqual(entries);
    });
  });
  it('tries CLIENT UNBLOCK again when it reached Redis before the XREAD it was meant for', async () => {
    await throughRelay(async ({ relay, connection, watch }) => {
      const waiter = waiterFor(connection);
      const [a, b] = await Promise.all([job('queued'), job('queued')]);
      // The XREAD on the first job waits in the relay until Redis has answered the CLIENT UNBLOCK that a
      // joining job sends (which so finds nothing blocked: 0); the read's end reaches the waiter only once a
      // second UNBLOCK was answered, however long the first read took.
      const { xread, answers } = holdXread(relay, (count, held) => {
        if (count === 1) held.releaseRequests();
        if (count === 2) held.releaseReplies();
      });
      const first = waiter.wait(a, '0-0');
      await xread.held;
      expect(watch.seen.filter(isXread)).toEqual([]);
      const late = waiter.wait(b, '0-0');
      await waitFor(async () => (await blockedXreads()) === 1 && watch.seen.some((x) => isXread(x) && streamsRead(x).length === 2), { what: 'an XREAD blocked on both jobs' });
      expect(answers[0]).toBe(':0\r\n');
      expect(answers.length).toBeGreaterThanOrEqual(2);
      expect(watch.seen.filter(isXread).map(streamsRead)).toEqual([[`rq:results:${a}`], [a, b].map((id) => `rq:results:${id}`)]);
      const entries = [await addResult(a, ResultType.SUCCESSFUL), await addResult(b, ResultType.SUCCESSFUL)];
      expect((await Promise.all([first, late])).map(idOf)).toEqual(entries);
    });
  });
  it('gives CLIENT UNBLOCK up after 21 answers of 0 (its XREAD never reached Redis), and the job joins when that block ends', async () => {
    await throughRelay(async ({ relay, connection, watch }) => {
      const waiter = waiterFor(connection);
      const [a, b] = await Promise.all([job('queued'), job('queued')]);
      // The XREAD on the first job waits in the relay until Redis has answered 21 UNBLOCKs (the first try
      // and 20 more), so each finds nothing blocked. It reaches Redis before the waiter sees the 21st answer:
      // one more try would end it (answered 1).
      const { xread, answers } = holdXread(relay, (count, held) => {
        if (count === 21) {
          held.releaseRequests();
          held.releaseReplies();
        }
      });
      const first = waiter.wait(a, '0-0');
      await xread.held;
      const late = waiter.wait(b, '0-0');
      // No UNBLOCK ends the read on the first job: the second joins when its 2 s block runs out.
      await waitFor(() => watch.seen.some((x) => isXread(x) && streamsRead(x).length === 2), { what: 'an XREAD on both jobs' });
      const entries = [await addResult(a, ResultType.SUCCESSFUL), await addResult(b, ResultType.SUCCESSFUL)];
      expect((await Promise.all([first, late])).map(idOf)).toEqual(entries);
      expect(answers).toEqual(Array.from({ length: 21 }, () => ':0\r\n'));
      // The reads before the first result (after it, one may be issued on the second job alone).
      expect(watch.seen.filter(isXread).map(streamsRead).slice(0, 2)).toEqual([[`rq:results:${a}`], [a, b].map((id) => `rq:results:${id}`)]);
    });
  });
  it('when CLIENT UNBLOCK is denied though CLIENT ID is allowed (ACL), stops trying it and blocks briefly from then on', async () => {
    await env.connection.command(['ACL', 'SETUSER', 'idonly', 'on', '>pw', '~*', '&*', '+@all', '-client|unblock']);
    await env.connection.command(['ACL', 'LOG', 'RESET']);
    await watching(`redis://idonly:pw@127.0.0.1:${env.redis.port}`, async (connection, watch) => {
      const waiter = waiterFor(connection);
      const [a, b, c] = await Promise.all([job('queued'), job('queued'), job('queued')]);
      const first = waiter.wait(a, '0-0');
      await blockedOn(watch, a, 'an XREAD blocked on the first job');
      // Denied: the job joins when the running block ends; the blocks after it are the short ones.
      const late = waiter.wait(b, '0-0');
      await waitFor(() => watch.seen.some((x) => isXread(x) && streamsRead(x).length === 2), { what: 'an XREAD on two jobs' });
      const later = waiter.wait(c, '0-0');
      await waitFor(() => watch.seen.some((x) => isXread(x) && streamsRead(x).length === 3), { what: 'an XREAD on three jobs' });
      const entries = [await addResult(a, ResultType.SUCCESSFUL), await addResult(b, ResultType.SUCCESSFUL), await addResult(c, ResultType.SUCCESSFUL)];
      expect((await Promise.all([first, late, later])).map(idOf)).toEqual(entries);
      const denied = ((await env.connection.command(['ACL', 'LOG'])) as unknown[][])
        .map((entry) => Object.fromEntries(Array.from({ length: entry.length / 2 }, (_, i) => [String(entry[2 * i]), String(entry[2 * i + 1])])))
        .filter((entry) => entry.username === 'idonly');
      expect(denied.map((entry) => [entry.object, entry.count])).toEqual([['client|unblock', '1']]);
      const blocks = watch.seen.filter(isXread).map((x) => Number(x[2]));
      expect(blocks[0]).toBe(2_000);
      expect(blocks.slice(1).length).toBeGreaterThan(0);
      expect(blocks.slice(1).every((ms) => ms < 2_000)).toBe(true);
    });
  });

  it('does not end a newer read with the UNBLOCK retry meant for a read that ended by itself', async () => {
    await throughRelay(async ({ relay, connection, watch }) => {
      const waiter = waiterFor(connection);
      const [a, b] = await Promise.all([job('queued'), job('queued')]);
      // The XREAD reaches Redis, but what Redis answers it waits in the relay until an UNBLOCK is answered.
      const { xread, answers } = holdXread(relay, (_, held) => held.releaseReplies());
      const first = waiter.wait(a, '0-0');
      await xread.held;
      xread.releaseRequests();
      await waitFor(async () => (await blockedXreads()) === 1, { what: 'the XREAD blocked' });
      // The read ends at Redis with this entry; the waiter does not know yet when the second job joins, so its
      // UNBLOCK finds nothing blocked (0) and the next read, on both jobs, is already the newer one.
      const entry = await addResult(a, ResultType.SUCCESSFUL);
      const unblocksBefore = await unblocks();
      const late = waiter.wait(b, '0-0');
      expect(idOf(await first)).toBe(entry);
      await blockedOn(watch, b, 'an XREAD blocked on the second job');
      const last = await addResult(b, ResultType.SUCCESSFUL);
      expect(idOf(await late)).toBe(last);
      expect(answers).toEqual([':0\r\n']);
      expect((await unblocks()) - unblocksBefore).toBe(1);
      expect(watch.seen.filter(isXread).map(streamsRead)).toEqual([[`rq:results:${a}`], [`rq:results:${b}`]]);
    });
  });
});
