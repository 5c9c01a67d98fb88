import { deflateSync, inflateSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { DeserializationError } from '../../src/errors.js';
import {
  compress,
  decodeTraceback,
  decompress,
  emptyRecord,
  epochSeconds,
  fieldsFromReply,
  formatDatetime,
  nowMicros,
  parseDatetime,
  recordFromFields,
  recordToFields,
  type JobRecord,
} from '../../src/record.js';

/** The mutation run (vitest.stryker.config.ts) scales the fuzzing down: it reruns these tests per mutant. */
const fuzzRuns = (n: number): number => Math.max(50, Math.round(n * Number(process.env.RQTS_FUZZ_SCALE ?? 1)));

/** A field map as HGETALL returns it (every value a Buffer). */
const hash = (fields: Record<string, string | Buffer>): Map<string, Buffer> =>
  fieldsFromReply(Object.entries(fields).flatMap(([k, v]) => [Buffer.from(k), Buffer.isBuffer(v) ? v : Buffer.from(v)]));

/** recordToFields as a field → text map. */
const written = (r: JobRecord): Map<string, string> => {
  const fields = recordToFields(r);
  const map = new Map<string, string>();
  for (let i = 0; i < fields.length; i += 2) map.set(String(fields[i]), Buffer.isBuffer(fields[i + 1]) ? `<${(fields[i + 1] as Buffer).length} bytes>` : String(fields[i + 1]));
  return map;
};

describe('RQ datetimes', () => {
  it('writes %Y-%m-%dT%H:%M:%S.%fZ with 6 digits', () => {
    expect(formatDatetime(1_795_390_328_970_964)).toBe('2026-11-22T23:32:08.970964Z');
    expect(formatDatetime(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 60)))).toBe('2024-01-02T03:04:05.060000Z');
  });

  it('reads RQ, JS toISOString and second-precision forms', () => {
    expect(parseDatetime('2026-11-22T23:32:02.987745Z')?.toISOString()).toBe('2026-11-22T23:32:02.987Z');
    expect(parseDatetime('2026-11-22T23:32:02.98Z')?.toISOString()).toBe('2026-11-22T23:32:02.980Z');
    expect(parseDatetime('2026-11-22T23:32:02Z')?.toISOString()).toBe('2026-11-22T23:32:02.000Z');
    expect(parseDatetime('')).toBeNull();
    expect(parseDatetime('2024-01-01T00:00:00+00:00')).toBeNull();
  });

  it('reads a second it has just read (its cached second) exactly as any other, and still refuses garbage in it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4_102_444_800_000_000 }), fc.integer({ min: 0, max: 999_999 }), (micros, other) => {
        const text = formatDatetime(micros);
        const expected = new Date(Math.floor(micros / 1000)).toISOString();
        expect(parseDatetime(text)?.toISOString()).toBe(expected);
        // The same second again, with other digits: the cached second must not leak the previous fraction.
        const again = `${text.slice(0, 20)}${String(other).padStart(6, '0')}Z`;
        expect(parseDatetime(again)?.toISOString()).toBe(`${expected.slice(0, 20)}${String(other).padStart(6, '0').slice(0, 3)}Z`);
        expect(parseDatetime(`${text.slice(0, 20)}12a456Z`)).toBeNull();
        expect(parseDatetime(`${text.slice(0, 20)}1234567`)).toBeNull();
      }),
      { numRuns: fuzzRuns(300) },
    );
  });

  it('keeps a strictly increasing microsecond clock', () => {
    const a = nowMicros();
    const b = nowMicros();
    expect(b).toBeGreaterThan(a);
    // Many calls inside one microsecond still get distinct, increasing values (RQ sorts by these).
    const many = Array.from({ length: 2000 }, () => nowMicros());
    for (let i = 1; i < many.length; i++) expect(many[i]).toBeGreaterThan(many[i - 1]!);
  });

  it('still counts up while the clock stands still (calls within one microsecond)', () => {
    // A clock that does not move: every call falls within the same microsecond, 20 ms ahead of the real one
    // (past any value handed out so far: earlier calls within one microsecond count ahead of the clock).
    const frozen = performance.now() + 20;
    const now = vi.spyOn(performance, 'now').mockReturnValue(frozen);
    try {
      const first = nowMicros();
      expect(first).toBe(Math.floor((performance.timeOrigin + frozen) * 1000));
      const next = Array.from({ length: 5 }, () => nowMicros());
      let previous = first;
      for (const v of next) {
        expect(v).toBeGreaterThan(previous);
        previous = v;
      }
    } finally {
      now.mockRestore();
    }
    // Let the real clock pass the frozen one, so later calls are back on it (a wait of at most 20 ms).
    while (performance.now() <= frozen + 0.01);
  });

  it('counts microseconds since the Unix epoch, as the datetimes RQ reads back', () => {
    const before = Date.now();
    const micros = nowMicros();
    const after = Date.now();
    // Date.now()'s clock in microseconds, read around the call (not a timing budget). The slack covers
    // Date.now()'s whole milliseconds and the steps the clock takes past calls made within one microsecond.
    expect(micros).toBeGreaterThanOrEqual(before * 1000 - 50_000);
    expect(micros).toBeLessThanOrEqual(after * 1000 + 50_000);
    expect(parseDatetime(formatDatetime(micros))!.getTime()).toBe(Math.floor(micros / 1000));
  });

  it('scores registries in whole Unix seconds', () => {
    expect(epochSeconds(1_795_390_328_970_964)).toBe(1_795_390_328);
    expect(epochSeconds(1_000_000)).toBe(1);
    expect(epochSeconds(999_999)).toBe(0);
  });
});

