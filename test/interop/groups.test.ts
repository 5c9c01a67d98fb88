/**
 * Groups (RQ 2.x's `Group`), `queue.map` and `group.reduce` on stock `rq worker`s of every installed RQ
 * version × {pickle, json} (with the `rqts_dataflow` helper on their path) and the Node worker side by side.
 */
import { describe, expect, it } from 'vitest';
import {
  Group,
  GroupFailedError,
  InvalidArgumentError,
  Job,
  NoSuchGroupError,
  Queue,
  REDUCE_FAN_IN,
  Worker,
} from '../../src/index.js';
import { privateRedis, rqVersions, runPythonJson, runWorker, uniqueName } from '../helpers/index.js';
import { pyPrelude } from '../helpers/python.js';

const env = privateRedis();
const SIMPLE = ['--worker-class', 'rq.worker.SimpleWorker'];
const combos = rqVersions().flatMap((rq) => (['pickle', 'json'] as const).map((serializer) => ({ rq, serializer, label: `${rq.version}/${serializer}` })));
const quiet = { info: () => {}, warn: () => {}, error: console.error };

/** Poll a condition (Redis state another process changes) until it holds, or fail after `ms`. */
async function until(what: string, check: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe.each(combos)('$label', ({ rq, serializer }) => {
  it('a group of 100 collected with results(); failures carried; Python sees the group', async () => {
    const q = new Queue(uniqueName('group'), { connection: env.connection, serializer });
    const name = uniqueName('g');
    const group = await q.enqueueGroup<number>(
      Array.from({ length: 100 }, (_, i) => Queue.prepareData('mylib.add', [i, i])),
      { name },
    );
    expect(group.name).toBe(name);
    expect(await group.count).toBe(100);
    const failing = await q.enqueueGroup([Queue.prepareData('mylib.add', [1, 1]), Queue.prepareData('mylib.fail'), Queue.prepareData('mylib.fail')]);
    // A group held for a future (blockedBy): deferred until the release, then run as any group.
    const future = await q.enqueueCall('mylib.add', { args: [0, 0], deferred: true });
    const held = await q.enqueueGroup<number>([
      Queue.prepareData('mylib.add', [2, 3], { blockedBy: future }),
      Queue.prepareData('mylib.add', [4, 5], { blockedBy: future }),
    ]);
    expect(await Promise.all((await held.jobs).map((j) => j.status))).toEqual(['deferred', 'deferred']);
    expect((await future.release()).heldJobs).toBe(2);
    const run = await runWorker({ rq, url: env.redis.url, queues: [q.name], serializer, extraArgs: SIMPLE });
    expect(run.exitCode, run.log).toBe(0);

    expect(await held.results({ timeout: 10_000 })).toEqual([5, 9]);
    expect(await future.wait({ timeout: 10_000 })).toBe(0);
    expect(await group.results({ timeout: 10_000 })).toEqual(Array.from({ length: 100 }, (_, i) => 2 * i));
    const error = await failing.results({ timeout: 10_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GroupFailedError);
    expect((error as GroupFailedError).failures).toHaveLength(2);
    const settled = await failing.results({ timeout: 10_000, settle: true });
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'rejected']);

    const fetched = await Group.fetch<number>(name, { connection: env.connection, serializer });
    expect((await fetched.jobIds)).toEqual((await group.jobs).map((j) => j.id));
    expect(await fetched.results({ timeout: 10_000 })).toEqual(await group.results());

    if (rq.major >= 2) {
      const seen = await runPythonJson<{ ids: string[]; groupIds: string[]; names: string[] }>(
        rq,
        `${pyPrelude(serializer)}
from rq.group import Group
g = Group.fetch(${JSON.stringify(name)}, connection=conn)
jobs = g.get_jobs()
print(json.dumps({'ids': sorted(j.id for j in jobs), 'groupIds': sorted(set(j.group_id for j in jobs)), 'names': sorted(x.name for x in Group.all(connection=conn))}))`,
        { url: env.redis.url },
      );
      expect(seen.ids).toEqual([...(await group.jobIds)].sort());
      expect(seen.groupIds).toEqual([name]);
      expect(seen.names).toContain(name);
    }
  });

  it('map over 10,000 items then reduce, Python and Node workers each doing part', async () => {
    const q = new Queue(uniqueName('mapreduce'), { connection: env.connection, serializer });
    const items = (function* () {
      for (let i = 0; i < 10_000; i++) yield i;
    })();
    const group = q.map<number[]>('mylib.square', items, { chunkSize: 250 });
    const total = await group.reduce<number>('mylib.total', { args: [1] });
    expect(total.dependencyIds).toHaveLength(40);

    // A burst worker: it exits on its own once the queue is empty.
    const python = runWorker({ rq, url: env.redis.url, queues: [q.name], serializer, extraArgs: SIMPLE });
    // Start the Node worker once the Python one has taken its first job, so both take part.
    await until('the Python worker to start', async () => Number(await q.count) < 40);
    const node = new Worker({
      connection: env.connection, queues: [q.name], serializer, burst: true, logger: quiet,
      handlers: { 'mylib.square': (x: number) => x * x, 'mylib.total': (values: number[], extra: number) => values.reduce((a, b) => a + b, 0) + extra },
    });
    await node.work();
    expect(await total.wait({ timeout: 30_000 })).toBe(333_283_335_001);
    const run = await python;
    expect(run.exitCode, run.log).toBe(0);
    expect(run.log).not.toContain('Traceback');
    const workers = (await (await group).jobs).map((j) => j.record.workerName);
    const byNode = workers.filter((w) => w === node.name).length;
    expect(byNode).toBeGreaterThan(0);
    expect(byNode).toBeLessThan(40);
  });
});

