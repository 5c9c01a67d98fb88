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


# Dataflow (rqts_dataflow): a chain of jobs each returning a reference to the next, and helpers for the
# "parent gone before the child ran" cases.
def chain(n, value):
    """Returns `value` after `n` hops: each hop enqueues the next and returns a reference to it."""
    from rq import Queue, get_current_job
    from rqts_dataflow import result_of

    if n == 0:
        return value
    job = get_current_job()
    queue = Queue(job.origin, connection=job.connection, serializer=job.serializer)
    return result_of(queue.enqueue(chain, n - 1, value))


def delete_job(job_id):
    from rq import get_current_job
    from rq.job import Job

    connection = get_current_job().connection
    Job.fetch(job_id, connection=connection).delete()
    return job_id


def wait_gone(job_id, timeout=20):
    """Waits (with a deadline) until the job's key has expired."""
    from rq import get_current_job

    connection = get_current_job().connection
    deadline = time.time() + timeout
    while connection.exists('rq:job:%s' % job_id):
        if time.time() > deadline:
            raise RuntimeError('job %s did not expire within %s s' % (job_id, timeout))
        time.sleep(0.05)
    return job_id


def square(x):
    return x * x


def total(values, *extra):
    return sum(values) + sum(extra)
