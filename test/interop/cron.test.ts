/**
 * Cron (RQ 2.5+'s `rq cron`) from Node: a CronScheduler enqueues interval and cron-string jobs that real
 * `rq worker --burst` processes of every installed RQ version run; its Redis records read back through RQ
 * 2.12's own CronScheduler / cron_job_registry code, and equal, key by key, what RQ 2.12's own CronScheduler
 * writes for the same registrations, which rqts's read side (CronScheduler.all/fetch) reads back; `rqts cron`
 * runs beside `rq cron`; cron strings give the times RQ's croniter gives.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Connection, CronScheduler, getCronJobNames, InvalidArgumentError, Job, Webhook, type CronJobOptions, type CronSchedulerInfo } from '../../src/index.js';
import { nextCronTime, parseCronString } from '../../src/cron.js';
import { PYTHON_DIR, privateRedis, REPO_ROOT, rqVersion, rqVersions, runPythonJson, runWorker, uniqueName, until } from '../helpers/index.js';
import { run, start } from '../helpers/processes.js';

const env = privateRedis();
const rq212 = rqVersion('rq-2.12');
const quiet = { info: () => {}, warn: () => {}, error: (m: string) => console.error(m) };

/** Epoch seconds of a cron history entry / registry score. */
async function history(connection: Connection, name: string): Promise<{ id: string; score: number }[]> {
  const reply = (await connection.command(['ZRANGE', `rq:cron_job:${name}:jobs`, '0', '-1', 'WITHSCORES'])) as Buffer[];
  const rows: { id: string; score: number }[] = [];
  for (let i = 0; i < reply.length; i += 2) rows.push({ id: String(reply[i]), score: Number(String(reply[i + 1])) });
  return rows;
}