describe('record fields', () => {
  it('writes what Python RQ writes, with empty strings only where RQ writes them', () => {
    const r = emptyRecord('id1', 'default', Buffer.from('x'));
    r.status = 'queued';
    r.timeout = 180;
    r.description = 'mylib.add(1, 2)';
    const fields = recordToFields(r, { createdAt: '2026-01-01T00:00:00.000001Z', enqueuedAt: '2026-01-01T00:00:00.000002Z' });
    const map = new Map<string, string>();
    for (let i = 0; i < fields.length; i += 2) map.set(String(fields[i]), String(fields[i + 1]));
    expect(fields[0]).toBe('status');
    expect([...map.keys()].sort()).toEqual(
      ['created_at', 'data', 'description', 'ended_at', 'enqueued_at', 'failure_callback_name', 'group_id',
        'last_heartbeat', 'origin', 'started_at', 'status', 'stopped_callback_name', 'success_callback_name',
        'timeout', 'worker_name'].sort(),
    );
    for (const presenceChecked of ['enqueue_at_front', 'success_callback_timeout', 'result_ttl', 'ttl', 'meta']) {
      expect(map.has(presenceChecked)).toBe(false);
    }
    expect(map.get('timeout')).toBe('180');
    expect(map.get('created_at')).toBe('2026-01-01T00:00:00.000001Z');
  });

  it('round-trips through the field map tolerantly', () => {
    const r = emptyRecord('id2', 'q', Buffer.from([0x78, 0x9c, 0, 1]));
    Object.assign(r, { status: 'deferred', timeout: -1, resultTtl: 0, ttl: 60, dependencyIds: ['a', 'b'], retriesLeft: 2, retryIntervals: [1, 5] });
    const flat = recordToFields(r).map((v) => (Buffer.isBuffer(v) ? v : Buffer.from(v)));
    const back = recordFromFields('id2', fieldsFromReply(flat));
    expect(back).toMatchObject({ status: 'deferred', timeout: -1, resultTtl: 0, ttl: 60, dependencyIds: ['a', 'b'], retriesLeft: 2, retryIntervals: [1, 5], workerName: null, startedAt: null });
    expect(back.data.equals(r.data)).toBe(true);
  });

  it('treats garbage numbers and JSON as unset instead of throwing', () => {
    const fields = new Map<string, Buffer>([
      ['data', Buffer.from('x')],
      ['timeout', Buffer.from('1m')],
      ['dependency_ids', Buffer.from('[not json')],
      ['dependency_id', Buffer.from('p1')],
    ]);
    const r = recordFromFields('id3', fields);
    expect(r.timeout).toBeNull();
    expect(r.dependencyIds).toEqual(['p1']);
  });
});

