/**
 * The Python lines interop tests start their checks with: a redis-py connection to REDIS_URL, the RQ
 * serializer class matching the test's (names every RQ version has), and small helpers that smooth over
 * API differences between RQ 1.13 and 2.x.
 */
import type { PySerializer } from './rq.js';

export function pyPrelude(serializer: PySerializer): string {
  return `
import json, os
from redis import Redis
from rq import Queue
from rq.job import Job
from rq.registry import FinishedJobRegistry, FailedJobRegistry, DeferredJobRegistry, ScheduledJobRegistry
from rq.serializers import JSONSerializer, DefaultSerializer
conn = Redis.from_url(os.environ['REDIS_URL'])
S = ${serializer === 'json' ? 'JSONSerializer' : 'DefaultSerializer'}
def fetch(i):
    return Job.fetch(i, connection=conn, serializer=S)
def status_of(job):
    return str(job.get_status(refresh=True)).split('.')[-1].lower()
def value_of(job):
    rv = getattr(job, 'return_value', None)
    return rv() if callable(rv) else job.result
`;
}
