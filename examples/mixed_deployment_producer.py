"""The Python half of examples/mixed-deployment.ts: a Python service enqueues a job, TypeScript reads it.

    REDIS_URL=redis://127.0.0.1:6379/0 .venv/rq-2.12/bin/python examples/mixed_deployment_producer.py

Plain Python RQ (any version rqts supports); nothing here knows about rqts. Prints the job id.
"""
import os
from datetime import datetime, timezone

from redis import Redis
from rq import Queue

redis = Redis.from_url(os.environ.get('REDIS_URL', 'redis://127.0.0.1:6379/0'))
queue = Queue('default', connection=redis)

# RQ pulls its own options (job_id, meta, ...) out of the keyword arguments; the rest go to the function.
job = queue.enqueue(
    'mylib.echo',
    'invoice',
    42,
    currency='EUR',
    lines=(1, 2),
    job_id='py-invoice-42',
    meta={'source': 'billing.py', 'at': datetime(2026, 1, 31, 12, 0, tzinfo=timezone.utc)},
)
print(job.id)
