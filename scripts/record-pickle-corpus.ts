/**
 * Records test/vectors/pickle_cpython_corpus.json: what CPython's `pickle.dumps(value, protocol)` writes for
 * each value of test/unit/pickle-cpython-cases.ts, protocols 0–5. Each value is rebuilt in Python from its
 * `pyRepr` (or the source in `PYTHON`). Small pickles (and sources) are kept as they are, large ones as SHA-256
 * (those of `OBJECTS` always whole: the test reads them).
 * Also what `pickle.loads` makes of each hand-made pickle in `LOADS`: its repr (a datetime's as rqts reads it:
 * the UTC instant, to the millisecond), or the exception's name; and the pickles of the objects in `OBJECTS`
 * (sources using the classes defined below, kept inert by rqts).
 *   npx tsx scripts/record-pickle-corpus.ts            # python3 on PATH; PYTHON=/path/to/python to choose
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { pyRepr } from '../src/py/repr.js';
import { CASES, LOADS, OBJECTS, PYTHON } from '../test/unit/pickle-cpython-cases.js';

const program = String.raw`
import argparse, builtins, collections, copyreg, datetime, hashlib, json, pickle, sys
from decimal import Decimal
from uuid import UUID

# Classes of this script (module __main__) for OBJECTS: a list and a dict subclass (items after NEWOBJ), and a
# class whose __getnewargs_ex__ makes protocol 4+ write NEWOBJ_EX.
class L(list):
    pass

class D(dict):
    pass

class Kw:
    def __new__(cls, *args, **kwargs):
        return super().__new__(cls)
    def __init__(self, *args, **kwargs):
        self.args = list(args)
        self.kwargs = kwargs
    def __getnewargs_ex__(self):
        # Copies: the state's own tuple and dict would be memo GETs here, and rqts reads a call's arguments
        # into a new tuple (decode-objects.ts), so that sharing would not survive the round trip.
        return tuple(self.args), dict(self.kwargs)

def attrs(obj, **values):
    obj.__dict__.update(values)
    return obj

ns = dict(argparse=argparse, builtins=builtins, collections=collections, copyreg=copyreg, datetime=datetime, Decimal=Decimal,
          UUID=UUID, nan=float('nan'), inf=float('inf'), L=L, D=D, Kw=Kw, attrs=attrs)
request = json.load(sys.stdin)
LOADS = request['loads']

def record(sources, keep_all=False):
    out = {}
    for name, source in sources.items():
        value = eval(source, ns)
        pickles = []
        for protocol in range(6):
            data = pickle.dumps(value, protocol)
            pickles.append({'hex': data.hex()} if keep_all or len(data) <= 2048 else {'length': len(data), 'sha256': hashlib.sha256(data).hexdigest()})
        out[name] = {'python': source} if len(source) <= 300 else {'python_sha256': hashlib.sha256(source.encode()).hexdigest()}
        out[name]['pickles'] = pickles
    return out

cases = record(request['cases'])
objects = record(request['objects'], True)  # read back by the test, so kept whole

def shown(value):
    # rqts reads a datetime as a JS Date: its UTC instant (a naive one taken as UTC), to the millisecond.
    if isinstance(value, datetime.datetime):
        utc = value.replace(tzinfo=datetime.timezone.utc) if value.tzinfo is None else value.astimezone(datetime.timezone.utc)
        value = utc.replace(microsecond=utc.microsecond // 1000 * 1000, fold=0)
    return repr(value)

loads = {}
for name, text in LOADS.items():
    try:
        loads[name] = {'pickle': text, 'repr': shown(pickle.loads(text.encode('latin-1')))}
    except Exception as error:
        loads[name] = {'pickle': text, 'error': type(error).__name__}
json.dump({'cpython': sys.version.split()[0], 'cases': cases, 'objects': objects, 'loads': loads}, sys.stdout, indent=1)
`;

const sources = Object.fromEntries(Object.entries(CASES).map(([name, value]) => [name, PYTHON[name] ?? pyRepr(value)]));
// A fixed hash seed, so nothing in the recording depends on the process (no case should: see the cases).
const env = { ...process.env, PYTHONHASHSEED: '0' };
const out = execFileSync(process.env.PYTHON ?? 'python3', ['-c', program], { input: JSON.stringify({ cases: sources, objects: OBJECTS, loads: LOADS }), maxBuffer: 64 << 20, env });
writeFileSync(new URL('../test/vectors/pickle_cpython_corpus.json', import.meta.url), `${out.toString('utf8').trimEnd()}\n`);
console.log(`${Object.keys(sources).length} cases and ${Object.keys(OBJECTS).length} objects recorded`);