describe('CronScheduler enqueues on schedule; real workers run the jobs', () => {
  it("interval jobs for every installed RQ version, a cron-string job, and a JSON scheduler's jobs, run by burst workers", async () => {
    const queues = new Map(rqVersions().map((rq) => [rq.label, uniqueName(`cron-${rq.label.replace(/\./g, '_')}`)]));
    const cronQueue = uniqueName('cron-str');
    // A clock 4 s before a whole minute, so '* * * * *' is due 4 s after the start rather than up to a minute.
    const realStart = Date.now();
    const fakeStart = Math.ceil(realStart / 60_000) * 60_000 + 60_000 - 4_000;
    const offset = fakeStart - realStart;
    const scheduler = new CronScheduler({ connection: env.connection, logger: quiet, handleSignals: false, now: () => new Date(Date.now() + offset) });
    const intervalNames = new Map<string, string>();
    for (const [label, queueName] of queues) {
      const name = uniqueName('every-1s');
      intervalNames.set(label, name);
      scheduler.register('mylib.add', { queueName, interval: 1, args: [1, 2], name });
    }
    const minuteName = uniqueName('every-minute');
    // The first whole minute after registration on the scheduler's clock (a loaded machine may take seconds
    // to get here, past the minute the fake start aimed at).
    const due = Math.floor((Date.now() + offset) / 60_000) * 60_000 + 60_000;
    const minute = scheduler.register('mylib.echo', { queueName: cronQueue, cron: '* * * * *', args: ['tick'], kwargs: { at: 'minute' }, name: minuteName, jobTimeout: '1m', resultTtl: 600, meta: { by: 'cron' } });
    expect(minute.nextEnqueueTime?.getTime()).toBe(due); // the first match after registration, not at start

    // A second scheduler, named, writing JSON-serialized jobs for a worker started with the JSON serializer.
    const jsonQueue = uniqueName('cron-json');
    const jsonScheduler = new CronScheduler({ connection: env.connection, serializer: 'json', name: uniqueName('json-sched'), logger: quiet, handleSignals: false });
    const jsonName = uniqueName('json-every-1s');
    jsonScheduler.register('mylib.echo', { queueName: jsonQueue, interval: 1, args: ['json'], kwargs: { n: 1 }, name: jsonName });

    const startedAt = Date.now() / 1000;
    const started = scheduler.start();
    const jsonStarted = jsonScheduler.start();
    await until(async () => (await history(env.connection, jsonName)).length >= 1, 'the JSON scheduler\'s first enqueue');
    expect((await CronScheduler.fetch(jsonScheduler.name, { connection: env.connection }))?.cronJobs.map((j) => j.name)).toEqual([jsonName]);
    await jsonScheduler.stop();
    await jsonStarted;
    // Three enqueues of each interval job, and the cron job's first.
    for (const name of intervalNames.values()) await until(async () => (await history(env.connection, name)).length >= 3, `three enqueues of ${name}`);
    await until(async () => (await history(env.connection, minuteName)).length >= 1, 'the cron-string job');
    await scheduler.stop();
    await started;

    // Never early: the i-th enqueue (from 0) comes at least i intervals after the start (the scores are enqueued_at).
    for (const name of intervalNames.values()) {
      const rows = await history(env.connection, name);
      rows.forEach((row, i) => expect(row.score).toBeGreaterThanOrEqual(startedAt + i - 0.001));
    }
    for (const job of scheduler.jobs.filter((j) => j.interval !== null)) {
      expect(job.nextEnqueueTime!.getTime() - job.latestEnqueueTime!.getTime()).toBe(1000);
    }
    // The cron job ran once at its minute (on the scheduler's clock), and is next due a minute later.
    const latest = minute.latestEnqueueTime!.getTime();
    expect(latest).toBeGreaterThanOrEqual(due);
    expect(minute.nextEnqueueTime!.getTime()).toBe(Math.floor(latest / 60_000) * 60_000 + 60_000);
    // Unregistered on stop.
    expect(await env.connection.command(['ZSCORE', 'rq:cron_schedulers', scheduler.name])).toBeNull();

    const runs = await Promise.all(rqVersions().map((rq) => runWorker({ rq, url: env.redis.url, queues: [queues.get(rq.label)!, ...(rq === rq212 ? [cronQueue] : [])] })));
    for (const [i, rq] of rqVersions().entries()) {
      expect(runs[i]!.exitCode, runs[i]!.log).toBe(0);
      const rows = await history(env.connection, intervalNames.get(rq.label)!);
      const jobs = await Job.fetchMany(rows.map((r) => r.id), { connection: env.connection });
      for (const job of jobs) {
        expect(await job!.status, `${rq.label}: ${runs[i]!.log}`).toBe('finished');
        expect(await job!.result).toBe(3);
        expect(job!.resultTtl).toBe(500); // RQ's cron writes its default result_ttl on every job
      }
    }
    const jsonRun = await runWorker({ rq: rq212, url: env.redis.url, queues: [jsonQueue], serializer: 'json' });
    expect(jsonRun.exitCode, jsonRun.log).toBe(0);
    for (const { id } of await history(env.connection, jsonName)) {
      expect(await (await Job.fetch(id, { connection: env.connection, serializer: 'json' })).result).toEqual([['json'], { n: 1 }]);
    }
    const [tick] = await history(env.connection, minuteName);
    const ticked = await Job.fetch(tick!.id, { connection: env.connection });
    expect(await ticked.status).toBe('finished');
    expect(await ticked.result).toEqual([['tick'], { at: 'minute' }]);
    expect([ticked.timeout, ticked.resultTtl, await ticked.meta]).toEqual([60, 600, { by: 'cron' }]);
  }, 180_000);
});

/** The Python that registers the comparison jobs on RQ's side (the same as `registerTs` below). */
const PY_REGISTER = `
import mylib
from rq.webhook import Webhook
def register(s, queue):
    s.register(mylib.echo, queue, args=(1, 'two', [3, 4.5], 'é'), kwargs={'k': 'v', 'n': 1.5}, interval=5, job_timeout=60,
               result_ttl=100, ttl=300, failure_ttl=600, meta={'owner': 'ops', 'ü': [1]},
               webhooks=[Webhook('https://example.com/hook', 'finished', method='POST', headers={'X-A': 'b'})], name='echo-every-5')
    s.register(mylib.add, queue, args=(1, 2), cron='*/5 * * * *')
`;

