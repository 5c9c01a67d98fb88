"""rqts dataflow helper: lets stock RQ workers (1.13 to 2.x) run jobs whose arguments are other jobs' results.

rqts (the TypeScript SDK for RQ) writes a job that takes another job's return value as an argument, e.g.
``queue.enqueue('mylib.add', resultOf(a), resultOf(b))``, as a call to :func:`call` here::

    rqts_dataflow.call('mylib.add', {'__rqts_result_of__': '<id of a>'}, {'__rqts_result_of__': '<id of b>'})

The job also depends on ``a`` and ``b`` (RQ's own ``depends_on``), so a worker only runs it once they have
finished. :func:`call` then reads each referenced job's return value through the worker's own connection and
serializer, puts it where its marker was (anywhere in args, kwargs, or lists/tuples/dicts nested in them),
imports the target with RQ's own ``import_attribute`` (exactly as RQ imports any job function) and calls it.
Payloads carry only data: job ids and the dotted path of the target, never code or credentials.

Reference markers (plain dicts, so both the pickle and the JSON serializer carry them; a dict whose only key is
one of these names is always read as a marker)::

    {'__rqts_result_of__': '<job id>'}                       # that job's return value
    {'__rqts_results_of__': ['<job id>', ...]}               # a list of those jobs' return values, in order
    {'__rqts_chained_results_of__': ['<job id>', ...]}       # the concatenation of those jobs' list results

A task may also *return* ``result_of(job)``: rqts's ``job.wait()`` then follows it to that job's value.

Install: ``pip install node_modules/rqts/python`` (or put this one file on the workers' ``PYTHONPATH``).
Needs only the standard library and RQ itself.
"""

import asyncio

__all__ = ['call', 'map_chunk', 'gather', 'result_of', 'is_reference', 'ParentJobError']

#: Marker keys (see the module docstring).
RESULT_OF = '__rqts_result_of__'
RESULTS_OF = '__rqts_results_of__'
CHAINED_RESULTS_OF = '__rqts_chained_results_of__'
_MARKERS = (RESULT_OF, RESULTS_OF, CHAINED_RESULTS_OF)


class ParentJobError(Exception):
    """A referenced job has no return value to pass on: it failed, was deleted, or its result expired."""


def result_of(job):
    """A marker for ``job``'s return value (a Job or a job id); return it from a task to chain a wait."""
    job_id = job if isinstance(job, str) else job.id
    return {RESULT_OF: job_id}


def is_reference(value):
    """True for a marker dict (``{'__rqts_result_of__': id}`` and the list forms)."""
    if type(value) is not dict or len(value) != 1:
        return False
    key = next(iter(value))
    if key == RESULT_OF:
        return isinstance(value[key], str)
    if key in (RESULTS_OF, CHAINED_RESULTS_OF):
        return isinstance(value[key], (list, tuple)) and all(isinstance(i, str) for i in value[key])
    return False


def call(target, /, *args, **kwargs):
    """The entry point rqts names in a job record: resolve the markers in args/kwargs, then call ``target``."""
    job = _current_job()
    wanted = []
    _collect(args, wanted)
    _collect(kwargs, wanted)
    values = _fetch_values(job, wanted)
    func = _import(target)
    return _await(func(*_substitute(args, values), **_substitute(kwargs, values)))


def map_chunk(target, items):
    """One job of a chunked ``queue.map``: ``[target(item) for item in items]``, in order."""
    func = _import(target)
    return [_await(func(item)) for item in items]


def gather(values):
    """An intermediate step of a large ``group.reduce``: the list of results it was given, passed on as is."""
    return list(values)


# ---- internals ------------------------------------------------------------------------------------------


def _current_job():
    from rq import get_current_job

    job = get_current_job()
    if job is None:
        raise RuntimeError('rqts_dataflow.call runs inside an RQ job (it reads the worker\'s connection from it)')
    return job


def _import(target):
    from rq.utils import import_attribute

    if not isinstance(target, str):
        raise TypeError('rqts_dataflow: the target must be a dotted path, got %r' % (target,))
    return import_attribute(target)


def _await(value):
    # RQ runs a coroutine a job function returns; do the same for the calls made here.
    if asyncio.iscoroutine(value):
        loop = asyncio.new_event_loop()
        try:
            return loop.run_until_complete(value)
        finally:
            loop.close()
    return value


def _marker_ids(value):
    key = next(iter(value))
    return [value[key]] if key == RESULT_OF else list(value[key])


def _collect(value, out):
    if is_reference(value):
        out.extend(_marker_ids(value))
    elif isinstance(value, (list, tuple)):
        for item in value:
            _collect(item, out)
    elif isinstance(value, dict):
        for item in value.values():
            _collect(item, out)


def _substitute(value, values):
    if is_reference(value):
        key = next(iter(value))
        if key == RESULT_OF:
            return values[value[key]]
        if key == RESULTS_OF:
            return [values[i] for i in value[key]]
        chained = []
        for i in value[key]:
            part = values[i]
            if not isinstance(part, (list, tuple)):
                raise ParentJobError('job %s returned %s, not a list of results to chain' % (i, type(part).__name__))
            chained.extend(part)
        return chained
    if isinstance(value, tuple):
        return tuple(_substitute(item, values) for item in value)
    if isinstance(value, list):
        return [_substitute(item, values) for item in value]
    if isinstance(value, dict):
        return {k: _substitute(v, values) for k, v in value.items()}
    return value


def _fetch_values(job, ids):
    from rq.exceptions import NoSuchJobError
    from rq.job import Job

    values = {}
    for parent_id in ids:
        if parent_id in values:
            continue
        try:
            parent = Job.fetch(parent_id, connection=job.connection, serializer=job.serializer)
        except NoSuchJobError:
            raise ParentJobError(
                'the result of job %s is not available: that job no longer exists (deleted, or its result expired)'
                % parent_id
            ) from None
        values[parent_id] = _return_value(parent)
    return values


def _return_value(parent):
    status = parent.get_status()
    status = getattr(status, 'value', status)
    if status != 'finished':
        raise ParentJobError('the result of job %s is not available: that job is %s, not finished' % (parent.id, status))
    # The results stream (RQ 1.12+ on Redis 5+) first, then the legacy `result` field of the job hash.
    latest = parent.latest_result() if hasattr(parent, 'latest_result') else None
    if latest is not None:
        if getattr(latest.type, 'value', latest.type) == 1:
            return latest.return_value
        raise ParentJobError('the result of job %s is not available: its latest result is not a success' % parent.id)
    if not parent.connection.hexists(parent.key, 'result'):
        raise ParentJobError('the result of job %s is not available: it has no stored result (expired?)' % parent.id)
    return parent.result
