/**
 * Proves the interop rig itself, before any rqts code is involved: for every installed RQ × {pickle, json}, a
 * Python producer enqueues `mylib.add(1, 2)`, the real `rq worker --burst` runs it, and Python reads back
 * "finished" and 3. Also fails loudly when the bootstrap installed fewer RQ versions than it should.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  REPO_ROOT,
  hasTraceback,
  rqVersion,
  rqVersions,
  runPythonJson,
  runWorker,
  startRedis,
  uniqueName,
  type RedisServer,
} from '../helpers/index.js';

let redis: RedisServer;

beforeAll(async () => {
  redis = await startRedis();
});

afterAll(async () => {
  await redis?.stop();
});

describe('bootstrap manifest', () => {
  it('lists RQ 2.12.x, 1.16.2 and, where apt has it, Debian 1.13.0', () => {
    const versions = rqVersions().map((rq) => rq.version);
    expect(versions.some((v) => /^2\.12\.\d+$/.test(v)), versions.join(', ')).toBe(true);
    expect(versions).toContain('1.16.2');
    // bootstrap leaves this marker only when apt has no python3-rq at all; a failed install must show here.
    if (!existsSync(`${REPO_ROOT}/.venv/.no-python3-rq`)) expect(versions).toContain('1.13.0');
  });

  it('points at real interpreters and rq commands', () => {
    for (const rq of rqVersions()) {
      expect(existsSync(rq.python), rq.python).toBe(true);
      expect(existsSync(rq.rq), rq.rq).toBe(true);
      expect(rq.major).toBe(Number(rq.version.split('.')[0]));
      expect(rq.redisPy).toMatch(/^\d+\.\d+/);
      expect(rqVersion(rq.label)).toBe(rq);
    }
  });
});

const serializers = ['pickle', 'json'] as const;

describe.each(rqVersions())('$label (RQ $version, redis-py $redisPy)', (rq) => {
  it.each(serializers)('runs a Python-enqueued mylib.add(1, 2) with %s', async (serializer) => {
    const queue = uniqueName('rig');
    const prelude = `
import json, os
from redis import Redis
from rq import Queue
from rq.job import Job
from rq.serializers import JSONSerializer
conn = Redis.from_url(os.environ['REDIS_URL'])
kw = ${serializer === 'json' ? "{'serializer': JSONSerializer}" : '{}'}
`;
    const enqueued = await runPythonJson<{ id: string; count: number }>(
      rq,
      `${prelude}
q = Queue(${JSON.stringify(queue)}, connection=conn, **kw)
job = q.enqueue('mylib.add', 1, 2)
print(json.dumps({'id': job.id, 'count': q.count}))`,
      { url: redis.url },
    );
    expect(enqueued.count).toBe(1);

    const run = await runWorker({ rq, url: redis.url, queues: [queue], serializer });
    expect(run.timedOut, run.log).toBe(false);
    expect(run.exitCode, run.log).toBe(0);
    expect(hasTraceback(run.log), run.log).toBe(false);

    // return_value() exists from RQ 1.12 on (so on every install here); 1.x also keeps the result on .result.
    const read = await runPythonJson<{ status: string; returnValue: unknown; result: unknown; count: number }>(
      rq,
      `${prelude}
job = Job.fetch(${JSON.stringify(enqueued.id)}, connection=conn, **kw)
status = job.get_status()
print(json.dumps({
    'status': getattr(status, 'value', status),
    'returnValue': job.return_value(),
    'result': job.result if ${rq.major} < 2 else 3,
    'count': Queue(${JSON.stringify(queue)}, connection=conn, **kw).count,
}))`,
      { url: redis.url },
    );
    expect(read).toEqual({ status: 'finished', returnValue: 3, result: 3, count: 0 });
  });
});
