"""Python RQ's side of `npm run bench`.

Times RQ's own producer paths in this process with time.perf_counter() and prints one JSON line. The
parameters arrive as JSON in BENCH_ARGS, the Redis URL in REDIS_URL; `mylib` is on PYTHONPATH.

modes:
  sequential  {queue, jobs}          one `queue.enqueue('mylib.add', i, 2)` after another
  bulk        {queue, jobs, batch}   `queue.enqueue_many([Queue.prepare_data(...)] * batch)` per batch
  latency     {queue, jobs, sleep}   enqueue `mylib.slow(sleep)`, block in `job.latest_result(timeout=...)`
                                     (RQ 2.x's way to wait for a result: XREAD BLOCK on the results stream)
"""
import json
import os
import time
from datetime import timezone

from redis import Redis
from rq import Queue

WARM_UP = 200


def sequential(connection, queue_name, jobs):
    queue = Queue(queue_name, connection=connection)
    for i in range(WARM_UP):
        queue.enqueue('mylib.add', i, 2)
    connection.flushall()
    start = time.perf_counter()
    for i in range(jobs):
        queue.enqueue('mylib.add', i, 2)
    return {'seconds': time.perf_counter() - start}


def bulk(connection, queue_name, jobs, batch):
    queue = Queue(queue_name, connection=connection)
    queue.enqueue_many([Queue.prepare_data('mylib.add', (i, 2)) for i in range(WARM_UP)])
    connection.flushall()
    start = time.perf_counter()
    for first in range(0, jobs, batch):
        count = min(batch, jobs - first)
        queue.enqueue_many([Queue.prepare_data('mylib.add', (first + i, 2)) for i in range(count)])
    return {'seconds': time.perf_counter() - start}


def latency(connection, queue_name, jobs, sleep):
    queue = Queue(queue_name, connection=connection)
    samples = []
    for n in range(jobs + 5):
        t0 = time.perf_counter()
        job = queue.enqueue('mylib.slow', sleep)
        result = job.latest_result(timeout=30)
        resolved_at = time.time() * 1000
        total = (time.perf_counter() - t0) * 1000
        if result is None:
            raise RuntimeError('no result within 30 s: is the worker running?')
        if n < 5:
            continue  # warm-up
        job.refresh()
        samples.append({
            'jobId': job.id,
            'total': total,
            'resolvedAt': resolved_at,
            'resultId': result.id,
            'startedAt': epoch_ms(job.started_at),
            'endedAt': epoch_ms(job.ended_at),
        })
    return {'samples': samples}


def epoch_ms(moment):
    # RQ stores UTC; some versions hand back naive datetimes.
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp() * 1000


def main():
    args = json.loads(os.environ['BENCH_ARGS'])
    connection = Redis.from_url(os.environ['REDIS_URL'])
    mode = args['mode']
    if mode == 'sequential':
        out = sequential(connection, args['queue'], args['jobs'])
    elif mode == 'bulk':
        out = bulk(connection, args['queue'], args['jobs'], args['batch'])
    elif mode == 'latency':
        out = latency(connection, args['queue'], args['jobs'], args['sleep'])
    else:
        raise SystemExit('unknown mode %r' % mode)
    print(json.dumps(out))


if __name__ == '__main__':
    main()
