/**
 * Records written by Python read back faithfully: every golden vector's Redis state (each phase, before and
 * after a real worker ran) is restored into a private Redis, and every job read through `Job.fetch` gives
 * the values Python RQ's own API reported (compared as Python reprs).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Job, NoSuchJobError } from '../../src/index.js';
import { pyRepr } from '../../src/py/repr.js';
import { privateRedis } from '../helpers/index.js';
import { readVector, vectorFiles, vectorVersions } from '../helpers/vectors.js';

const env = privateRedis();

interface Value { utf8?: string; hex?: string }
const bytes = (v: Value): Buffer => (v.hex !== undefined ? Buffer.from(v.hex, 'hex') : Buffer.from(v.utf8 ?? '', 'utf8'));

/** Re-create one phase's keys exactly (bytes, order, scores, stream ids). */
async function restore(keys: Record<string, any>): Promise<void> {
  const commands: (string | Buffer)[][] = [['FLUSHALL']];
  for (const [key, dump] of Object.entries(keys)) {
    switch (dump.type) {
      case 'hash':
        commands.push(['HSET', key, ...Object.entries(dump.fields as Record<string, Value>).flatMap(([f, v]) => [f, bytes(v)])]);
        break;
      case 'list':
        commands.push(['RPUSH', key, ...dump.items.map(bytes)]);
        break;
      case 'set':
        commands.push(['SADD', key, ...dump.members.map(bytes)]);
        break;
      case 'zset':
        commands.push(['ZADD', key, ...dump.members.flatMap((m: { member: Value; score_raw: string }) => [String(m.score_raw), bytes(m.member)])]);
        break;
      case 'string':
        commands.push(['SET', key, bytes(dump.value)]);
        break;
      case 'stream':
        for (const e of dump.entries) commands.push(['XADD', key, e.id, ...Object.entries(e.fields as Record<string, Value>).flatMap(([f, v]) => [f, bytes(v)])]);
        break;
    }
  }
  for (const c of commands) await env.connection.command(c);
}

/** `datetime.datetime(2026, 11, 22, 23, 30, 24, 387870[, tzinfo=…])` → ISO string at millisecond precision. */
function pyDatetime(repr: string): string | null {
  if (repr === 'None') return null;
  const m = /^datetime\.datetime\(([^)]*?)(?:, tzinfo=[^)]*\))?\)$/.exec(repr);
  if (!m) throw new Error(`unexpected datetime repr ${repr}`);
  const [y, mo, d, h = 0, mi = 0, s = 0, us = 0] = m[1]!.split(',').map((x) => Number(x.trim()));
  return new Date(Date.UTC(y!, mo! - 1, d!, h, mi, s, Math.floor(us / 1000))).toISOString();
}

const cases = vectorVersions().flatMap((version) => vectorFiles(version).map((file) => ({ version, file })));

describe.each(cases)('$version/$file', ({ version, file }) => {
  it('reads every job of every phase as Python did', async () => {
    const vector = readVector(version, file);
    const serializer = vector.serializer as 'pickle' | 'json';
    let checked = 0;
    for (const phase of vector.phases) {
      await restore(phase.keys);
      for (const expected of phase.jobs) {
        const where = `${phase.phase} ${expected.id}`;
        if (!phase.keys[`rq:job:${expected.id}`]) {
          await expect(Job.fetch(expected.id, { connection: env.connection, serializer }), where).rejects.toBeInstanceOf(NoSuchJobError);
          continue;
        }
        const job = await Job.fetch(expected.id, { connection: env.connection, serializer });
        expect(String(await job.status), where).toBe(String(expected.status).replace(/^JobStatus\./, '').toLowerCase());
        expect(pyRepr(job.funcName), where).toBe(expected.func_name);
        expect(pyRepr(job.args), where).toBe(expected.args);
        expect(pyRepr(job.kwargs), where).toBe(expected.kwargs);
        expect(pyRepr(job.origin), where).toBe(expected.origin);
        expect(pyRepr(job.description), where).toBe(expected.description);
        expect(pyRepr(job.timeout), where).toBe(expected.timeout);
        expect(pyRepr(job.resultTtl), where).toBe(expected.result_ttl);
        expect(pyRepr(job.ttl), where).toBe(expected.ttl);
        expect(pyRepr(job.failureTtl), where).toBe(expected.failure_ttl);
        expect(pyRepr(await job.meta), where).toBe(expected.meta);
        expect(pyRepr(job.record.retriesLeft), where).toBe(expected.retries_left);
        expect(pyRepr(job.record.retryIntervals), where).toBe(expected.retry_intervals);
        // 1.x reports dependency ids as job keys in bytes; compare the ids.
        const deps = String(expected.dependency_ids).replace(/b'rq:job:/g, "'");
        expect(pyRepr(job.dependencyIds), where).toBe(deps);
        expect(job.createdAt?.toISOString() ?? null, where).toBe(pyDatetime(expected.created_at));
        expect((await job.enqueuedAt)?.toISOString() ?? null, where).toBe(pyDatetime(expected.enqueued_at));
        expect((await job.startedAt)?.toISOString() ?? null, where).toBe(pyDatetime(expected.started_at));
        expect((await job.endedAt)?.toISOString() ?? null, where).toBe(pyDatetime(expected.ended_at));
        expect(pyRepr(await job.returnValue()), where).toBe(expected.return_value);

        const results = await job.results();
        expect(results.length, where).toBe(expected.results.length);
        results.forEach((r, i) => {
          // The traceback tail is a Python repr: double-quoted when it holds a single quote.
          const [, type, value] = /^\(<Type\.\w+: (\d)>, (.*), (?:'.*'|".*")\)$/s.exec(expected.results[i]) ?? [];
          expect(r.type, where).toBe(Number(type));
          expect(pyRepr(r.returnValue), where).toBe(value);
          if (r.type === 2) expect(r.excString, where).toMatch(/Error|Exception/);
        });
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(0);
  });
});