describe('groups: streaming, cancel, delete, bad input', () => {
  it('a reduce of 1,200 jobs goes through gather jobs: the Node worker maps, a Python worker gathers and reduces', async () => {
    const [rq] = rqVersions();
    const mapQueue = new Queue(uniqueName('bigmap'), { connection: env.connection });
    const reduceQueue = new Queue(uniqueName('bigreduce'), { connection: env.connection });
    const group = await mapQueue.map<number>('mylib.square', Array.from({ length: 1_200 }, (_, i) => i));
    const total = await group.reduce<number>('mylib.total', { queue: reduceQueue, args: [7] });
    // Gather jobs of at most REDUCE_FAN_IN jobs each; the reduce waits on them only.
    expect(total.dependencyIds).toHaveLength(Math.ceil(1_200 / REDUCE_FAN_IN));
    const gathers = await Job.fetchMany(total.dependencyIds, { connection: env.connection });
    expect(gathers.map((g) => [g!.funcName, g!.dependencyIds.length])).toEqual([
      ['rqts_dataflow.gather', REDUCE_FAN_IN], ['rqts_dataflow.gather', 1_200 - REDUCE_FAN_IN],
    ]);
    const node = new Worker({ connection: env.connection, queues: [mapQueue.name], burst: true, logger: quiet, handlers: { 'mylib.square': (x: number) => x * x } });
    await node.work();
    expect(await reduceQueue.count).toBe(2);
    const run = await runWorker({ rq: rq!, url: env.redis.url, queues: [reduceQueue.name], extraArgs: SIMPLE });
    expect(run.exitCode, run.log).toBe(0);
    expect(await total.wait({ timeout: 30_000 })).toBe((1_199 * 1_200 * 2_399) / 6 + 7);
  }, 180_000);

  it('map writes batches as it reads items (a generator is never drained first)', async () => {
    const q = new Queue(uniqueName('stream'), { connection: env.connection });
    const name = uniqueName('s');
    const seenAt: number[] = [];
    const items = async function* () {
      for (let i = 0; i < 2_000; i++) {
        if (i === 1_000) seenAt.push(Number(await env.connection.command(['SCARD', `rq:group:${name}`])));
        yield i;
      }
    };
    const group = await q.map('mylib.square', items(), { name, batchSize: 500 });
    expect(await group.count).toBe(2_000);
    expect(seenAt[0]).toBeGreaterThanOrEqual(500);
    expect(await q.count).toBe(2_000);
    expect(await q.jobIds.then((ids) => ids.slice(0, 2))).toEqual([`${name}-0`, `${name}-1`]);
    await group.delete();
    expect(await env.connection.command(['EXISTS', `rq:group:${name}`, `rq:job:${name}-0`])).toBe(0);
    expect(await env.connection.command(['SISMEMBER', 'rq:groups', name])).toBe(0);
  });

  it('cancel() cancels the jobs not started; delete() removes jobs and group', async () => {
    const q = new Queue(uniqueName('cancel'), { connection: env.connection });
    const group = await q.enqueueGroup([Queue.prepareData('mylib.add', [1, 1]), Queue.prepareData('mylib.add', [2, 2])]);
    const [first, second] = await group.jobs;
    await env.connection.command(['HSET', `rq:job:${first!.id}`, 'status', 'started']); // as a worker marks it
    expect(await group.cancel()).toBe(1);
    expect(await second!.status).toBe('canceled');
    expect(await first!.status).toBe('started');
    await group.delete();
    await expect(Group.fetch(group.name, { connection: env.connection })).rejects.toThrow(NoSuchGroupError);
    expect(await first!.status).toBeNull();
  });

  it('Group.all and deleteJob; the Node worker cleans groups in its maintenance, as RQ 2.x workers do', async () => {
    const q = new Queue(uniqueName('clean'), { connection: env.connection });
    const kept = await q.enqueueGroup([Queue.prepareData('mylib.add', [1, 1]), Queue.prepareData('mylib.add', [2, 2]), Queue.prepareData('mylib.add', [3, 3])]);
    const emptied = await q.enqueueGroup([Queue.prepareData('mylib.add', [4, 4])]);
    const [, expired, taken] = await kept.jobs;
    await kept.deleteJob(taken!.id);
    expect(await kept.count).toBe(2);
    expect(await taken!.status).toBe('queued'); // out of the group, not deleted
    // Jobs whose hashes expired: their ids stay in the sets until a cleanup.
    await env.connection.command(['DEL', `rq:job:${expired!.id}`, `rq:job:${(await emptied.jobIds)[0]}`]);
    const ghost = uniqueName('ghost');
    await env.connection.command(['SADD', 'rq:groups', ghost]); // a name whose set has gone
    const names = (await Group.all({ connection: env.connection })).map((g) => g.name);
    expect(names).toEqual(expect.arrayContaining([kept.name, emptied.name]));
    expect(names).not.toContain(ghost);
    expect(await env.connection.command(['SISMEMBER', 'rq:groups', ghost])).toBe(0);
    expect(await env.connection.command(['SCARD', kept.key])).toBe(2);

    const worker = new Worker({ connection: env.connection, queues: [uniqueName('idle')], burst: true, logger: quiet });
    await worker.work();
    expect(await env.connection.command(['SCARD', kept.key])).toBe(1);
    expect(await env.connection.command(['EXISTS', emptied.key])).toBe(0);
    expect(await env.connection.command(['SISMEMBER', 'rq:groups', emptied.name])).toBe(0);
    expect((await Group.all({ connection: env.connection })).map((g) => g.name)).not.toContain(emptied.name);
  });

  it('rejects bad input before writing anything', async () => {
    const q = new Queue(uniqueName('bad-group'), { connection: env.connection });
    const taken = await q.enqueueGroup([Queue.prepareData('mylib.add', [1, 1])], { name: uniqueName('taken') });
    // The keys and group names there are now: other tests' keys with a TTL may expire meanwhile (a DBSIZE
    // check then failed under load), so what is compared is what appeared.
    const keysNow = async (): Promise<string[]> => ((await env.connection.command(['KEYS', '*'])) as unknown[]).map(String);
    const groupsNow = async (): Promise<string[]> => ((await env.connection.command(['SMEMBERS', 'rq:groups'])) as unknown[]).map(String).sort();
    const before = new Set(await keysNow());
    const groupsBefore = await groupsNow();
    await expect(q.enqueueGroup([Queue.prepareData('mylib.add', [1, 1])], { name: taken.name })).rejects.toThrow(/exists already/);
    await expect(q.enqueueGroup([Queue.prepareData('mylib.add', [1, 1])], { name: 'a:b' })).rejects.toThrow(InvalidArgumentError);
    await expect(q.enqueueGroup([Queue.prepareData('mylib.add', [1, 1])], { name: 'sp ace' })).rejects.toThrow(/\[A-Za-z0-9_-\]\+/);
    await expect(q.enqueueGroup([])).rejects.toThrow(InvalidArgumentError);
    await expect(q.map('mylib.square', 42 as never)).rejects.toThrow(/Invalid items \(42\): expected an iterable/);
    await expect(q.map('mylib.square', [1], { name: taken.name })).rejects.toThrow(/exists already/);
    await expect(q.map('mylib.square', [1], { chunkSize: 0 })).rejects.toThrow(/chunkSize/);
    await expect(q.map('mylib.square', [1, () => 1])).rejects.toThrow(/items\[1\]/);
    await expect(q.map('mylib.square', [])).resolves.toBeInstanceOf(Group);
    // A bad item after the first batch was written: the map stops and takes back what it wrote.
    const late = uniqueName('late');
    const withBadItem = function* () {
      for (let i = 0; i < 10; i++) yield i === 7 ? Symbol('bad') : i;
    };
    await expect(q.map('mylib.square', withBadItem(), { name: late, batchSize: 5 })).rejects.toThrow(/items\[7\]/);
    expect(await env.connection.command(['EXISTS', `rq:group:${late}`, `rq:job:${late}-0`])).toBe(0);
    await expect(q.map('mylib.square', []).reduce('mylib.total')).rejects.toThrow(/the group is empty/);
    await expect(Group.fetch('no-such-group', { connection: env.connection })).rejects.toThrow(NoSuchGroupError);
    expect((await keysNow()).filter((key) => !before.has(key))).toEqual([]);
    expect(await groupsNow()).toEqual(groupsBefore);
  });
});
