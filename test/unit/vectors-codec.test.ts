/**
 * The golden vectors as codec oracles: every pickle and JSON payload Python RQ wrote (job data, meta,
 * results) decodes to values whose Python repr matches what RQ reported, and re-encodes to the exact bytes.
 */
import { describe, expect, it } from 'vitest';
import { formatDescription, pyRepr } from '../../src/py/repr.js';
import { py } from '../../src/py/values.js';
import { jsonDumps, jsonLoads } from '../../src/serializers/json.js';
import { pickleDumps, pickleLoads } from '../../src/serializers/pickle/index.js';
import { readVector, vectorFiles, vectorVersions } from '../helpers/vectors.js';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

function bytesOf(v: Json): Buffer {
  return v.hex !== undefined ? Buffer.from(v.hex, 'hex') : Buffer.from(v.utf8, 'utf8');
}

/** Raw serializer bytes of a recorded value: zlib-inflated data, base64-decoded return_value, or as is. */
function payloadOf(field: Json): Buffer {
  const d = field.decoded;
  if (d.zlib_decompressed) return bytesOf(d.zlib_decompressed);
  if (d.base64_decoded) return bytesOf(d.base64_decoded);
  return bytesOf(field);
}

function codec(format: string): { loads: (b: Buffer) => unknown; dumps: (v: unknown) => Buffer } {
  return format === 'pickle' ? { loads: (b) => pickleLoads(b), dumps: (v) => pickleDumps(v) } : { loads: (b) => jsonLoads(b), dumps: (v) => jsonDumps(v) };
}

interface Payload { where: string; format: string; raw: Buffer; pythonRepr?: string }

function collectPayloads(node: Json, where: string, out: Payload[]): void {
  if (node === null || typeof node !== 'object') return;
  if (node.decoded?.format === 'pickle' || node.decoded?.format === 'json') {
    out.push({ where, format: node.decoded.format, raw: payloadOf(node), pythonRepr: node.decoded.python_repr });
  }
  for (const [k, v] of Object.entries(node)) collectPayloads(v, `${where}/${k}`, out);
}

const files = vectorVersions().flatMap((version) => vectorFiles(version).map((file) => ({ version, file })));

describe.each(files)('$version/$file', ({ version, file }) => {
  const vector = readVector(version, file);
  const payloads: Payload[] = [];
  collectPayloads(vector.phases, file, payloads);
  const c = codec(vector.serializer);

  it('re-encodes every payload byte for byte, and pickles repr as Python printed them', () => {
    expect(payloads.length).toBeGreaterThan(0);
    for (const p of payloads) {
      const value = codec(p.format).loads(p.raw);
      expect(codec(p.format).dumps(value).toString('hex'), p.where).toBe(p.raw.toString('hex'));
      if (p.pythonRepr !== undefined) expect(pyRepr(value), p.where).toBe(p.pythonRepr);
    }
  });

  it('decodes each job to the func_name, args, kwargs, meta and return value RQ reported', () => {
    let checked = 0;
    for (const phase of vector.phases) {
      for (const job of phase.jobs as Json[]) {
        const hash = phase.keys[`rq:job:${job.id}`];
        if (!hash?.fields?.data) continue;
        const [funcName, instance, args, kwargs] = c.loads(payloadOf(hash.fields.data)) as unknown[];
        expect(pyRepr(funcName)).toBe(job.func_name);
        expect(instance).toBeNull();
        expect(pyRepr(args)).toBe(job.args);
        expect(pyRepr(kwargs)).toBe(job.kwargs);
        if (hash.fields.meta) expect(pyRepr(c.loads(bytesOf(hash.fields.meta)))).toBe(job.meta);
        const stream = phase.keys[`rq:results:${job.id}`];
        const last = stream?.entries?.[stream.entries.length - 1]?.fields;
        if (last?.return_value && last.type.utf8 === '1') expect(pyRepr(c.loads(payloadOf(last.return_value)))).toBe(job.return_value);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(0);
  });

  it('rebuilds the default description from the decoded call', () => {
    const phase = vector.phases.find((p: Json) => p.phase === 'after_enqueue');
    // Descriptions the case passed explicitly (`description='…'`, Python \u escapes are JSON-compatible).
    const explicit = new Set([...(vector.code as string).matchAll(/description='([^']*)'/g)].map((m) => JSON.parse(`"${m[1]}"`) as string));
    for (const job of phase.jobs as Json[]) {
      const fields = phase.keys[`rq:job:${job.id}`]?.fields;
      if (!fields?.data) continue;
      const [funcName, , args, kwargs] = c.loads(payloadOf(fields.data)) as [string, unknown, unknown[], Record<string, unknown>];
      const callArgs = [...args];
      // JSON turned the tuple (1, 'a') into a list; RQ built the description before serializing.
      if (vector.case === 'types_json') callArgs[16] = py.tuple(...(callArgs[16] as unknown[]));
      const description = formatDescription(funcName, callArgs, kwargs);
      if (explicit.has(fields.description.utf8)) expect(description).not.toBe(fields.description.utf8);
      else expect(description).toBe(fields.description.utf8);
    }
  });
});

describe('pickle_vectors.json', () => {
  const vectors = readVector('pickle_vectors.json') as Record<string, Record<string, Json>>;
  for (const [pyValue, byProtocol] of Object.entries(vectors)) {
    for (const [name, v] of Object.entries(byProtocol)) {
      const protocol = Number(name.replace('protocol_', ''));
      it(`${pyValue} at protocol ${protocol}`, () => {
        const raw = Buffer.from(v.pickle_hex, 'hex');
        const value = pickleLoads(raw);
        expect(pyRepr(value)).toBe(pyValue);
        expect(pickleDumps(value, { protocol }).toString('hex')).toBe(v.pickle_hex);
      });
    }
  }
});
