/**
 * The fuzz corpus: real payloads, written by real Python RQ (every installed version: pickle protocols 0–5,
 * job hashes from `Job.create(...).to_dict()`, result entries as `Result` writes them, JSON-serializer jobs)
 * and by rqts's own encoders.
 */
import { encodePayload } from '../../src/payload.js';
import { py } from '../../src/py/values.js';
import { compress } from '../../src/record.js';
import { jsonSerializer, pickleSerializer } from '../../src/serializers/index.js';
import { rqVersions, runPythonJson } from '../helpers/rq.js';

/** One seed: a job hash's fields, a result entry's fields, or bare serializer bytes. */
export type Seed =
  | { kind: 'pickle' | 'json'; bytes: Buffer }
  | { kind: 'record'; serializer: 'pickle' | 'json'; fields: [string, Buffer][] }
  | { kind: 'result'; serializer: 'pickle' | 'json'; fields: [string, Buffer][] };

const PYTHON = String.raw`
import base64, datetime, decimal, json, pickle, uuid, zlib
from redis import Redis
from rq.job import Job
from rq.serializers import JSONSerializer
b64 = lambda b: base64.b64encode(b).decode()
conn = Redis(host='127.0.0.1', port=1)  # Job.create never connects
values = [
    (1, 2), ('h\u00e9llo', b'bytes', 3.5, None, True, False),
    ([1, [2, [3, [4]]]], {'a': {'b': [1, 2]}, 'c': (1, 'x')}),
    (datetime.datetime(2024, 1, 2, 3, 4, 5, 678000), datetime.date(2024, 1, 2), datetime.time(1, 2, 3),
     datetime.timedelta(days=1, seconds=5), decimal.Decimal('1.50'), uuid.UUID(int=5)),
    ({1, 2}, frozenset([3]), bytearray(b'xy'), 10 ** 30, -1.5e300, float('inf'), -0.0, 'x' * 300, list(range(300))),
    ({'k' * i: i for i in range(40)},), ([{'id': i, 'tags': ['a', 'b'], 'ok': i % 2 == 0} for i in range(60)],),
]
json_values = [(1, 2), ('h\u00e9llo', 3.5, None, True, [1, [2, {'a': 1}]]), ({'k' * i: [i, str(i)] for i in range(40)},)]
out = []
for args in values:
    for proto in range(0, pickle.HIGHEST_PROTOCOL + 1):
        out.append({'kind': 'pickle', 'bytes': b64(pickle.dumps(('mylib.echo', None, args, {'kw': args}), protocol=proto))})
    job = Job.create('mylib.echo', args=args, kwargs={'x': 1}, connection=conn, meta={'m': list(args)[:2]}, description='d')
    fields = {k: (v if isinstance(v, bytes) else str(v).encode()) for k, v in job.to_dict().items()}
    fields['exc_info'] = zlib.compress(('Traceback (most recent call last):\n  File "x.py", line 1\nValueError: %r\n' % (args,)).encode())
    out.append({'kind': 'record', 'serializer': 'pickle', 'fields': [[k, b64(v)] for k, v in fields.items()]})
    out.append({'kind': 'result', 'serializer': 'pickle', 'fields': [['type', b64(b'1')], ['return_value', b64(base64.b64encode(pickle.dumps(args)))], ['worker_name', b64(b'w')]]})
    out.append({'kind': 'result', 'serializer': 'pickle', 'fields': [['type', b64(b'2')], ['exc_string', b64(base64.b64encode(zlib.compress(repr(args).encode())))]]})
for args in json_values:
    out.append({'kind': 'json', 'bytes': b64(json.dumps(['mylib.echo', None, list(args), {'kw': list(args)}]).encode())})
    job = Job.create('mylib.echo', args=args, connection=conn, serializer=JSONSerializer, meta={'m': 1})
    fields = {k: (v if isinstance(v, bytes) else str(v).encode()) for k, v in job.to_dict().items()}
    out.append({'kind': 'record', 'serializer': 'json', 'fields': [[k, b64(v)] for k, v in fields.items()]})
    out.append({'kind': 'result', 'serializer': 'json', 'fields': [['type', b64(b'1')], ['return_value', b64(base64.b64encode(json.dumps(list(args)).encode()))]]})
print(json.dumps(out))
`;

type PySeed = { kind: string; bytes?: string; serializer?: 'pickle' | 'json'; fields?: [string, string][] };

/** Seeds from every installed RQ version, plus rqts's own encodings. */
export async function buildCorpus(): Promise<Seed[]> {
  const seeds: Seed[] = [];
  for (const rq of rqVersions()) {
    for (const s of await runPythonJson<PySeed[]>(rq, PYTHON)) {
      if (s.kind === 'pickle' || s.kind === 'json') seeds.push({ kind: s.kind, bytes: Buffer.from(s.bytes!, 'base64') });
      else seeds.push({ kind: s.kind as 'record' | 'result', serializer: s.serializer!, fields: s.fields!.map(([k, v]) => [k, Buffer.from(v, 'base64')]) });
    }
  }
  const values: unknown[][] = [[1, 2], ['x', py.tuple(1, 'a'), new Map([[1, 2]]), new Set([1]), Buffer.from('b'), new Date(0)], [{ deep: [[[{ a: 1n }]]] }]];
  for (const args of values) {
    seeds.push({ kind: 'pickle', bytes: pickleSerializer.dumps(py.tuple('mylib.echo', null, py.tuple(...args), {})) });
    seeds.push({ kind: 'record', serializer: 'pickle', fields: [['data', encodePayload(pickleSerializer, 'mylib.echo', args, {})], ['origin', Buffer.from('q')], ['exc_info', compress(Buffer.from('boom'))]] });
  }
  seeds.push({ kind: 'json', bytes: jsonSerializer.dumps(['mylib.echo', null, [1, 'two', [3.5]], { k: null }]) });
  return seeds;
}