function registerTs(s: CronScheduler, queue: string): void {
  s.register('mylib.echo', {
    queueName: queue, args: [1, 'two', [3, 4.5], 'é'], kwargs: { k: 'v', n: 1.5 }, interval: 5, jobTimeout: 60, resultTtl: 100, ttl: 300,
    failureTtl: 600, meta: { owner: 'ops', ü: [1] }, webhooks: [new Webhook({ url: 'https://example.com/hook', jobStatus: 'finished', method: 'POST', headers: { 'X-A': 'b' } })],
    name: 'echo-every-5',
  });
  s.register('mylib.add', { queueName: queue, args: [1, 2], cron: '*/5 * * * *' });
}

/**
 * Every `rq:*` key of a database, as RQ 2.12's Python sees it: type, TTL (rounded to tens of seconds) and
 * content, job hashes with their decoded call instead of the pickle bytes.
 */
const PY_DUMP = `
import json, os
from redis import Redis
from rq.job import Job
def dump(url):
    r = Redis.from_url(url)
    out = {}
    for key in sorted(k.decode() for k in r.keys('rq:*')):
        t = r.type(key).decode()
        ttl = r.ttl(key)
        entry = {'type': t, 'ttl': ttl if ttl < 0 else -(-ttl // 10) * 10}
        if t == 'hash':
            h = {k.decode(): v for k, v in r.hgetall(key).items()}
            if key.startswith('rq:job:'):
                job = Job.fetch(key[len('rq:job:'):], connection=r)
                entry['call'] = [job.func_name, list(job.args), job.kwargs]
                h.pop('data')
            entry['fields'] = {k: v.decode('utf-8', 'replace') for k, v in h.items()}
        elif t == 'zset':
            entry['members'] = [[m.decode(), s] for m, s in r.zrange(key, 0, -1, withscores=True)]
        elif t == 'list':
            entry['items'] = [v.decode() for v in r.lrange(key, 0, -1)]
        elif t == 'set':
            entry['members'] = sorted(v.decode() for v in r.smembers(key))
        else:
            entry['value'] = r.get(key).decode()
        out[key] = entry
    return out
`;