describe('compress', () => {
  it('stores small payloads and deflates large ones, both inflatable by zlib', async () => {
    const { inflateSync } = await import('node:zlib');
    const { compress, decompress } = await import('../../src/record.js');
    for (const size of [0, 1, 60, 512, 513, 5000, 70_000]) {
      const bytes = Buffer.from(Array.from({ length: size }, (_, i) => (i * 7) % 251));
      const packed = compress(bytes);
      expect(packed[0]).toBe(0x78);
      expect(inflateSync(packed).equals(bytes)).toBe(true);
      expect(decompress(packed).equals(bytes)).toBe(true);
      if (size <= 512) expect(packed.length).toBe(size + 11);
    }
  });

  it('reads every zlib stream as zlib does: stored blocks without a zlib handle, others (and damaged ones) through it', async () => {
    const { deflateSync, inflateSync } = await import('node:zlib');
    const { compress, decompress } = await import('../../src/record.js');
    // What zlib makes of the bytes, or the bytes themselves when it refuses them (decompress's contract).
    const reference = (bytes: Buffer): Buffer => {
      try {
        return inflateSync(bytes);
      } catch {
        return bytes;
      }
    };
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 700 }), fc.integer({ min: 0, max: 9 }), fc.nat(), fc.integer({ min: 1, max: 255 }), (raw, level, at, flip) => {
        const bytes = Buffer.from(raw);
        for (const packed of [compress(bytes), deflateSync(bytes, { level })]) {
          expect(decompress(packed).equals(bytes)).toBe(true);
          const damaged = Buffer.from(packed);
          // Not the first byte: decompress reads only streams that start 0x78 (a 32 KiB window), by design.
          const i = 1 + (at % (damaged.length - 1));
          damaged[i] = damaged[i]! ^ flip;
          expect(decompress(damaged).equals(reference(damaged))).toBe(true);
        }
      }),
      { numRuns: fuzzRuns(400) },
    );
  });

  it('reads a cut-off stream (every prefix) as zlib does, without throwing', () => {
    const reference = (bytes: Buffer): Buffer => {
      try {
        return inflateSync(bytes);
      } catch {
        return bytes;
      }
    };
    // A stored block (0, 30, 300 bytes: under and over the 11-byte frame) and a deflated one.
    const bodies = [0, 30, 300].map((n) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 13) % 256)));
    for (const packed of [...bodies.map((b) => compress(b)), deflateSync(bodies[2]!)]) {
      for (let cut = 0; cut <= packed.length; cut++) {
        const prefix = packed.subarray(0, cut);
        expect(decompress(prefix).equals(reference(prefix))).toBe(true);
      }
    }
  });

  it('reads a stored block with any flag byte as zlib does: a bad header check or a preset dictionary makes it raw bytes', () => {
    const body = Buffer.from('a stored payload');
    for (let flg = 0; flg < 256; flg++) {
      const packed = compress(body);
      packed[1] = flg;
      let expected: Buffer;
      try {
        expected = inflateSync(packed);
      } catch {
        expected = packed;
      }
      // (0x78 << 8 | FLG) % 31 is zlib's header check; FLG bit 5 (FDICT) asks for a dictionary rqts does not have.
      const valid = ((0x78 << 8) | flg) % 31 === 0 && (flg & 0x20) === 0;
      expect(expected.equals(valid ? body : packed)).toBe(true);
      expect(decompress(packed).equals(expected)).toBe(true);
    }
  });
});

describe('writing every field', () => {
  it('spells each optional field as RQ 2.12 does, with the values it parses', () => {
    const r = emptyRecord('id4', 'high', Buffer.from('x'));
    Object.assign(r, {
      status: 'queued', timeout: -1, resultTtl: 0, failureTtl: 86_400, ttl: 60, meta: Buffer.from('m'),
      dependencyIds: ['p1', 'p2'], allowDependencyFailures: false, enqueueAtFront: false,
      successCallbackName: 'cb.ok', successCallbackTimeout: 10, failureCallbackName: 'cb.fail', failureCallbackTimeout: 20,
      stoppedCallbackName: 'cb.stop', stoppedCallbackTimeout: 30, retriesLeft: 2, retryIntervals: [1, 5],
      enqueueAtFrontOnRetry: true, groupId: 'g1', repeatsLeft: 3, repeatIntervals: [60, 120],
      webhooks: [{ url: 'https://h.example/x', job_status: 'finished', method: 'POST', headers: { 'X-K': 'v' }, timeout: 10 }],
    } satisfies Partial<JobRecord>);
    expect(Object.fromEntries(written(r))).toEqual({
      status: 'queued', data: '<1 bytes>', origin: 'high', started_at: '', ended_at: '', last_heartbeat: '', worker_name: '',
      timeout: '-1', result_ttl: '0', failure_ttl: '86400', ttl: '60', meta: '<1 bytes>',
      dependency_ids: '["p1", "p2"]', dependency_id: 'p1', allow_dependency_failures: '0', enqueue_at_front: '0',
      success_callback_name: 'cb.ok', success_callback_timeout: '10', failure_callback_name: 'cb.fail', failure_callback_timeout: '20',
      stopped_callback_name: 'cb.stop', stopped_callback_timeout: '30', retries_left: '2', retry_intervals: '[1, 5]',
      enqueue_at_front_on_retry: '1', group_id: 'g1', repeats_left: '3', repeat_intervals: '[60, 120]',
      webhooks: '[{"url": "https://h.example/x", "job_status": "finished", "method": "POST", "headers": {"X-K": "v"}, "timeout": 10}]',
    });
  });

  it('writes the Dependency flags as "1" when set, and no webhooks field for an empty list', () => {
    const r = emptyRecord('id5', 'q', Buffer.from('x'));
    Object.assign(r, { allowDependencyFailures: true, enqueueAtFront: true, webhooks: [] });
    const map = written(r);
    expect(map.get('allow_dependency_failures')).toBe('1');
    expect(map.get('enqueue_at_front')).toBe('1');
    expect(map.has('webhooks')).toBe(false);
  });
});

