"""Writes the record-diff table's calls through Python RQ's own API (test/interop/record-diff.test.ts).

Reads the rows from the RECORD_DIFF_ROWS environment variable (JSON: [{name, queue, steps: [code, ...]}]),
runs each step with `exec` in a namespace holding the row's queue and a few helpers, against REDIS_URL,
with the serializer named by RECORD_DIFF_SERIALIZER ('pickle' or 'json'). Prints one JSON line:
{"starts": {row: epoch seconds when the row began}, "errors": {row: traceback}}. Works on RQ 1.13 to 2.x.
"""
import json
import os
import sys
import time
import traceback
import warnings
from datetime import date, datetime, time as dtime, timedelta, timezone
from decimal import Decimal
from uuid import UUID

from redis import Redis
from rq import Queue
from rq.job import Dependency, Job, Retry
from rq.serializers import DefaultSerializer, JSONSerializer

try:  # RQ 1.14+
    from rq.job import Callback
except ImportError:
    Callback = None

try:
    from rq.version import VERSION
except ImportError:
    from rq import __version__ as VERSION

import mylib

warnings.simplefilter('ignore')  # passing a callback as a function is deprecated in 2.x; 1.13 needs it

RQ = tuple(int(part) for part in VERSION.split('.')[:2])
conn = Redis.from_url(os.environ['REDIS_URL'])
S = JSONSerializer if os.environ['RECORD_DIFF_SERIALIZER'] == 'json' else DefaultSerializer
UTC = timezone.utc


def cb(name, timeout=None):
    """A callback as this RQ version takes it: a Callback (1.14+), else the function itself (1.13)."""
    if Callback is not None:
        return Callback(name, timeout) if timeout is not None else Callback(name)
    return getattr(mylib, name.split('.')[-1])


def main():
    rows = json.loads(os.environ['RECORD_DIFF_ROWS'])
    errors, starts = {}, {}
    for row in rows:
        starts[row['name']] = time.time()
        def queue(**options):
            return Queue(row['queue'], connection=conn, serializer=S, **options)

        namespace = {
            'q': queue(), 'queue': queue, 'conn': conn, 'Job': Job, 'Queue': Queue, 'Retry': Retry,
            'Dependency': Dependency, 'Callback': Callback, 'cb': cb, 'RQ': RQ, 'S': S, 'UTC': UTC,
            'datetime': datetime, 'date': date, 'dtime': dtime, 'timedelta': timedelta, 'Decimal': Decimal,
            'UUID': UUID, 'mylib': mylib,
        }
        try:
            for code in row['steps']:
                exec(code, namespace)
        except Exception:
            errors[row['name']] = traceback.format_exc()
    print(json.dumps({'starts': starts, 'errors': errors}))


if __name__ == '__main__':
    sys.exit(main())