describe('the records, as RQ 2.12 reads and writes them', () => {
  it("RQ's own CronScheduler.all / cron_job_registry read a Node scheduler, rqts reads RQ's, and the keys of each equal the other's", async () => {
    const queue = uniqueName('cron-cmp');
    const pyUrl = `${env.redis.url}/1`;
    const tsUrl = `${env.redis.url}/2`;
    // RQ's side: one pass of its own CronScheduler (birth, enqueue_jobs, save, heartbeat), as start() runs it.
    const pyName = await runPythonJson<string>(rq212, `
import json, os
from redis import Redis
from rq.cron import CronScheduler
${PY_REGISTER}
s = CronScheduler(connection=Redis.from_url(os.environ['REDIS_URL']))
register(s, ${JSON.stringify(queue)})
s.register_birth(); s.enqueue_jobs(); s.save(); s.heartbeat()
print(json.dumps(s.name))
`, { url: pyUrl });
    // rqts's side: the same pass.
    const connection = await Connection.from(tsUrl).open();
    let scheduler: CronScheduler;
    try {
      scheduler = new CronScheduler({ connection, logger: quiet, handleSignals: false });
      registerTs(scheduler, queue);
      await scheduler.registerBirth();
      await scheduler.enqueueJobs();
      await scheduler.save();
      await scheduler.heartbeat();
    } finally {
      await connection.close();
    }

    // Read back by RQ's own code.
    const read = await runPythonJson<{ schedulers: Record<string, unknown>[]; names: string[]; ids: Record<string, string[]>; heartbeat: boolean; jobs: Record<string, unknown>[] }>(rq212, `
import json, os
from redis import Redis
from rq.cron import CronScheduler, get_cron_job_ids
from rq import cron_job_registry
r = Redis.from_url(os.environ['REDIS_URL'])
schedulers = CronScheduler.all(r)
names = cron_job_registry.get_names(r)
s = CronScheduler.fetch(${JSON.stringify(scheduler.name)}, r)
jobs = [dict(j.to_dict(), next_str=str(j.next_enqueue_time)) for j in s.get_jobs()]
print(json.dumps({'schedulers': [dict(x.to_dict(), pid=x.pid, created=str(x.created_at)) for x in schedulers], 'names': names,
  'ids': {n: get_cron_job_ids(n, r) for n in names}, 'heartbeat': s.last_heartbeat is not None, 'jobs': jobs}))
`, { url: tsUrl });
    expect(read.schedulers.map((s) => s.name)).toEqual([scheduler.name]);
    expect(read.schedulers[0]).toMatchObject({ hostname: scheduler.hostname, pid: process.pid, config_file: '' });
    expect(read.heartbeat).toBe(true);
    expect(read.names).toEqual(['echo-every-5']); // the cron-string job is not due yet
    expect(read.ids['echo-every-5']).toHaveLength(1);
    expect(read.jobs.map((j) => [j.func_name, j.name, j.interval, j.cron])).toEqual([
      ['mylib.echo', 'echo-every-5', 5, null],
      ['mylib.add', 'mylib.add', null, '*/5 * * * *'],
    ]);

    // rqts reads RQ's scheduler as it reads its own, every field decoded.
    const [pyRead, tsRead] = await Promise.all([CronScheduler.fetch(pyName, { connection: pyUrl }), CronScheduler.fetch(scheduler!.name, { connection: tsUrl })]);
    const jobsOf = (info: CronSchedulerInfo | null) =>
      info!.cronJobs.map((j) => ({ ...j, latestEnqueueTime: j.latestEnqueueTime !== null, nextEnqueueTime: j.nextEnqueueTime !== null }));
    expect(jobsOf(pyRead)).toEqual([
      {
        funcName: 'mylib.echo', name: 'echo-every-5', queueName: queue, args: [1, 'two', [3, 4.5], 'é'], kwargs: { k: 'v', n: 1.5 }, interval: 5, cron: null,
        latestEnqueueTime: true, nextEnqueueTime: true, jobTimeout: 60, resultTtl: 100, ttl: 300, failureTtl: 600, meta: { owner: 'ops', ü: [1] },
        webhooks: [{ url: 'https://example.com/hook', job_status: 'finished', method: 'POST', headers: { 'X-A': 'b' }, timeout: 10 }],
      },
      {
        funcName: 'mylib.add', name: 'mylib.add', queueName: queue, args: [1, 2], kwargs: null, interval: null, cron: '*/5 * * * *',
        latestEnqueueTime: false, nextEnqueueTime: true, jobTimeout: null, resultTtl: 500, ttl: null, failureTtl: null, meta: null, webhooks: null,
      },
    ]);
    expect(jobsOf(tsRead)).toEqual(jobsOf(pyRead));
    expect(await CronScheduler.fetch('no-such-scheduler', { connection: tsUrl })).toBeNull();

    // Key by key: both databases dumped by the same Python.
    const dumps = await runPythonJson<Record<string, Record<string, Dump>>>(rq212, `${PY_DUMP}
print(json.dumps({'py': dump(${JSON.stringify(pyUrl)}), 'ts': dump(${JSON.stringify(tsUrl)})}))
`);
    const py = normalize(dumps.py!, pyName);
    const ts = normalize(dumps.ts!, scheduler!.name);
    // The two sides were written a few seconds apart (more under load), so a TTL may land in the next ten-second
    // step: TTLs are compared within 30 s, everything else exactly.
    for (const [key, entry] of Object.entries(ts)) {
      const other = py[key];
      if (!other || entry.ttl < 0 || other.ttl < 0) continue;
      expect(Math.abs(entry.ttl - other.ttl), `${key}: TTL ${entry.ttl} against RQ's ${other.ttl}`).toBeLessThanOrEqual(30);
      entry.ttl = other.ttl;
    }
    expect(ts).toEqual(py);
    // And the comparison saw what it should: the scheduler, its registry, one enqueued job and its history.
    expect(Object.keys(ts)).toEqual(expect.arrayContaining(['rq:cron_scheduler:S', 'rq:cron_schedulers', 'rq:cron_jobs', 'rq:cron_job:echo-every-5:jobs', 'rq:job:J0']));
  }, 120_000);
});

