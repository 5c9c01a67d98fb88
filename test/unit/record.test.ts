import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  emptyRecord,
  fieldsFromReply,
  formatDatetime,
  nowMicros,
  parseDatetime,
  recordFromFields,
  recordToFields,
} from '../../src/record.js';

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
      { numRuns: 300 },
    );
  });

  it('keeps a strictly increasing microsecond clock', () => {
    const a = nowMicros();
    const b = nowMicros();
    expect(b).toBeGreaterThan(a);
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
      { numRuns: 400 },
    );
  });
});