describe('reading every field', () => {
  const traceback = 'Traceback (most recent call last):\n  File "mylib.py", line 2, in div\nZeroDivisionError: division by zero\n';
  const webhook = { url: 'https://h.example/x', job_status: 'failed', method: 'POST', headers: null, timeout: 10 };

  it('reads each field RQ writes into its own property', () => {
    const r = recordFromFields('j1', hash({
      data: Buffer.from([0x80, 0x04]), origin: 'high', status: 'failed', description: 'mylib.div(1, 0)',
      created_at: '2026-01-02T03:04:05.000006Z', enqueued_at: '2026-01-02T03:04:06.100007Z', started_at: '2026-01-02T03:04:07.123456Z',
      ended_at: '2026-01-02T03:04:08Z', last_heartbeat: '2026-01-02T03:04:07.5Z', worker_name: 'w1',
      timeout: '180', result_ttl: '500', failure_ttl: '-1', ttl: '60', meta: Buffer.from([0x80, 0x05]),
      dependency_ids: '["a", "b"]', dependency_id: 'a', allow_dependency_failures: '1', enqueue_at_front: '0',
      success_callback_name: 'cb.ok', failure_callback_name: 'cb.fail', stopped_callback_name: 'cb.stop',
      success_callback_timeout: '10', failure_callback_timeout: '20', stopped_callback_timeout: '30',
      retries_left: '2', retry_intervals: '[1, 5]', enqueue_at_front_on_retry: '1', group_id: 'g1',
      repeats_left: '3', repeat_intervals: '[60]', webhooks: JSON.stringify([webhook]),
      exc_info: deflateSync(Buffer.from(traceback)), result: Buffer.from([0x80, 0x06]),
    }));
    const at = (iso: string): Date => new Date(iso);
    expect(r).toEqual({
      id: 'j1', data: Buffer.from([0x80, 0x04]), origin: 'high', status: 'failed', description: 'mylib.div(1, 0)',
      createdAt: at('2026-01-02T03:04:05.000Z'), enqueuedAt: at('2026-01-02T03:04:06.100Z'), startedAt: at('2026-01-02T03:04:07.123Z'),
      endedAt: at('2026-01-02T03:04:08.000Z'), lastHeartbeat: at('2026-01-02T03:04:07.500Z'), workerName: 'w1',
      timeout: 180, resultTtl: 500, failureTtl: -1, ttl: 60, meta: Buffer.from([0x80, 0x05]),
      dependencyIds: ['a', 'b'], allowDependencyFailures: true, enqueueAtFront: false,
      successCallbackName: 'cb.ok', failureCallbackName: 'cb.fail', stoppedCallbackName: 'cb.stop',
      successCallbackTimeout: 10, failureCallbackTimeout: 20, stoppedCallbackTimeout: 30,
      retriesLeft: 2, retryIntervals: [1, 5], enqueueAtFrontOnRetry: true, groupId: 'g1',
      repeatsLeft: 3, repeatIntervals: [60], webhooks: [webhook],
      excInfo: traceback, result: Buffer.from([0x80, 0x06]),
    } satisfies JobRecord);
  });

  it('reads missing and empty fields as unset, as Job.restore does', () => {
    const r = recordFromFields('j2', hash({
      data: Buffer.from('x'), status: '', worker_name: '', started_at: '', meta: '', exc_info: '', result: '', group_id: '',
    }));
    expect(r).toEqual({ ...emptyRecord('j2', '', Buffer.from('x')) } satisfies JobRecord);
  });

  it('reads dependency_id alone (jobs written before dependency_ids) as a one-id list', () => {
    expect(recordFromFields('j3', hash({ data: 'x', dependency_id: 'p1' })).dependencyIds).toEqual(['p1']);
    expect(recordFromFields('j3', hash({ data: 'x', dependency_id: '' })).dependencyIds).toEqual([]);
  });

  it('treats numbers, flags and lists it cannot parse as unset', () => {
    const r = (fields: Record<string, string>): JobRecord => recordFromFields('j4', hash({ data: 'x', ...fields }));
    for (const bad of ['x5', '5x', '1.5', '1e3', '- 1']) expect(r({ timeout: bad }).timeout).toBeNull();
    expect(r({ timeout: '-3' }).timeout).toBe(-3);
    expect(r({ enqueue_at_front: '2' }).enqueueAtFront).toBe(true);
    expect(r({ enqueue_at_front: 'yes' }).enqueueAtFront).toBeNull();
    expect(r({ dependency_ids: '["a", 1]', dependency_id: 'a' }).dependencyIds).toEqual(['a']);
    expect(r({ dependency_ids: '"a"', dependency_id: 'b' }).dependencyIds).toEqual(['b']);
    for (const bad of ['[1.5]', '[1, "a"]', '["1"]', '{"a": 1}']) expect(r({ retry_intervals: bad }).retryIntervals).toBeNull();
    for (const bad of ['[1, 1.5]', '2']) expect(r({ repeat_intervals: bad }).repeatIntervals).toBeNull();
    for (const bad of ['[{"url": 1}]', '[null]', '[1]', JSON.stringify(webhook), JSON.stringify([webhook, 2]), JSON.stringify([{ job_status: 'failed' }])]) {
      expect(r({ webhooks: bad }).webhooks).toBeNull();
    }
  });

  it('takes raw traceback text as RQ does, and inflates exc_info only when read', () => {
    // RQ 2 keeps tracebacks in the results stream: its job hashes have no exc_info at all.
    expect(recordFromFields('j5', hash({ data: 'x' })).excInfo).toBeNull();
    expect(recordFromFields('j5', hash({ data: 'x', exc_info: traceback })).excInfo).toBe(traceback);
    const bomb = deflateSync(Buffer.alloc(8 * 1024 * 1024));
    const r = recordFromFields('j6', hash({ data: 'x', status: 'failed', exc_info: bomb }));
    expect(r.status).toBe('failed');
    expect(() => r.excInfo).toThrow(DeserializationError);
    expect(() => r.excInfo).toThrow(/exc_info of job j6 inflates past the 4194304-byte limit/);
  });

  it('refuses a hash without data, naming the job', () => {
    expect(() => recordFromFields('gone', hash({ status: 'queued' }))).toThrow(new DeserializationError('Job gone has no data field'));
  });

  it('keeps field/value pairs of Buffers and skips anything else in the reply', () => {
    const reply = [Buffer.from('a'), Buffer.from('1'), 'b', Buffer.from('2'), Buffer.from('c'), null, Buffer.from('d')];
    expect(fieldsFromReply(reply)).toEqual(new Map([['a', Buffer.from('1')]]));
    expect(fieldsFromReply(null)).toEqual(new Map());
  });
});

