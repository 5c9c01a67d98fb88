/**
 * The record diff's table of calls: each row is the same enqueue written once through rqts and once through
 * Python RQ's own API (`test/python/record_diff_writer.py`), then every key is diffed.
 *
 * Adding a row (a new option, a new record field):
 * 1. Give it a unique `name` (letters, digits, `-`): its queue is `rd-<name>` and its job ids should be
 *    `<name>-1`, `<name>-2`, … written literally on both sides (ids must match for the keys to line up).
 * 2. Write each step twice: `js` gets the row's rqts Queue in `ctx.q`; `py` is Python run with `exec`, with
 *    `q` the row's Python Queue and `queue(**options)`, `conn`, `Retry`, `Dependency`, `Callback`, `cb(name,
 *    timeout)` (a callback as this RQ version takes it), `RQ` (the version as a tuple), `UTC`, `datetime`,
 *    `date`, `dtime`, `timedelta`, `Decimal`, `UUID` in scope. `raw(...command)` runs one Redis command on
 *    both sides (e.g. to mark a parent finished).
 * 3. Restrict it with `serializers` (values JSON cannot carry) or `versions` (options an RQ version lacks).
 * 4. Run `npx vitest run test/interop/record-diff.test.ts`; a difference that is right by design goes in
 *    `known-differences.ts` (and the README table it is checked against), nowhere else.
 */
import { Callback, Dependency, py, Queue, Retry, type Connection, type QueueOptions } from '../../../src/index.js';
import type { PySerializer } from '../rq.js';

export interface RowContext {
  /** The row's queue, `rd-<name>`, with the run's serializer. */
  q: Queue;
  /** Another Queue object on the row's queue name, with extra options. */
  queue(options?: Omit<QueueOptions, 'connection' | 'serializer'>): Queue;
  connection: Connection;
}

export interface Step {
  js: (ctx: RowContext) => Promise<unknown>;
  py: string;
}

export interface Row {
  name: string;
  steps: Step[];
  /** Serializers the row runs under. @defaultValue both */
  serializers?: readonly PySerializer[];
  /** RQ versions (major, minor) the row runs on. @defaultValue all */
  versions?: (major: number, minor: number) => boolean;
}

const step = (js: Step['js'], pyCode: string): Step => ({ js, py: pyCode });
/** One Redis command on both sides. */
const raw = (...command: string[]): Step =>
  step((ctx) => ctx.connection.command(command), `conn.execute_command(*${JSON.stringify(command)})`);
const PICKLE = ['pickle'] as const;
const FAR = new Date(Date.UTC(2030, 0, 2, 3, 4, 5));
const FAR_PY = 'datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)';
/** RQ 1.14 added Callback objects (timeouts), 1.15 on_stopped, 2.8 unique and Retry(enqueue_at_front). */
const since = (major: number, minor: number) => (M: number, m: number): boolean => M > major || (M === major && m >= minor);

