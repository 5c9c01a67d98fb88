"""Records RQ golden vectors: real Redis state written by one Python RQ install, before and after real
`rq worker --burst` runs. Run it through scripts/record-vectors.sh, which starts a private redis-server and
calls this once per RQ version the bootstrap installed; see test/vectors/README.md for the file format.

    python record-vectors.py --port PORT --rq /path/to/bin/rq --out DIR [--only CASE ...]

It must run under the Python that has the RQ being recorded (the venv's python). mylib.py (test/python) has
to be importable: the wrapper puts it on PYTHONPATH for this process and for the workers.
"""
import argparse
import base64
import datetime as dt
import inspect
import io
import json
import os
import pickle
import pickletools
import platform
import socket
import subprocess
import sys
import threading
import time
import zlib
from importlib import metadata

import redis
import rq
from rq import Queue
from rq.job import Job

import mylib

try:  # RQ 1.14+
    from rq import Callback
except ImportError:  # 1.13 takes only function objects (and stores the same dotted path)
    Callback = None
try:
    from rq import Retry
except ImportError:
    from rq.retry import Retry

CASES = []


def case(name, serializers=('pickle', 'json'), queues=('default',), worker_runs=((0, False),)):
    """Registers a scenario. worker_runs: (seconds to sleep first, --with-scheduler) per burst worker run."""
    def register(fn):
        CASES.append({'name': name, 'fn': fn, 'serializers': serializers, 'queues': queues, 'worker_runs': worker_runs})
        return fn
    return register


def cb(path, fn):
    return Callback(path) if Callback is not None else fn


# ---------------------------------------------------------------- the scenarios

@case('plain')
def c_plain(q):
    j = q.enqueue('mylib.add', 1, 2)
    return [j]


@case('kwargs')
def c_kwargs(q):
    j = q.enqueue('mylib.echo', 1, 'two', x=3, y=[1, 2], z={'a': None})
    return [j]


@case('at_front')
def c_at_front(q):
    a = q.enqueue('mylib.add', 1, 1, job_id='job-a')
    b = q.enqueue('mylib.add', 2, 2, job_id='job-b')
    c = q.enqueue('mylib.add', 3, 3, job_id='job-c-front', at_front=True)
    return [a, b, c]


@case('job_id')
def c_job_id(q):
    j = q.enqueue('mylib.add', 1, 2, job_id='my-custom-id-1')
    return [j]


@case('description')
def c_description(q):
    j = q.enqueue('mylib.add', 1, 2, description='custom description \u00e9\u4e2d')
    return [j]


@case('timeouts_ttls')
def c_ttls(q):
    j = q.enqueue('mylib.add', 1, 2, job_timeout=180, result_ttl=600, ttl=3600, failure_ttl=86400)
    return [j]


@case('timeouts_ttls_fail')
def c_ttls_fail(q):
    j = q.enqueue('mylib.fail', job_timeout='3m', result_ttl=600, ttl=3600, failure_ttl=86400)
    return [j]


@case('result_ttl_zero_and_forever')
def c_rttl(q):
    a = q.enqueue('mylib.add', 1, 2, job_id='rttl-0', result_ttl=0)
    b = q.enqueue('mylib.add', 1, 2, job_id='rttl-forever', result_ttl=-1)
    return [a, b]


@case('meta')
def c_meta(q):
    j = q.enqueue('mylib.add', 1, 2, meta={'owner': 'alice', 'n': 42, 'tags': ['a', 'b']})
    return [j]


@case('depends_on_single')
def c_dep1(q):
    p = q.enqueue('mylib.add', 1, 2, job_id='parent-1')
    c = q.enqueue('mylib.add', 3, 4, job_id='child-1', depends_on=p)
    return [p, c]


@case('depends_on_list')
def c_depn(q):
    p1 = q.enqueue('mylib.add', 1, 2, job_id='parent-a')
    p2 = q.enqueue('mylib.add', 5, 6, job_id='parent-b')
    c = q.enqueue('mylib.add', 3, 4, job_id='child-ab', depends_on=[p1, 'parent-b'])
    return [p1, p2, c]


@case('depends_on_failed_parent')
def c_depfail(q):
    p = q.enqueue('mylib.fail', job_id='parent-fail')
    c = q.enqueue('mylib.add', 3, 4, job_id='child-of-fail', depends_on=p)
    return [p, c]


@case('retry', worker_runs=((0, True), (1.3, True), (2.3, True), (2.3, True)))
def c_retry(q):
    j = q.enqueue('mylib.fail', job_id='retry-1', retry=Retry(max=3, interval=[1, 2]))
    return [j]