describe('rqts cron beside rq cron', () => {
  it('both register, enqueue every second, and are listed alike by RQ\'s CronScheduler.all and rqts\'s; SIGTERM unregisters both', async () => {
    const queue = uniqueName('cron-cli');
    const [tsName, pyName] = [uniqueName('ts-every-1s'), uniqueName('py-every-1s')];
    const ts = await start(process.execPath, ['--import', 'tsx', `${REPO_ROOT}/src/cli/index.ts`, '-u', env.redis.url, 'cron', 'test/tasks/cron-config.ts'], {
      cwd: REPO_ROOT, env: { ...process.env, CRON_QUEUE: queue, CRON_NAME: tsName }, timeoutMs: 120_000,
    });
    const py = await start(rq212.rq, ['cron', '-u', env.redis.url, 'cron_config'], {
      env: { ...process.env, PYTHONPATH: PYTHON_DIR, PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1', CRON_QUEUE: queue, CRON_NAME: pyName },
      timeoutMs: 120_000,
    });
    try {
      for (const name of [tsName, pyName]) {
        await until(async () => (await history(env.connection, name)).length >= 2, `two enqueues by ${name}\n${ts.output()}\n${py.output()}`);
      }
      const seen = await runPythonJson<{ name: string; fields: string[]; config_file: string; jobs: Record<string, unknown>[] }[]>(rq212, `
import json, os
from redis import Redis
from rq.cron import CronScheduler
r = Redis.from_url(os.environ['REDIS_URL'])
print(json.dumps([{'name': s.name, 'config_file': s.config_file, 'fields': sorted(k.decode() for k in r.hkeys(s.key)),
  'jobs': [j.to_dict() for j in s.get_jobs()]} for s in CronScheduler.all(r)]))
`, { url: env.redis.url });
      expect(seen).toHaveLength(2);
      const byJob = (name: string) => seen.find((s) => s.jobs.some((j) => j.name === name))!;
      const [node, python] = [byJob(tsName), byJob(pyName)];
      expect(node.config_file).toBe('test/tasks/cron-config.ts');
      expect(python.config_file).toBe('cron_config');
      expect(node.fields).toEqual(python.fields);
      const shape = (s: typeof node) => s.jobs.map((j) => ({ ...j, name: 'N', latest_enqueue_time: typeof j.latest_enqueue_time, next_enqueue_time: typeof j.next_enqueue_time }));
      expect(shape(node)).toEqual(shape(python));

      // And through rqts's read side, Python's scheduler and Node's alike.
      const infos = await CronScheduler.all({ connection: env.connection });
      const info = (name: string) => infos.find((i) => i.cronJobs.some((j) => j.name === name))!;
      expect(infos).toHaveLength(2);
      expect(info(pyName)).toMatchObject({ pid: py.pid, configFile: 'cron_config', hostname: info(tsName).hostname });
      expect(info(tsName)).toMatchObject({ pid: ts.pid, configFile: 'test/tasks/cron-config.ts' });
      for (const name of [tsName, pyName]) {
        const [job] = info(name).cronJobs;
        expect(job).toMatchObject({ funcName: 'mylib.add', name, queueName: queue, args: [2, 3], kwargs: null, interval: 1, cron: null, resultTtl: 500, meta: null });
        expect([job!.latestEnqueueTime, info(name).lastHeartbeat, info(name).createdAt].every((d) => d instanceof Date)).toBe(true);
      }
      expect(await getCronJobNames({ connection: env.connection })).toEqual(expect.arrayContaining([tsName, pyName]));
    } finally {
      ts.kill('SIGTERM');
      py.kill('SIGTERM');
    }
    const [tsRun, pyRun] = await Promise.all([ts.done, py.done]);
    expect(tsRun.exitCode, tsRun.all).toBe(0);
    expect(tsRun.all).toContain('registering death');
    expect(pyRun.all).toContain('registering death');
    expect(await env.connection.command(['ZCARD', 'rq:cron_schedulers'])).toBe(0);
    const run = await runWorker({ rq: rq212, url: env.redis.url, queues: [queue] });
    expect(run.exitCode, run.log).toBe(0);
    for (const name of [tsName, pyName]) {
      for (const { id } of await history(env.connection, name)) expect(await (await Job.fetch(id, { connection: env.connection })).result).toBe(5);
    }
  }, 120_000);
});

interface Dump {
  type: string;
  ttl: number;
  fields?: Record<string, string>;
  members?: unknown[];
  items?: string[];
  call?: unknown;
  value?: string;
}

const DATETIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z$/;

/** Replace what differs between any two runs (names, ids, pids, times, scores) by placeholders. */
function normalize(dump: Record<string, Dump>, schedulerName: string): Record<string, Dump> {
  const ids = Object.keys(dump).filter((k) => k.startsWith('rq:job:')).map((k) => k.slice('rq:job:'.length));
  const rename = (s: string): string => {
    let out = s.split(schedulerName).join('S');
    ids.forEach((id, i) => (out = out.split(id).join(`J${i}`)));
    return out;
  };
  const time = (v: unknown): unknown => (typeof v === 'string' && DATETIME.test(v) ? 'T' : v);
  const out: Record<string, Dump> = {};
  for (const [key, entry] of Object.entries(dump)) {
    const e: Dump = { ...entry };
    if (e.fields) {
      e.fields = Object.fromEntries(Object.entries(e.fields).map(([k, v]) => {
        if (k === 'pid') return [k, 'PID'];
        if (k === 'cron_jobs') {
          const jobs = JSON.parse(v) as Record<string, unknown>[];
          return [k, jobs.map((j) => Object.fromEntries(Object.entries(j).map(([jk, jv]) => [jk, time(jv)])))];
        }
        return [k, time(rename(v))];
      })) as Record<string, string>;
    }
    if (e.members) e.members = e.members.map((m) => (Array.isArray(m) ? [rename(String(m[0])), 'score'] : rename(String(m))));
    if (e.items) e.items = e.items.map(rename);
    out[rename(key)] = e;
  }
  return out;
}

describe('cron strings and bad input', () => {
  it("gives the times RQ's croniter gives, in UTC", async () => {
    const expressions = ['* * * * *', '*/5 * * * *', '0 9 * * 1-5', '30 2 1 * *', '0 0 * * 0', '0 0 * * 7', '15,45 */2 * * *', '0 12 13 * 5',
      '0 0 29 2 *', '0 0 31 * *', '5-10/2 * * * *', '0 0 * JAN,JUL MON-FRI', '0 0 1-7 * 1', '@hourly', '@daily', '@weekly', '@monthly', '@yearly', '@midnight', '@annually'];
    const starts = ['2026-11-30T12:00:00.000Z', '2026-02-27T23:59:59.500Z', '2028-02-28T23:59:00.000Z'];
    const py = await runPythonJson<Record<string, string[][]>>(rq212, `
import json
from datetime import datetime, timezone
from croniter import croniter
out = {}
for e in ${JSON.stringify(expressions)}:
    out[e] = []
    for s in ${JSON.stringify(starts)}:
        t = datetime.strptime(s, '%Y-%m-%dT%H:%M:%S.%fZ').replace(tzinfo=timezone.utc)
        row = []
        for _ in range(5):
            t = croniter(e, t).get_next(datetime)
            row.append(t.strftime('%Y-%m-%dT%H:%M:%S.000Z'))
        out[e].append(row)
print(json.dumps(out))
`);
    for (const e of expressions) {
      const fields = parseCronString(e);
      const ours = starts.map((s) => {
        const row: string[] = [];
        let t = new Date(s);
        for (let i = 0; i < 5; i++) row.push((t = nextCronTime(fields, t)).toISOString());
        return row;
      });
      expect(ours, e).toEqual(py[e]);
    }
  }, 60_000);

  it('refuses bad registrations with a typed error naming the option, and writes nothing', async () => {
    const connection = await Connection.from(`${env.redis.url}/3`).open();
    try {
      const scheduler = new CronScheduler({ connection, logger: quiet, handleSignals: false });
      const bad: [CronJobOptions | Record<string, unknown>, string][] = [
        [{ queueName: 'q', interval: 10, cron: '* * * * *' }, 'interval'],
        [{ queueName: 'q' }, 'interval'],
        [{ queueName: 'q', cron: 'every minute' }, 'cron'],
        [{ queueName: 'q', cron: '61 * * * *' }, 'cron'],
        [{ queueName: 'q', cron: '0 * * * * 5' }, 'cron'], // a sixth field: seconds first or last?
        [{ queueName: 'q', cron: '0 0 L * *' }, 'cron'],
        [{ queueName: 'q', interval: 0 }, 'interval'],
        [{ queueName: 'q', interval: '1x' }, 'interval'],
        [{ queueName: 'q', interval: 5, job_timeout: 10 }, 'cron.register option "job_timeout"'],
        [{ queueName: 'q', interval: 5, repeat: 2 }, 'cron.register option "repeat"'],
        [{ queueName: 'has space', interval: 5 }, 'queue name'],
        [{ queueName: 'q', interval: 5, jobTimeout: 0 }, 'jobTimeout'],
        [{ queueName: 'q', interval: 5, args: [() => 1] }, 'args[0]'],
        [{ queueName: 'q', interval: 5, webhooks: [{ url: 'ftp://x', jobStatus: 'finished' }] }, 'webhooks[0].url'],
      ];
      for (const [options, option] of bad) {
        let error: unknown;
        try {
          scheduler.register('mylib.add', options as CronJobOptions);
        } catch (e) {
          error = e;
        }
        expect(error, JSON.stringify(options)).toBeInstanceOf(InvalidArgumentError);
        expect((error as InvalidArgumentError).option, JSON.stringify(options)).toBe(option);
      }
      expect(() => scheduler.register('not a path', { queueName: 'q', interval: 5 })).toThrow(InvalidArgumentError);
      expect(() => new CronScheduler({ connection, interval: 5 } as never)).toThrow(/CronScheduler option "interval"/);
      // A config module that is not there, or that throws, is a one-line error naming the option.
      const scratch = mkdtempSync(join(tmpdir(), 'rqts-cron-'));
      writeFileSync(join(scratch, 'broken.mjs'), "throw new Error('broken on purpose');\n");
      for (const [path, why] of [[join(scratch, 'missing.mjs'), 'no such file'], [join(scratch, 'broken.mjs'), 'loading it failed: broken on purpose']]) {
        const error = await scheduler.loadConfig(path!).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(InvalidArgumentError);
        expect((error as InvalidArgumentError).option).toBe('config');
        expect((error as Error).message).toContain(why);
        const cli = await run(process.execPath, ['--import', 'tsx', `${REPO_ROOT}/src/cli/index.ts`, '-u', env.redis.url, 'cron', path!], { cwd: REPO_ROOT });
        expect(cli.exitCode).toBe(1);
        expect(cli.stderr.trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`^rqts: InvalidArgumentError: Invalid config .*: ${why}$`))]);
      }
      rmSync(scratch, { recursive: true, force: true });
      expect(scheduler.jobs).toHaveLength(0);
      expect(await connection.command(['DBSIZE'])).toBe(0);
    } finally {
      await connection.close();
    }
  });
});
