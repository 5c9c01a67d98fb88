"""Job functions the interop tests enqueue (as RQ's own tests/fixtures.py does).

Imported by real `rq worker` processes of every RQ version the rig installs (Debian's 1.13, 1.16.2, 2.12),
all on Python 3.11, so keep it to the standard library plus what RQ itself provides.
"""
import time


def add(x, y):
    return x + y


def echo(*args, **kwargs):
    return [list(args), kwargs]


def echo_types(*args, **kwargs):
    return {'args': list(args), 'kwargs': kwargs, 'types': [type(a).__name__ for a in args]}


def fail(*args, **kwargs):
    raise ValueError('intentional failure from mylib.fail')


def slow(n):
    time.sleep(n)
    return n


def block(key, timeout=60):
    """Runs until something is pushed onto the Redis list `key` (or `timeout` seconds pass); returns it."""
    from rq import get_current_job

    popped = get_current_job().connection.blpop([key], timeout)
    return popped[1].decode() if popped else None


def count(key):
    """Counts its runs in the Redis key `mylib:count:<key>` (a repeated job runs several times)."""
    from rq import get_current_job

    return get_current_job().connection.incr('mylib:count:%s' % key)


def noop():
    return None


def returns_none():
    return None


def flaky(key):
    """Fails the first time it runs for `key`, then returns 'ok' (a Redis counter remembers)."""
    from rq import get_current_job

    connection = get_current_job().connection
    if connection.incr('mylib:flaky:%s' % key) == 1:
        raise RuntimeError('flaky %s: first attempt fails' % key)
    return 'ok'


class Calc:
    @staticmethod
    def mul(x, y):
        return x * y


# Callbacks: each leaves a key behind that a test can read.
def on_success(job, connection, result, *args, **kwargs):
    connection.set('mylib:on_success:%s' % job.id, repr(result))


def on_failure(job, connection, type, value, traceback):
    connection.set('mylib:on_failure:%s' % job.id, repr(value))


def on_stopped(job, connection):
    connection.set('mylib:on_stopped:%s' % job.id, '1')