@case('retry_no_interval')
def c_retry0(q):
    j = q.enqueue('mylib.fail', job_id='retry-0', retry=Retry(max=2))
    return [j]


@case('callbacks')
def c_callbacks(q):
    a = q.enqueue('mylib.add', 1, 2, job_id='cb-ok', on_success=cb('mylib.on_success', mylib.on_success))
    b = q.enqueue('mylib.fail', job_id='cb-fail', on_failure=cb('mylib.on_failure', mylib.on_failure))
    return [a, b]


@case('enqueue_in', worker_runs=((2.5, True),))
def c_enqueue_in(q):
    j = q.enqueue_in(dt.timedelta(seconds=2), 'mylib.add', 1, 2)
    return [j]


@case('enqueue_at', worker_runs=((2.5, True),))
def c_enqueue_at(q):
    when = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=2)
    j = q.enqueue_at(when, 'mylib.add', 1, 2)
    return [j]


@case('enqueue_many')
def c_many(q):
    jobs = q.enqueue_many([
        Queue.prepare_data('mylib.add', (1, 2), job_id='many-1'),
        Queue.prepare_data('mylib.add', (3, 4), job_id='many-2', result_ttl=100),
        Queue.prepare_data('mylib.echo', (5,), {'k': 'v'}, job_id='many-3', description='third'),
    ])
    return jobs


@case('fail')
def c_fail(q):
    j = q.enqueue('mylib.fail', job_id='fail-1')
    return [j]


@case('named_queue', queues=('high',))
def c_named(q):
    hq = Queue('high', connection=q.connection, serializer=q.serializer)
    j = hq.enqueue('mylib.add', 10, 20)
    return [j]


@case('types_pickle', serializers=('pickle',))
def c_types(q):
    j = q.enqueue('mylib.echo', 0, 1, -1, 255, 256, 65535, 65536, 2**31 - 1, -2**31, 2**31, 2**63, -2**63 - 1, 2**100,
                  1.5, -0.0, 1e300, float('inf'), 'abc', '', 'h\u00e9llo \u4e2d\u6587 \U0001F600', 'x' * 300, None, True, False,
                  [1, [2, 3]], (1, 'a'), (), (1,), (1, 2, 3, 4), {'a': 1, 2: 'b'}, {}, b'\x00\xffbytes', b'', bytearray(b'ba'),
                  kw_str='s', kw_list=[1, 2.5, None])
    return [j]


@case('types_json', serializers=('json',))
def c_types_json(q):
    j = q.enqueue('mylib.echo', 0, 1, -1, 2**31, 2**63, 2**100, 1.5, -0.0, 1e300, 'abc', '', 'h\u00e9llo \u4e2d\u6587 \U0001F600',
                  None, True, False, [1, [2, 3]], (1, 'a'), {'a': 1, '2': 'b'}, kw_str='s', kw_list=[1, 2.5, None])
    return [j]


# ---------------------------------------------------------------- encoding values

def value(b):
    """Bytes as {"utf8"} when they decode, else {"hex"}; always with the byte length."""
    try:
        return {'utf8': b.decode('utf-8'), 'len': len(b)}
    except UnicodeDecodeError:
        return {'hex': b.hex(), 'len': len(b)}


def arg(b):
    """A MONITOR argument: a string, or {"hex"} when it is not UTF-8."""
    try:
        return b.decode('utf-8')
    except UnicodeDecodeError:
        return {'hex': b.hex()}


def decode_serialized(raw, serializer, into):
    if serializer == 'pickle':
        into['format'] = 'pickle'
        if raw[:1] == b'\x80':
            into['pickle_protocol'] = raw[1]
        listing = io.StringIO()
        try:
            pickletools.dis(raw, out=listing)
        except Exception as e:  # keep what was listed; the repr below says whether it loads
            listing.write('error: %r\n' % e)
        into['pickletools_dis'] = listing.getvalue()
        try:
            into['python_repr'] = repr(pickle.loads(raw))
        except Exception as e:
            into['python_repr_error'] = repr(e)
    else:
        into['format'] = 'json'
        try:
            into['json'] = json.loads(raw.decode('utf-8'))
        except Exception as e:
            into['json_error'] = repr(e)
    return into