describe('decompress', () => {
  it('returns bytes that are not zlib as they are (RQ falls back to the raw payload)', () => {
    for (const raw of [Buffer.from([0x80, 0x05, 0x4b]), Buffer.from('[1]'), Buffer.from([0x78]), Buffer.from([0x78, 0x01, 0x02]), Buffer.alloc(0)]) {
      expect(decompress(raw).equals(raw)).toBe(true);
    }
  });

  it('stops a decompression bomb at the limit, naming what it was reading', () => {
    const bomb = deflateSync(Buffer.alloc(2 * 1024 * 1024));
    expect(decompress(bomb).length).toBe(2 * 1024 * 1024);
    expect(() => decompress(bomb, 1024 * 1024)).toThrow(new DeserializationError('The payload inflates past the 1048576-byte limit (a decompression bomb?); not decoded'));
    // The zlib error stays attached, for whoever logs the failure.
    const error = (() => {
      try {
        decompress(bomb, 1024 * 1024);
      } catch (e) {
        return e as Error;
      }
      return null;
    })();
    expect((error?.cause as { code?: string } | undefined)?.code).toBe('ERR_BUFFER_TOO_LARGE');
    expect(() => decodeTraceback(deflateSync(Buffer.alloc(5 * 1024 * 1024)))).toThrow(/^The traceback inflates past the 4194304-byte limit/);
    expect(decodeTraceback(deflateSync(Buffer.from('é')))).toBe('é');
  });
});