export const rows: Row[] = [
  // ---- options ---------------------------------------------------------------------------------------
  { name: 'plain', steps: [step(({ q }) => q.enqueueCall('mylib.add', { args: [1, 2], jobId: 'plain-1' }), `q.enqueue_call('mylib.add', args=(1, 2), job_id='plain-1')`)] },
  {
    name: 'options',
    steps: [step(
      ({ q }) => q.enqueueCall('mylib.echo', { args: ['x'], kwargs: { k: 1 }, jobId: 'options-1', jobTimeout: '3m', resultTtl: 600, ttl: '1h', failureTtl: 86_400, description: 'custom é', meta: { owner: 'alice', n: 42 } }),
      `q.enqueue_call('mylib.echo', args=('x',), kwargs={'k': 1}, job_id='options-1', timeout='3m', result_ttl=600, ttl='1h', failure_ttl=86400, description='custom é', meta={'owner': 'alice', 'n': 42})`,
    )],
  },
  { name: 'desc-empty', steps: [step(({ q }) => q.enqueueCall('mylib.add', { args: [1, 2], jobId: 'desc-empty-1', description: '' }), `q.enqueue_call('mylib.add', args=(1, 2), job_id='desc-empty-1', description='')`)] },
  { name: 'desc-unicode', steps: [step(({ q }) => q.enqueueCall('mylib.add', { args: [1, 2], jobId: 'desc-unicode-1', description: 'line\n"both" \'quotes\' \u{1F600} \u0000' }), `q.enqueue_call('mylib.add', args=(1, 2), job_id='desc-unicode-1', description='line\\n"both" \\'quotes\\' \\U0001F600 \\x00')`)] },
  { name: 'timeout-none', steps: [step(({ q }) => q.enqueueCall('mylib.add', { args: [1, 2], jobId: 'timeout-none-1', jobTimeout: -1 }), `q.enqueue_call('mylib.add', args=(1, 2), job_id='timeout-none-1', timeout=-1)`)] },
  { name: 'timeout-neg', steps: [step(({ q }) => q.enqueueCall('mylib.add', { args: [1, 2], jobId: 'timeout-neg-1', jobTimeout: -5 }), `q.enqueue_call('mylib.add', args=(1, 2), job_id='timeout-neg-1', timeout=-5)`)] },
  { name: 'timeout-frac', steps: [step(({ q }) => q.enqueueCall('mylib.add', { args: [1, 2], jobId: 'timeout-frac-1', jobTimeout: 90.7 }), `q.enqueue_call('mylib.add', args=(1, 2), job_id='timeout-frac-1', timeout=90.7)`)] },
  { name: 'timeout-units', steps: [step(({ q }) => q.enqueueCall('mylib.add', { args: [1, 2], jobId: 'timeout-units-1', jobTimeout: '2D', resultTtl: '+5m', failureTtl: '1h' }), `q.enqueue_call('mylib.add', args=(1, 2), job_id='timeout-units-1', timeout='2D', result_ttl='+5m', failure_ttl='1h')`)] },
  { name: 'queue-timeout', steps: [step(({ queue }) => queue({ defaultTimeout: 500 }).enqueueCall('mylib.add', { args: [1, 2], jobId: 'queue-timeout-1' }), `queue(default_timeout=500).enqueue_call('mylib.add', args=(1, 2), job_id='queue-timeout-1')`)] },
  { name: 'result-ttl-0', steps: [step(({ q }) => q.enqueueCall('mylib.add', { args: [1, 2], jobId: 'result-ttl-0-1', resultTtl: 0 }), `q.enqueue_call('mylib.add', args=(1, 2), job_id='result-ttl-0-1', result_ttl=0)`)] },
  // rqts's `resultTtl: null` means "keep forever", RQ's -1.
  { name: 'result-ttl-null', steps: [step(({ q }) => q.enqueueCall('mylib.add', { args: [1, 2], jobId: 'result-ttl-null-1', resultTtl: null }), `q.enqueue_call('mylib.add', args=(1, 2), job_id='result-ttl-null-1', result_ttl=-1)`)] },
  { name: 'result-ttl-neg', steps: [step(({ q }) => q.enqueueCall('mylib.add', { args: [1, 2], jobId: 'result-ttl-neg-1', resultTtl: '-1' }), `q.enqueue_call('mylib.add', args=(1, 2), job_id='result-ttl-neg-1', result_ttl='-1')`)] },
  { name: 'failure-ttl-0', steps: [step(({ q }) => q.enqueueCall('mylib.add', { args: [1, 2], jobId: 'failure-ttl-0-1', failureTtl: 0 }), `q.enqueue_call('mylib.add', args=(1, 2), job_id='failure-ttl-0-1', failure_ttl=0)`)] },
  { name: 'failure-ttl-neg', steps: [step(({ q }) => q.enqueueCall('mylib.add', { args: [1, 2], jobId: 'failure-ttl-neg-1', failureTtl: -1 }), `q.enqueue_call('mylib.add', args=(1, 2), job_id='failure-ttl-neg-1', failure_ttl=-1)`)] },
  { name: 'ttl-frac', steps: [step(({ q }) => q.enqueueCall('mylib.add', { args: [1, 2], jobId: 'ttl-frac-1', ttl: 3600.9 }), `q.enqueue_call('mylib.add', args=(1, 2), job_id='ttl-frac-1', ttl=3600.9)`)] },
  { name: 'meta-empty', steps: [step(({ q }) => q.enqueueCall('mylib.add', { args: [1, 2], jobId: 'meta-empty-1', meta: {} }), `q.enqueue_call('mylib.add', args=(1, 2), job_id='meta-empty-1', meta={})`)] },
  { name: 'meta-nested', steps: [step(({ q }) => q.enqueueCall('mylib.add', { args: [1, 2], jobId: 'meta-nested-1', meta: { 'ключ': [1, { deep: null }], e: '\u{1F600}' } }), `q.enqueue_call('mylib.add', args=(1, 2), job_id='meta-nested-1', meta={'ключ': [1, {'deep': None}], 'e': '\\U0001F600'})`)] },
  {
    name: 'at-front',
    steps: [
      step(({ q }) => q.enqueueCall('mylib.add', { args: [1, 1], jobId: 'at-front-1' }), `q.enqueue_call('mylib.add', args=(1, 1), job_id='at-front-1')`),
      step(({ q }) => q.enqueueCall('mylib.add', { args: [2, 2], jobId: 'at-front-2' }), `q.enqueue_call('mylib.add', args=(2, 2), job_id='at-front-2')`),
      step(({ q }) => q.enqueueCall('mylib.add', { args: [3, 3], jobId: 'at-front-3', atFront: true }), `q.enqueue_call('mylib.add', args=(3, 3), job_id='at-front-3', at_front=True)`),
    ],
  },
  {
    name: 'clashing-kwargs',
    steps: [step(
      ({ q }) => q.enqueueCall('mylib.echo', { jobId: 'clashing-kwargs-1', kwargs: { timeout: 1, job_id: 'x', description: 'y', depends_on: 'z', at_front: true, meta: {} } }),
      `q.enqueue_call('mylib.echo', job_id='clashing-kwargs-1', kwargs={'timeout': 1, 'job_id': 'x', 'description': 'y', 'depends_on': 'z', 'at_front': True, 'meta': {}})`,
    )],
  },
  {
    name: 'retry',
    steps: [
      step(({ q }) => q.enqueueCall('mylib.add', { args: [1, 2], jobId: 'retry-1', retry: new Retry({ max: 3, interval: [10, 30, 60] }) }), `q.enqueue_call('mylib.add', args=(1, 2), job_id='retry-1', retry=Retry(max=3, interval=[10, 30, 60]))`),
      step(({ q }) => q.enqueueCall('mylib.add', { args: [1, 2], jobId: 'retry-2', retry: new Retry({ max: 2 }) }), `q.enqueue_call('mylib.add', args=(1, 2), job_id='retry-2', retry=Retry(max=2))`),
      step(({ q }) => q.enqueueCall('mylib.add', { args: [1, 2], jobId: 'retry-3', retry: new Retry({ max: 1, interval: 5 }) }), `q.enqueue_call('mylib.add', args=(1, 2), job_id='retry-3', retry=Retry(max=1, interval=5))`),
    ],
  },
  {
    name: 'retry-front',
    versions: since(2, 8),
    steps: [step(({ q }) => q.enqueueCall('mylib.add', { args: [1, 2], jobId: 'retry-front-1', retry: new Retry({ max: 2, enqueueAtFront: true }) }), `q.enqueue_call('mylib.add', args=(1, 2), job_id='retry-front-1', retry=Retry(max=2, enqueue_at_front=True))`)],
  },
  {
    name: 'callbacks',
    steps: [step(
      ({ q }) => q.enqueueCall('mylib.add', { args: [1, 2], jobId: 'callbacks-1', onSuccess: 'mylib.on_success', onFailure: new Callback('mylib.on_failure', { timeout: 30 }) }),
      `q.enqueue_call('mylib.add', args=(1, 2), job_id='callbacks-1', on_success=cb('mylib.on_success'), on_failure=cb('mylib.on_failure', 30))`,
    )],
  },
  {
    name: 'callback-timeouts',
    versions: since(1, 14),
    steps: [step(
      ({ q }) => q.enqueueCall('mylib.add', { args: [1, 2], jobId: 'callback-timeouts-1', onSuccess: new Callback('mylib.on_success', { timeout: 0 }), onFailure: new Callback('mylib.on_failure', { timeout: '2m' }) }),
      `q.enqueue_call('mylib.add', args=(1, 2), job_id='callback-timeouts-1', on_success=Callback('mylib.on_success', 0), on_failure=Callback('mylib.on_failure', '2m'))`,
    )],
  },
  {
    name: 'on-stopped',
    versions: since(1, 15),
    steps: [step(({ q }) => q.enqueueCall('mylib.add', { args: [1, 2], jobId: 'on-stopped-1', onStopped: 'mylib.on_stopped' }), `q.enqueue_call('mylib.add', args=(1, 2), job_id='on-stopped-1', on_stopped=cb('mylib.on_stopped'))`)],
  },
  {
    name: 'unique',
    versions: since(2, 8),
    steps: [step(({ q }) => q.enqueueCall('mylib.add', { args: [1, 2], jobId: 'unique-1', unique: true }), `q.enqueue_call('mylib.add', args=(1, 2), job_id='unique-1', unique=True)`)],
  },

  // ---- argument values (the payload and the description) ----------------------------------------------
  {
    name: 'strings',
    steps: [step(
      ({ q }) => q.enqueueCall('mylib.echo', { jobId: 'strings-1', args: ['', "it's", 'say "hi"', 'both \' and "', 'back\\slash', 'tab\tnl\ncr\r', '\u0000\u001f\u007f\u0080\u00a0', 'é ß 中文 \u{1F600} \u200b \ud7ff'] }),
      `q.enqueue_call('mylib.echo', job_id='strings-1', args=('', "it's", 'say "hi"', 'both \\' and "', 'back\\\\slash', 'tab\\tnl\\ncr\\r', '\\x00\\x1f\\x7f\\x80\\xa0', 'é ß 中文 \\U0001F600 \\u200b \\ud7ff'))`,
    )],
  },
  {
    name: 'numbers',
    steps: [step(
      ({ q }) => q.enqueueCall('mylib.echo', { jobId: 'numbers-1', args: [0, -1, 2 ** 31, 2 ** 53 - 1, 2n ** 64n, -(2n ** 70n), 0.1, 1e16, 1e-7, 123456789.125, py.float(1), py.float(-0), 5e-324, 1.7976931348623157e308] }),
      `q.enqueue_call('mylib.echo', job_id='numbers-1', args=(0, -1, 2**31, 2**53 - 1, 2**64, -(2**70), 0.1, 1e16, 1e-7, 123456789.125, 1.0, -0.0, 5e-324, 1.7976931348623157e308))`,
    )],
  },
  {
    name: 'containers',
    steps: [step(
      ({ q }) => q.enqueueCall('mylib.echo', { jobId: 'containers-1', args: [[], {}, [[1, [2, [3]]]], { a: { b: { c: [null, true, false] } } }, py.tuple(), py.tuple(1), py.tuple(1, py.tuple('a', [2]))], kwargs: { z: 1, a: [1], 'é': 2, '\u{1F600}': 3, B: 4 } }),
      `q.enqueue_call('mylib.echo', job_id='containers-1', args=([], {}, [[1, [2, [3]]]], {'a': {'b': {'c': [None, True, False]}}}, (), (1,), (1, ('a', [2]))), kwargs={'z': 1, 'a': [1], 'é': 2, '\\U0001F600': 3, 'B': 4})`,
    )],
  },
  {
    name: 'long-reprs',
    steps: [step(
      ({ q }) => q.enqueueCall('mylib.echo', { jobId: 'long-reprs-1', args: ['x'.repeat(100), Array.from({ length: 40 }, (_, i) => i), 'é'.repeat(80), `${'a'.repeat(74)}\u{1F600}\u{1F600}`], kwargs: { long: 'y'.repeat(76) } }),
      `q.enqueue_call('mylib.echo', job_id='long-reprs-1', args=('x' * 100, list(range(40)), 'é' * 80, 'a' * 74 + '\\U0001F600\\U0001F600'), kwargs={'long': 'y' * 76})`,
    )],
  },
  {
    name: 'pickle-values',
    serializers: PICKLE,
    steps: [step(
      ({ q }) => q.enqueueCall('mylib.echo', {
        jobId: 'pickle-values-1',
        args: [Buffer.from("b'y\"\x00\xff", 'latin1'), py.bytearray([0, 39, 255]), new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 678)), py.date(2026, 1, 2), py.time(3, 4, 5, 6), py.timedelta({ days: 1, seconds: 2, microseconds: 3 }), py.decimal('1.10'), py.uuid('12345678-1234-5678-1234-567812345678'), new Map<unknown, unknown>([[1, 'a'], [py.tuple(1, 2), 'b']])],
      }),
      `q.enqueue_call('mylib.echo', job_id='pickle-values-1', args=(b'b\\'y"\\x00\\xff', bytearray([0, 39, 255]), datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC), date(2026, 1, 2), dtime(3, 4, 5, 6), timedelta(days=1, seconds=2, microseconds=3), Decimal('1.10'), UUID('12345678-1234-5678-1234-567812345678'), {1: 'a', (1, 2): 'b'}))`,
    )],
  },
  {
    name: 'int-sets',
    serializers: PICKLE,
    steps: [step(
      ({ q }) => q.enqueueCall('mylib.echo', { jobId: 'int-sets-1', args: [new Set([3, 1, 2]), new Set([100, 9, 33, -1, 8]), py.frozenset([40, 8, 16])] }),
      `q.enqueue_call('mylib.echo', job_id='int-sets-1', args=(set([3, 1, 2]), set([100, 9, 33, -1, 8]), frozenset([40, 8, 16])))`,
    )],
  },
  {
    name: 'str-sets',
    serializers: PICKLE,
    steps: [step(
      ({ q }) => q.enqueueCall('mylib.echo', { jobId: 'str-sets-1', args: [new Set(['h', 'g', 'f', 'e', 'd', 'c', 'b', 'a'])] }),
      `q.enqueue_call('mylib.echo', job_id='str-sets-1', args=(set(['h', 'g', 'f', 'e', 'd', 'c', 'b', 'a']),))`,
    )],
  },

  // ---- dependencies ----------------------------------------------------------------------------------
  {
    name: 'dep-ids',
    steps: [
      step(({ q }) => q.enqueueCall('mylib.add', { args: [1, 1], jobId: 'dep-ids-1' }), `q.enqueue_call('mylib.add', args=(1, 1), job_id='dep-ids-1')`),
      step(({ q }) => q.enqueueCall('mylib.add', { args: [2, 2], jobId: 'dep-ids-2' }), `q.enqueue_call('mylib.add', args=(2, 2), job_id='dep-ids-2')`),
      step(({ q }) => q.enqueueCall('mylib.add', { args: [3, 3], jobId: 'dep-ids-3', dependsOn: ['dep-ids-1', 'dep-ids-2'] }), `q.enqueue_call('mylib.add', args=(3, 3), job_id='dep-ids-3', depends_on=['dep-ids-1', 'dep-ids-2'])`),
    ],
  },
  {
    name: 'dep-ttl',
    steps: [
      step(({ q }) => q.enqueueCall('mylib.add', { args: [1, 1], jobId: 'dep-ttl-1' }), `q.enqueue_call('mylib.add', args=(1, 1), job_id='dep-ttl-1')`),
      step(({ q }) => q.enqueueCall('mylib.add', { args: [2, 2], jobId: 'dep-ttl-2', dependsOn: 'dep-ttl-1', ttl: 3600 }), `q.enqueue_call('mylib.add', args=(2, 2), job_id='dep-ttl-2', depends_on='dep-ttl-1', ttl=3600)`),
    ],
  },
  {
    name: 'dep-object',
    steps: [
      step(({ q }) => q.enqueueCall('mylib.add', { args: [1, 1], jobId: 'dep-object-1' }), `q.enqueue_call('mylib.add', args=(1, 1), job_id='dep-object-1')`),
      step(({ q }) => q.enqueueCall('mylib.add', { args: [2, 2], jobId: 'dep-object-2', dependsOn: new Dependency({ jobs: ['dep-object-1'] }) }), `q.enqueue_call('mylib.add', args=(2, 2), job_id='dep-object-2', depends_on=Dependency(jobs=['dep-object-1']))`),
      step(({ q }) => q.enqueueCall('mylib.add', { args: [3, 3], jobId: 'dep-object-3', dependsOn: new Dependency({ jobs: ['dep-object-1'], enqueueAtFront: true, allowFailure: true }) }), `q.enqueue_call('mylib.add', args=(3, 3), job_id='dep-object-3', depends_on=Dependency(jobs=['dep-object-1'], enqueue_at_front=True, allow_failure=True))`),
    ],
  },
  {
    name: 'dep-finished',
    steps: [
      step(({ q }) => q.enqueueCall('mylib.add', { args: [1, 1], jobId: 'dep-finished-1' }), `q.enqueue_call('mylib.add', args=(1, 1), job_id='dep-finished-1')`),
      raw('HSET', 'rq:job:dep-finished-1', 'status', 'finished'),
      step(({ q }) => q.enqueueCall('mylib.add', { args: [2, 2], jobId: 'dep-finished-2', dependsOn: new Dependency({ jobs: ['dep-finished-1'], enqueueAtFront: true }) }), `q.enqueue_call('mylib.add', args=(2, 2), job_id='dep-finished-2', depends_on=Dependency(jobs=['dep-finished-1'], enqueue_at_front=True))`),
    ],
  },
  {
    name: 'dep-failed',
    steps: [
      step(({ q }) => q.enqueueCall('mylib.add', { args: [1, 1], jobId: 'dep-failed-1' }), `q.enqueue_call('mylib.add', args=(1, 1), job_id='dep-failed-1')`),
      step(({ q }) => q.enqueueCall('mylib.add', { args: [2, 2], jobId: 'dep-failed-2' }), `q.enqueue_call('mylib.add', args=(2, 2), job_id='dep-failed-2')`),
      raw('HSET', 'rq:job:dep-failed-1', 'status', 'failed'),
      raw('HSET', 'rq:job:dep-failed-2', 'status', 'finished'),
      step(({ q }) => q.enqueueCall('mylib.add', { args: [3, 3], jobId: 'dep-failed-3', dependsOn: 'dep-failed-1' }), `q.enqueue_call('mylib.add', args=(3, 3), job_id='dep-failed-3', depends_on='dep-failed-1')`),
      step(
        ({ q }) => q.enqueueCall('mylib.add', { args: [4, 4], jobId: 'dep-failed-4', ttl: 3600, dependsOn: new Dependency({ jobs: ['dep-failed-1', 'dep-failed-2'], allowFailure: true }) }),
        `q.enqueue_call('mylib.add', args=(4, 4), job_id='dep-failed-4', ttl=3600, depends_on=Dependency(jobs=['dep-failed-1', 'dep-failed-2'], allow_failure=True))`,
      ),
    ],
  },

  // ---- scheduling ------------------------------------------------------------------------------------
  {
    name: 'enqueue-at',
    steps: [
      step(({ q }) => q.enqueueCallAt(FAR, 'mylib.add', { args: [1, 2], jobId: 'enqueue-at-1' }), `q.enqueue_at(${FAR_PY}, 'mylib.add', 1, 2, job_id='enqueue-at-1')`),
      step(({ q }) => q.enqueueCallAt(FAR, 'mylib.add', { args: [3, 4], jobId: 'enqueue-at-2', atFront: true, meta: { m: 1 } }), `q.enqueue_at(${FAR_PY}, 'mylib.add', 3, 4, job_id='enqueue-at-2', at_front=True, meta={'m': 1})`),
    ],
  },
  {
    name: 'enqueue-in',
    steps: [step(({ q }) => q.enqueueCallIn('10m', 'mylib.add', { args: [1, 2], jobId: 'enqueue-in-1', ttl: 3600 }), `q.enqueue_in(timedelta(minutes=10), 'mylib.add', 1, 2, job_id='enqueue-in-1', ttl=3600)`)],
  },

  // ---- bulk ------------------------------------------------------------------------------------------
  {
    name: 'many',
    steps: [step(
      ({ q }) => q.enqueueMany([
        Queue.prepareData('mylib.add', [1, 2], { jobId: 'many-1' }),
        Queue.prepareData('mylib.echo', ['x'], { jobId: 'many-2', kwargs: { k: 'v' }, description: 'third', resultTtl: 60, atFront: true }),
      ]),
      `q.enqueue_many([Queue.prepare_data('mylib.add', args=(1, 2), job_id='many-1'), Queue.prepare_data('mylib.echo', args=('x',), kwargs={'k': 'v'}, job_id='many-2', description='third', result_ttl=60, at_front=True)])`,
    )],
  },
  {
    name: 'many-deps',
    versions: since(1, 14),
    steps: [
      step(({ q }) => q.enqueueCall('mylib.add', { args: [1, 1], jobId: 'many-deps-1' }), `q.enqueue_call('mylib.add', args=(1, 1), job_id='many-deps-1')`),
      step(
        ({ q }) => q.enqueueMany([Queue.prepareData('mylib.add', [2, 2], { jobId: 'many-deps-2', dependsOn: 'many-deps-1', ttl: 3600 })]),
        `q.enqueue_many([Queue.prepare_data('mylib.add', args=(2, 2), job_id='many-deps-2', depends_on='many-deps-1', ttl=3600)])`,
      ),
    ],
  },
];