def decoded_field(key, field, raw, serializer):
    """The `decoded` member a few fields get (see the README); None for the rest."""
    if key.startswith('rq:job:'):
        if field in ('data', 'exc_info') and raw:
            try:
                inflated = zlib.decompress(raw)
            except zlib.error:
                return None
            d = {'zlib_decompressed': value(inflated)}
            return decode_serialized(inflated, serializer, d) if field == 'data' else d
        if field in ('meta', 'result') and raw:
            return decode_serialized(raw, serializer, {})
    if key.startswith('rq:results:'):
        if field == 'return_value':
            raw64 = base64.b64decode(raw)
            return decode_serialized(raw64, serializer, {'base64_decoded': value(raw64)})
        if field == 'exc_string' and raw:
            return {'text': zlib.decompress(base64.b64decode(raw)).decode('utf-8', 'replace')}
    return None


def field_value(key, field, raw, serializer):
    v = value(raw)
    d = decoded_field(key, field, raw, serializer)
    if d is not None:
        v['decoded'] = d
    return v


def dump_keys(r, serializer):
    out = {}
    for key_b in sorted(r.scan_iter(count=1000)):
        key = key_b.decode('utf-8')
        kind = r.type(key_b).decode()
        dump = {'type': kind, 'ttl': r.ttl(key_b), 'pttl': r.pttl(key_b)}
        if kind == 'hash':
            fields = r.hgetall(key_b)
            dump['fields'] = {f.decode('utf-8'): field_value(key, f.decode('utf-8'), v, serializer) for f, v in sorted(fields.items())}
        elif kind == 'list':
            dump['items'] = [value(v) for v in r.lrange(key_b, 0, -1)]
        elif kind == 'set':
            dump['members'] = [value(v) for v in sorted(r.smembers(key_b))]
        elif kind == 'zset':
            raw = r.execute_command('ZRANGE', key_b, 0, -1, 'WITHSCORES')
            dump['members'] = [{'member': value(raw[i]), 'score_raw': raw[i + 1].decode(), 'score': float(raw[i + 1])}
                               for i in range(0, len(raw), 2)]
        elif kind == 'string':
            dump['value'] = value(r.get(key_b))
        elif kind == 'stream':
            dump['entries'] = [{'id': eid.decode(), 'fields': {f.decode('utf-8'): field_value(key, f.decode('utf-8'), v, serializer)
                                                              for f, v in fields.items()}}
                               for eid, fields in r.xrange(key_b, '-', '+')]
        out[key] = dump
    return out


# ---------------------------------------------------------------- what Python RQ reports

def job_report(r, job_id, rq_serializer):
    try:
        job = Job.fetch(job_id, connection=r, serializer=rq_serializer)
    except Exception as e:
        return {'id': job_id, 'fetch_error': repr(e)}
    report = {'id': job_id, 'status': str(job.get_status())}
    for name in ('func_name', 'args', 'kwargs', 'origin', 'description', 'timeout', 'result_ttl', 'ttl', 'failure_ttl',
                 'meta', 'retries_left', 'retry_intervals', 'dependency_ids', 'enqueued_at', 'created_at', 'started_at',
                 'ended_at'):
        report[name] = repr(getattr(job, name, None))
    report['return_value'] = repr(job.return_value())
    # The traceback's tail only: its head names paths of the recording machine.
    report['results'] = [repr((res.type, res.return_value, (res.exc_string or '')[-120:])) for res in job.results()]
    return report


# ---------------------------------------------------------------- MONITOR

def unquote(token):
    """One argument of a MONITOR line ("..." with C-style escapes) as bytes."""
    out = bytearray()
    i = 1
    while i < len(token) - 1:
        c = token[i]
        if c == '\\':
            n = token[i + 1]
            if n == 'x':
                out.append(int(token[i + 2:i + 4], 16))
                i += 4
                continue
            out += {'n': b'\n', 'r': b'\r', 't': b'\t', 'a': b'\a', 'b': b'\b'}.get(n, n.encode('latin-1'))
            i += 2
            continue
        out += c.encode('latin-1')
        i += 1
    return bytes(out)


def split_args(rest):
    """Splits `"a" "b\\" c"` into tokens (MONITOR quotes every argument)."""
    args, i = [], 0
    while i < len(rest):
        if rest[i] == '"':
            j = i + 1
            while rest[j] != '"':
                j += 2 if rest[j] == '\\' else 1
            args.append(unquote(rest[i:j + 1]))
            i = j + 1
        else:
            i += 1
    return args


