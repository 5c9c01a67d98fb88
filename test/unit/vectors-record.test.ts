/**
 * The record writer against the golden vectors: for every enqueue scenario rqts supports, rebuilding the
 * job from the options Python was given yields the same hash fields and values Python RQ wrote, and a
 * payload that decompresses to the same bytes.
 */
import { describe, expect, it } from 'vitest';
import { decompress, recordToFields } from '../../src/record.js';
import { prepareJob, type EnqueueCallOptions } from '../../src/prepare.js';
import { decodePayload } from '../../src/payload.js';
import { resolveSerializer } from '../../src/serializers/index.js';
import { Defaults } from '../../src/protocol.js';

import { readVector, vectorFiles as filesOf, vectorVersions } from '../helpers/vectors.js';

/** Scenarios whose options the foundation covers (dependencies, retries, callbacks and scheduling are separate). */
const CASES = ['plain', 'kwargs', 'job_id', 'description', 'timeouts_ttls', 'timeouts_ttls_fail', 'meta', 'named_queue', 'at_front', 'result_ttl_zero_and_forever', 'fail', 'types'];

interface Value { utf8?: string; hex?: string }
const bytes = (v: Value): Buffer => (v.hex !== undefined ? Buffer.from(v.hex, 'hex') : Buffer.from(v.utf8 ?? '', 'utf8'));

function vectorFiles(): { version: string; file: string; caseName: string; serializer: 'pickle' | 'json' }[] {
  const out = [];
  for (const version of vectorVersions()) {
    for (const file of filesOf(version)) {
      const m = /^(.*?)_{1,2}(pickle|json)\.json$/.exec(file);
      if (m && CASES.includes(m[1]!)) out.push({ version, file, caseName: m[1]!, serializer: m[2] as 'pickle' | 'json' });
    }
  }
  return out;
}

describe.each(vectorFiles())('$version/$file', ({ version, file, caseName, serializer: serializerName }) => {
  const vector = readVector(version, file);
  const phase = vector.phases[0];
  const serializer = resolveSerializer(serializerName);
  const jobKeys = Object.keys(phase.keys).filter((k) => /^rq:job:[^:]+$/.test(k));

  it.each(jobKeys)('%s is rebuilt field for field', (key) => {
    const stored: Record<string, Value> = phase.keys[key].fields;
    const id = key.slice('rq:job:'.length);
    const payload = decodePayload(serializer, bytes(stored.data!));
    const text = (f: string): string | undefined => stored[f]?.utf8;
    const options: EnqueueCallOptions = { args: payload.args, kwargs: payload.kwargs, jobId: id };
    // Python formatted the description from its tuples; a JSON payload only carries lists.
    if (caseName === 'description' || (caseName === 'types' && serializerName === 'json')) options.description = text('description');
    // Only the timeouts cases set a timeout; every other job must get the library's default, as Python did.
    if (caseName.startsWith('timeouts_ttls')) options.jobTimeout = Number(text('timeout'));
    if (text('result_ttl')) options.resultTtl = Number(text('result_ttl'));
    if (text('failure_ttl')) options.failureTtl = Number(text('failure_ttl'));
    if (text('ttl')) options.ttl = Number(text('ttl'));
    if (stored.meta) options.meta = serializer.loads(bytes(stored.meta)) as Record<string, unknown>;

    const prepared = prepareJob({ queue: text('origin')!, serializer, defaultTimeout: Defaults.JOB_TIMEOUT }, payload.funcName, options);
    const record = { ...prepared.record, status: 'queued' };
    const flat = recordToFields(record, { createdAt: text('created_at'), enqueuedAt: text('enqueued_at') });
    const ours = new Map<string, Buffer>();
    for (let i = 0; i < flat.length; i += 2) ours.set(String(flat[i]), Buffer.from(flat[i + 1]!));

    // 1.13 lacks two fields 2.x writes; they are harmless to it.
    const extras = version.startsWith('1.') ? ['group_id', 'stopped_callback_name'] : [];
    expect([...ours.keys()].filter((f) => !extras.includes(f)).sort()).toEqual(Object.keys(stored).sort());
    for (const [field, value] of Object.entries(stored)) {
      if (field === 'data') {
        expect(decompress(ours.get('data')!).equals(decompress(bytes(value)))).toBe(true);
      } else {
        expect(ours.get(field)?.toString('hex'), field).toBe(bytes(value).toString('hex'));
      }
    }
  });
});
