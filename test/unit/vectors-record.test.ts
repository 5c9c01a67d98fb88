/**
 * The record writer against the golden vectors, for EVERY case Python RQ recorded: each job hash of the
 * first phase (right after the enqueue) is rebuilt from the options the case's Python code passed (the table
 * below, written from each vector's `code`), and compared field by field: same field names, same bytes,
 * and a payload that decompresses to the same bytes. Timestamps and random ids are taken from the vector.
 */
import { describe, expect, it } from 'vitest';
import { Retry } from '../../src/index.js';
import { decompress, recordToFields } from '../../src/record.js';
import { prepareJob, type EnqueueCallOptions } from '../../src/prepare.js';
import { decodePayload } from '../../src/payload.js';
import { Defaults } from '../../src/protocol.js';
import { resolveSerializer } from '../../src/serializers/index.js';
import { readVector, vectorFiles as filesOf, vectorVersions } from '../helpers/vectors.js';

type Options = Omit<EnqueueCallOptions, 'args' | 'kwargs' | 'jobId'>;
type Status = 'queued' | 'deferred' | 'scheduled';

/** Per case: the options its Python code gave each job (by id), and the status RQ must have written. */
const CASES: Record<string, { options?: (id: string) => Options; status?: (id: string) => Status }> = {
  plain: {},
  kwargs: {},
  job_id: {},
  description: { options: () => ({ description: 'custom description \u00e9\u4e2d' }) },
  timeouts_ttls: { options: () => ({ jobTimeout: 180, resultTtl: 600, ttl: 3600, failureTtl: 86_400 }) },
  timeouts_ttls_fail: { options: () => ({ jobTimeout: '3m', resultTtl: 600, ttl: 3600, failureTtl: 86_400 }) },
  meta: { options: () => ({ meta: { owner: 'alice', n: 42, tags: ['a', 'b'] } }) },
  named_queue: {},
  at_front: { options: (id) => (id === 'job-c-front' ? { atFront: true } : {}) },
  result_ttl_zero_and_forever: { options: (id) => ({ resultTtl: id === 'rttl-0' ? 0 : -1 }) },
  fail: {},
  types: {},
  callbacks: { options: (id) => (id === 'cb-ok' ? { onSuccess: 'mylib.on_success' } : { onFailure: 'mylib.on_failure' }) },
  retry: { options: () => ({ retry: new Retry({ max: 3, interval: [1, 2] }) }) },
  retry_no_interval: { options: () => ({ retry: new Retry({ max: 2 }) }) },
  depends_on_single: { options: (id) => (id === 'child-1' ? { dependsOn: 'parent-1' } : {}), status: (id) => (id === 'child-1' ? 'deferred' : 'queued') },
  depends_on_list: {
    options: (id) => (id === 'child-ab' ? { dependsOn: ['parent-a', 'parent-b'] } : {}),
    status: (id) => (id === 'child-ab' ? 'deferred' : 'queued'),
  },
  depends_on_failed_parent: {
    options: (id) => (id === 'child-of-fail' ? { dependsOn: 'parent-fail' } : {}),
    status: (id) => (id === 'child-of-fail' ? 'deferred' : 'queued'),
  },
  enqueue_at: { status: () => 'scheduled' },
  enqueue_in: { status: () => 'scheduled' },
  enqueue_many: { options: (id) => ({ 'many-2': { resultTtl: 100 }, 'many-3': { description: 'third' } })[id] ?? {} },
};

/** Fields RQ 2.x writes that 1.13 did not know yet (harmless to it). */
const NEWER_FIELDS = ['group_id', 'stopped_callback_name', 'success_callback_timeout', 'failure_callback_timeout'];

interface Value { utf8?: string; hex?: string }
const bytes = (v: Value): Buffer => (v.hex !== undefined ? Buffer.from(v.hex, 'hex') : Buffer.from(v.utf8 ?? '', 'utf8'));

function vectorFiles(): { version: string; file: string; caseName: string; serializer: 'pickle' | 'json' }[] {
  const out = [];
  for (const version of vectorVersions()) {
    for (const file of filesOf(version)) {
      const m = /^(.*?)_{1,2}(pickle|json)\.json$/.exec(file);
      if (m) out.push({ version, file, caseName: m[1]!, serializer: m[2] as 'pickle' | 'json' });
    }
  }
  return out;
}

it('every recorded case is in the table above (a new vector needs its options written down)', () => {
  const cases = new Set(vectorFiles().map((v) => v.caseName));
  expect([...cases].filter((c) => !(c in CASES))).toEqual([]);
  expect(Object.keys(CASES).filter((c) => !cases.has(c))).toEqual([]);
});

describe.each(vectorFiles())('$version/$file', ({ version, file, caseName, serializer: serializerName }) => {
  const vector = readVector(version, file);
  const phase = vector.phases[0];
  const serializer = resolveSerializer(serializerName);
  const spec = CASES[caseName] ?? {};
  const jobKeys = Object.keys(phase.keys).filter((k) => /^rq:job:[^:]+$/.test(k));

  it('recorded every job the case returned, right after the enqueue', () => {
    expect(phase.phase).toBe('after_enqueue');
    expect(jobKeys.map((k) => k.slice('rq:job:'.length)).sort()).toEqual([...vector.job_ids].sort());
  });

  it.each(jobKeys)('%s is rebuilt field for field', (key) => {
    const stored: Record<string, Value> = phase.keys[key].fields;
    const id = key.slice('rq:job:'.length);
    const text = (f: string): string | undefined => stored[f]?.utf8;
    const payload = decodePayload(serializer, bytes(stored.data!));
    const options: EnqueueCallOptions = { ...spec.options?.(id), args: payload.args, kwargs: payload.kwargs, jobId: id };
    // Python formatted this description from its tuples and bytes; a JSON payload only carries lists.
    if (caseName === 'types' && serializerName === 'json') options.description = text('description');

    const status = spec.status?.(id) ?? 'queued';
    expect(text('status')).toBe(status);
    const prepared = prepareJob({ queue: text('origin')!, serializer, defaultTimeout: Defaults.JOB_TIMEOUT }, payload.funcName, options);
    // Timestamps are the vector's; enqueued_at exists only on a job queued at once (the script adds it).
    const flat = recordToFields({ ...prepared.record, status }, { createdAt: text('created_at'), enqueuedAt: status === 'queued' ? text('enqueued_at') : undefined });
    const ours = new Map<string, Buffer>();
    for (let i = 0; i < flat.length; i += 2) ours.set(String(flat[i]), Buffer.from(flat[i + 1]!));
    if (status !== 'queued') expect(ours.has('enqueued_at')).toBe(false);

    const extras = version.startsWith('1.') ? NEWER_FIELDS : [];
    expect([...ours.keys()].filter((f) => !extras.includes(f)).sort()).toEqual(Object.keys(stored).sort());
    for (const [field, value] of Object.entries(stored)) {
      if (field === 'data') {
        expect(decompress(ours.get('data')!).equals(decompress(bytes(value))), 'data').toBe(true);
      } else {
        expect(ours.get(field)?.toString('hex'), `${field}: ours ${ours.get(field)?.toString()} vs RQ ${bytes(value).toString()}`).toBe(bytes(value).toString('hex'));
      }
    }
    // A field 1.13 lacks must be one rqts writes with RQ 2.x's value (checked against the 2.x vectors).
    for (const f of extras) if (ours.has(f)) expect(stored[f]).toBeUndefined();
  });
});