class Monitor:
    """A raw MONITOR connection; `until(marker)` returns the commands seen before `ECHO marker`."""

    def __init__(self, port, ignore_client):
        self.sock = socket.create_connection(('127.0.0.1', port))
        self.sock.sendall(b'MONITOR\r\n')
        self.file = self.sock.makefile('rb')
        assert self.file.readline().strip() == b'+OK'
        self.ignore = ignore_client

    def until(self, marker):
        entries = []
        while True:
            line = self.file.readline().decode('latin-1').rstrip('\r\n')
            if not line.startswith('+'):
                continue
            ts, _, rest = line[1:].partition(' ')
            client = rest[rest.index(' ') + 1:rest.index(']')]
            args = split_args(rest[rest.index(']') + 2:])
            if client == self.ignore:
                if args == [b'ECHO', marker.encode()]:
                    return entries
                continue
            entries.append({'t': float(ts), 'client': client, 'cmd': [arg(a) for a in args]})

    def close(self):
        self.sock.close()


# ---------------------------------------------------------------- recording

def serializer_for(name):
    if name == 'json':
        from rq.serializers import JSONSerializer
        return JSONSerializer
    return None


def raw_client(port):
    """A client that returns ZRANGE WITHSCORES as Redis sent it (scores as strings, RESP2)."""
    try:
        r = redis.Redis(port=port, protocol=2)
    except TypeError:  # redis-py 4 speaks RESP2 only
        r = redis.Redis(port=port)
    r.set_response_callback('ZRANGE', lambda response, **options: response)
    return r


def record_case(spec, serializer, args):
    url = 'redis://127.0.0.1:%d' % args.port
    control = raw_client(args.port)
    control.flushall()
    control_addr = control.client_info()['addr']
    monitor = Monitor(args.port, control_addr)
    phases_done = [0]

    def phase(name, extra):
        phases_done[0] += 1
        marker = 'rqts-vectors:%d' % phases_done[0]
        control.echo(marker)
        entry = {'phase': name}
        entry.update(extra)
        entry['monitor'] = monitor.until(marker)
        entry['keys'] = dump_keys(control, serializer)
        entry['jobs'] = [job_report(control, job_id, rq_serializer) for job_id in job_ids]
        return entry

    rq_serializer = serializer_for(serializer)
    case_conn = redis.Redis(port=args.port)
    q = Queue(spec['queues'][0], connection=case_conn, serializer=rq_serializer)
    jobs = spec['fn'](q)
    job_ids = [j.id for j in jobs]
    phases = [phase('after_enqueue', {})]

    env = dict(os.environ)
    for n, (sleep_s, scheduler) in enumerate(spec['worker_runs'], 1):
        if sleep_s:
            time.sleep(sleep_s)
        cmd = ['worker', '-u', url, '--burst']
        if scheduler:
            cmd.append('--with-scheduler')
        if serializer == 'json':
            cmd += ['--serializer', 'rq.serializers.JSONSerializer']
        cmd += list(spec['queues'])
        run = subprocess.run([args.rq] + cmd, env=env, capture_output=True, text=True, timeout=120)
        phases.append(phase('after_worker_run_%d' % n, {
            'sleep_before_s': sleep_s,
            'worker_cmd': ' '.join(['rq'] + cmd),
            'worker_rc': run.returncode,
            'worker_log': (run.stdout + run.stderr).splitlines(),
        }))
    monitor.close()
    case_conn.close()
    control.close()

    name = spec['name'] if len(spec['serializers']) == 1 else '%s__%s' % (spec['name'], serializer)
    return name, {
        'rq_version': metadata.version('rq'),
        'redis_py_version': metadata.version('redis'),
        'redis_server': redis.Redis(port=args.port).info('server')['redis_version'],
        'python': platform.python_version(),
        'case': name,
        'serializer': serializer,
        'serializer_path': 'rq.serializers.JSONSerializer' if serializer == 'json'
        else 'rq.serializers.DefaultSerializer (pickle, protocol %d)' % pickle.HIGHEST_PROTOCOL,
        'code': inspect.getsource(spec['fn']),
        'queue_serializer_arg': 'JSONSerializer' if serializer == 'json' else None,
        'generated_at': dt.datetime.now(dt.timezone.utc).isoformat(),
        'job_ids': job_ids,
        'phases': phases,
    }


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--port', type=int, required=True)
    p.add_argument('--rq', required=True, help='the rq command of the same install')
    p.add_argument('--out', required=True)
    p.add_argument('--only', nargs='*', help='case names to record (default: all)')
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for spec in CASES:
        if args.only and spec['name'] not in args.only:
            continue
        for serializer in spec['serializers']:
            name, vector = record_case(spec, serializer, args)
            with open(os.path.join(args.out, name + '.json'), 'w') as f:
                json.dump(vector, f, indent=1, ensure_ascii=False)
                f.write('\n')
            print('  %s.json' % name, flush=True)


if __name__ == '__main__':
    sys.exit(main())
