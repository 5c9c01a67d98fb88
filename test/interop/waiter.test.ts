/**
 * The shared result waiter on its own, against a private Redis: results-stream entries are written here as
 * a worker writes them (`XADD rq:results:<id> * type <n> …`, protocol §5), so every rule of `wait()` is
 * checked without a worker: which entry types end a wait, what "after" means, fan-out to several waiters,
 * several jobs in one blocking read, timeouts, aborts, and the sweep that ends waits on canceled or deleted
 * jobs. Fast enough for the mutation run (`npm run mutate`).
 */
import { describe, expect, it } from 'vitest';
import { createClient } from 'redis';
import { Connection } from '../../src/connection.js';
import { JobCanceledError, NoSuchJobError, WaitTimeoutError } from '../../src/errors.js';
import { ResultType } from '../../src/protocol.js';
import { waiterFor } from '../../src/waiter.js';
import { privateRedis, uniqueName, waitFor } from '../helpers/index.js';

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
});
