/**
 * Records test/vectors/pickle_cpython_corpus.json: what CPython's `pickle.dumps(value, protocol)` writes for
 * each value of test/unit/pickle-cpython-cases.ts, protocols 0–5. Each value is rebuilt in Python from its
 * `pyRepr` (or the source in `PYTHON`). Small pickles (and sources) are kept as they are, large ones as SHA-256.
 * Also what `pickle.loads` makes of each hand-made pickle in `LOADS`: its repr, or the exception's name.
 *   npx tsx scripts/record-pickle-corpus.ts            # python3 on PATH; PYTHON=/path/to/python to choose
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { pyRepr } from '../src/py/repr.js';
import { CASES, LOADS, PYTHON } from '../test/unit/pickle-cpython-cases.js';

const program = String.raw`
import builtins, collections, copyreg, datetime, hashlib, json, pickle, sys
from decimal import Decimal
from uuid import UUID
ns = dict(builtins=builtins, collections=collections, copyreg=copyreg, datetime=datetime, Decimal=Decimal, UUID=UUID,
          nan=float('nan'), inf=float('inf'))
request = json.load(sys.stdin)
LOADS = request['loads']
cases = {}
for name, source in request['cases'].items():
    value = eval(source, ns)
    pickles = []
    for protocol in range(6):
        data = pickle.dumps(value, protocol)
        pickles.append({'hex': data.hex()} if len(data) <= 2048 else {'length': len(data), 'sha256': hashlib.sha256(data).hexdigest()})
    cases[name] = {'python': source} if len(source) <= 300 else {'python_sha256': hashlib.sha256(source.encode()).hexdigest()}
    cases[name]['pickles'] = pickles
loads = {}
for name, text in LOADS.items():
    try:
        loads[name] = {'pickle': text, 'repr': repr(pickle.loads(text.encode('latin-1')))}
    except Exception as error:
        loads[name] = {'pickle': text, 'error': type(error).__name__}
json.dump({'cpython': sys.version.split()[0], 'cases': cases, 'loads': loads}, sys.stdout, indent=1)
`;

const sources = Object.fromEntries(Object.entries(CASES).map(([name, value]) => [name, PYTHON[name] ?? pyRepr(value)]));
// A fixed hash seed, so nothing in the recording depends on the process (no case should: see the cases).
const env = { ...process.env, PYTHONHASHSEED: '0' };
const out = execFileSync(process.env.PYTHON ?? 'python3', ['-c', program], { input: JSON.stringify({ cases: sources, loads: LOADS }), maxBuffer: 64 << 20, env });
writeFileSync(new URL('../test/vectors/pickle_cpython_corpus.json', import.meta.url), `${out.toString('utf8').trimEnd()}\n`);
console.log(`${Object.keys(sources).length} cases recorded`);
