/**
 * prepareJob: enqueue options → the hash fields RQ reads, without Redis. Expected spellings come from the
 * wire protocol's field table (§3): integers as decimal strings, booleans as '1', presence-checked fields
 * written only when set, JSON lists for ids and intervals.
 */
import { describe, expect, it } from 'vitest';
import { Callback, Defaults, Dependency, InvalidArgumentError, Repeat, Retry, resultOf, Webhook } from '../../src/index.js';
import type { RedisPipeline } from '../../src/connection.js';
import { prepareJob, type EnqueueCallOptions } from '../../src/prepare.js';
import { recordToFields } from '../../src/record.js';
import { resolveSerializer } from '../../src/serializers/index.js';

const pickle = resolveSerializer('pickle');
const json = resolveSerializer('json');

function fields(options: EnqueueCallOptions, func = 'mylib.add', defaultTimeout: number = Defaults.JOB_TIMEOUT): Map<string, string> {
  const { record } = prepareJob({ queue: 'q', serializer: pickle, defaultTimeout }, func, options);
  const flat = recordToFields(record);
  const out = new Map<string, string>();
  for (let i = 0; i < flat.length; i += 2) out.set(String(flat[i]), Buffer.isBuffer(flat[i + 1]) ? 'bytes' : String(flat[i + 1]));
  return out;
}

describe('prepareJob', () => {
  it('a plain job: RQ defaults, a UUID4 id, the Python call as description, nothing optional', () => {
    const p = prepareJob({ queue: 'q', serializer: pickle, defaultTimeout: Defaults.JOB_TIMEOUT }, 'mylib.add', { args: [1, 2] });
    expect(p.record.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(p).toMatchObject({ funcName: 'mylib.add', args: [1, 2], kwargs: {}, atFront: false, unique: false });
    const f = fields({ args: [1, 2] });
    expect(f.get('description')).toBe('mylib.add(1, 2)');
    expect(f.get('timeout')).toBe('180');
    expect(f.get('origin')).toBe('q');
    for (const absent of ['result_ttl', 'failure_ttl', 'ttl', 'meta', 'dependency_ids', 'dependency_id', 'allow_dependency_failures',
      'enqueue_at_front', 'retries_left', 'retry_intervals', 'enqueue_at_front_on_retry', 'success_callback_timeout',
      'failure_callback_timeout', 'stopped_callback_timeout']) {
      expect(f.has(absent), absent).toBe(false);
    }
    expect([f.get('success_callback_name'), f.get('failure_callback_name'), f.get('stopped_callback_name')]).toEqual(['', '', '']);
  });

  it('the queue default timeout, unless the job sets one', () => {
    expect(fields({}, 'mylib.add', 77).get('timeout')).toBe('77');
    expect(fields({ jobTimeout: '2m' }, 'mylib.add', 77).get('timeout')).toBe('120');
    expect(fields({ jobTimeout: -1 }).get('timeout')).toBe('-1');
  });

  it('TTLs, description, meta, flags', () => {
    const f = fields({ resultTtl: '10m', failureTtl: null, ttl: 45, description: 'd', meta: { a: 1 } });
    expect([f.get('result_ttl'), f.get('failure_ttl'), f.get('ttl'), f.get('description'), f.get('meta')]).toEqual(['600', '-1', '45', 'd', 'bytes']);
    expect(fields({ resultTtl: null }).get('result_ttl')).toBe('-1');
    expect(fields({ resultTtl: 0 }).get('result_ttl')).toBe('0');
    expect(fields({ ttl: null }).has('ttl')).toBe(false);
    expect(fields({ meta: {} }).has('meta')).toBe(false);
    const p = prepareJob({ queue: 'q', serializer: json, defaultTimeout: 1 }, 'm.f', { jobId: 'x', unique: true, atFront: true, kwargs: { k: 1 } });
    expect(p).toMatchObject({ atFront: true, unique: true, kwargs: { k: 1 } });
    expect(p.record.id).toBe('x');
    expect(json.loads(prepareJob({ queue: 'q', serializer: json, defaultTimeout: 1 }, 'm.f', { meta: { n: [1] } }).record.meta!)).toEqual({ n: [1] });
  });

  it('dependencies: ids as a JSON list, the first as dependency_id, Dependency flags as "1"', () => {
    const f = fields({ dependsOn: [new Dependency({ jobs: ['a', { id: 'b' }], allowFailure: true }), 'c', new Dependency({ jobs: 'a', enqueueAtFront: true })] });
    expect(f.get('dependency_ids')).toBe('["a", "b", "c"]');
    expect(f.get('dependency_id')).toBe('a');
    expect(f.get('allow_dependency_failures')).toBe('1');
    expect(f.get('enqueue_at_front')).toBe('1');
    const plain = fields({ dependsOn: 'a' });
    expect([plain.has('allow_dependency_failures'), plain.has('enqueue_at_front')]).toEqual([false, false]);
  });

  it('retry: retries_left, retry_intervals, and enqueue_at_front_on_retry only when asked', () => {
    const f = fields({ retry: new Retry({ max: 3, interval: [1, '2m'], enqueueAtFront: true }) });
    expect([f.get('retries_left'), f.get('retry_intervals'), f.get('enqueue_at_front_on_retry')]).toEqual(['3', '[1, 120]', '1']);
    const g = fields({ retry: new Retry({ max: 2 }) });
    expect([g.get('retries_left'), g.get('retry_intervals'), g.has('enqueue_at_front_on_retry')]).toEqual(['2', '[0]', false]);
  });

  it('callbacks: names, and timeouts (RQ\'s default when a Callback sets none) beside a name only', () => {
    const f = fields({ onSuccess: 'mylib.ok', onFailure: new Callback('mylib.bad', { timeout: '2m' }), onStopped: new Callback('mylib.stop') });
    expect([f.get('success_callback_name'), f.get('failure_callback_name'), f.get('stopped_callback_name')]).toEqual(['mylib.ok', 'mylib.bad', 'mylib.stop']);
    expect([f.get('success_callback_timeout'), f.get('failure_callback_timeout'), f.get('stopped_callback_timeout')]).toEqual([
      String(Defaults.CALLBACK_TIMEOUT), '120', String(Defaults.CALLBACK_TIMEOUT),
    ]);
  });

  it('rejects, naming the option', () => {
    const bad = (options: unknown, func = 'mylib.add') => {
      try {
        prepareJob({ queue: 'q', serializer: pickle, defaultTimeout: 1 }, func, options as EnqueueCallOptions);
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidArgumentError);
        return (error as InvalidArgumentError).option;
      }
      return 'accepted';
    };
    expect(bad({}, 'not a path')).toBe('func');
    expect(bad(undefined)).toBe('accepted'); // no options at all
    expect(bad(null)).toBe('options');
    expect(bad(5)).toBe('options');
    expect(bad({ args: 'x' })).toBe('args');
    expect(bad({ kwargs: [] })).toBe('kwargs');
    expect(bad({ jobId: 'a b' })).toBe('jobId');
    expect(bad({ description: 1 })).toBe('description');
    expect(bad({ meta: new Map() })).toBe('meta');
    expect(bad({ meta: { f: () => 1 } })).toBe('meta');
    expect(bad({ atFront: 1 })).toBe('atFront');
    expect(bad({ unique: 'yes', jobId: 'x' })).toBe('unique');
    expect(bad({ unique: true })).toBe('unique');
    expect(bad({ unique: false })).toBe('accepted');
    expect(bad({ unique: true, jobId: 'x', dependsOn: 'p' })).toBe('unique');
    expect(bad({ jobId: 'x', dependsOn: ['p', 'x'] })).toBe('dependsOn');
    expect(bad({ retry: { max: 1 } })).toBe('retry');
    expect(bad({ onSuccess: 'x y' })).toBe('onSuccess');
    expect(bad({ onFailure: 1 })).toBe('onFailure');
    expect(bad({ onStopped: 'a..b' })).toBe('onStopped');
    expect(bad({ timeout: 1 })).toBe('enqueueCall option "timeout"');
  });

  it('says what it expected for each option, with the value at fault', () => {
    const cases: [unknown, string, unknown, RegExp][] = [
      [null, 'options', null, /expected an object/],
      [{ args: 'x' }, 'args', 'x', /expected an array/],
      [{ kwargs: [] }, 'kwargs', [], /expected a plain object/],
      [{ description: 1 }, 'description', 1, /expected a string/],
      [{ meta: [] }, 'meta', [], /expected a plain object/],
      [{ atFront: 'yes' }, 'atFront', 'yes', /expected a boolean/],
      [{ unique: 1, jobId: 'x' }, 'unique', 1, /expected a boolean/],
      [{ unique: true }, 'unique', true, /unique jobs need an explicit jobId/],
      [{ unique: true, jobId: 'x', dependsOn: 'p' }, 'unique', true, /cannot be combined with dependsOn/],
      [{ unique: true, jobId: 'x', args: [resultOf('p')] }, 'unique', true, /resultOf\(\) arguments/],
      [{ jobId: 'x', dependsOn: 'x' }, 'dependsOn', 'x', /cannot depend on itself/],
      [{ jobId: 'x', args: [resultOf('x')] }, 'dependsOn', 'x', /cannot depend on itself/],
      [{ blockedBy: 'f', args: [resultOf('p')] }, 'blockedBy', 'f', /cannot be combined with resultOf\(\) arguments/],
      [{ deferred: true, pipeline: {} }, 'pipeline', '(a transaction)', /cannot be combined with deferred or blockedBy/],
      [{ blockedBy: 'f', pipeline: {} }, 'pipeline', '(a transaction)', /cannot be combined with deferred or blockedBy/],
      [{ retry: { max: 1 } }, 'retry', { max: 1 }, /expected new Retry\(\{ max, interval \}\)/],
      [{ repeat: { times: 2 } }, 'repeat', { times: 2 }, /expected new Repeat\(\{ times, interval \}\)/],
    ];
    for (const [options, option, value, reason] of cases) {
      try {
        prepareJob({ queue: 'q', serializer: pickle, defaultTimeout: 1 }, 'mylib.add', options as EnqueueCallOptions);
        expect.unreachable(option);
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidArgumentError);
        expect((error as InvalidArgumentError).option).toBe(option);
        expect((error as InvalidArgumentError).value).toEqual(value);
        expect((error as Error).message).toMatch(reason);
      }
    }
  });

  it('names meta when the serializer refuses it, keeping the serializer error as the cause', () => {
    try {
      prepareJob({ queue: 'q', serializer: json, defaultTimeout: 1 }, 'mylib.add', { meta: { when: new Date(0) } });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect((error as InvalidArgumentError).option).toBe('meta');
      expect((error as Error).cause).toBeInstanceOf(InvalidArgumentError);
    }
  });

  it('a call without args stores an empty argument list', () => {
    const job = prepareJob({ queue: 'q', serializer: pickle, defaultTimeout: 1 }, 'mylib.ping');
    expect(job.args).toEqual([]);
    expect(job.kwargs).toEqual({});
    expect(job.record.description).toBe('mylib.ping()');
  });

  it('resultOf() arguments become dependencies, once each, after those in dependsOn', () => {
    const job = prepareJob({ queue: 'q', serializer: pickle, defaultTimeout: 1 }, 'mylib.add', {
      dependsOn: ['p1'], args: [resultOf('p2'), resultOf('p1'), resultOf('p2')],
    });
    expect(job.record.dependencyIds).toEqual(['p1', 'p2']);
    expect(job.referencedIds).toEqual(['p2', 'p1']);
    expect(fields({ args: [resultOf('p3')] }).get('dependency_ids')).toBe('["p3"]');
  });

  it("a caller's transaction is accepted for an ordinary job", () => {
    const job = prepareJob({ queue: 'q', serializer: pickle, defaultTimeout: 1 }, 'mylib.add', { pipeline: {} as RedisPipeline });
    expect(job.hold).toBeNull();
  });

  it('repeat and webhooks: repeats_left, repeat_intervals and the webhooks list', () => {
    const f = fields({
      repeat: new Repeat({ times: 3, interval: [60, '2m'] }),
      webhooks: [new Webhook({ url: 'https://h.example/done', jobStatus: 'finished' }), { url: 'https://h.example/fail', jobStatus: 'failed', method: 'POST' }],
    });
    expect(f.get('repeats_left')).toBe('3');
    expect(f.get('repeat_intervals')).toBe('[60, 120]');
    expect(f.get('webhooks')).toBe('[{"url": "https://h.example/done", "job_status": "finished", "method": "GET", "headers": null, "timeout": 10}, '
      + '{"url": "https://h.example/fail", "job_status": "failed", "method": "POST", "headers": null, "timeout": 10}]');
    expect(fields({ webhooks: [] }).has('webhooks')).toBe(false);
  });

  it('writes the Dependency flags only for a Dependency object, as RQ does', () => {
    const plain = fields({ dependsOn: 'p' });
    expect(plain.get('dependency_ids')).toBe('["p"]');
    expect(plain.has('allow_dependency_failures')).toBe(false);
    expect(plain.has('enqueue_at_front')).toBe(false);
  });

  it('futures and held jobs: allowFailure, and the head of the queue on release', () => {
    expect(fields({ deferred: true, allowFailure: true, jobId: 'f' }).get('allow_dependency_failures')).toBe('1');
    expect(fields({ deferred: true, jobId: 'f' }).has('allow_dependency_failures')).toBe(false);
    expect(fields({ blockedBy: 'f', atFront: true }).get('enqueue_at_front')).toBe('1');
    const viaDependency = fields({ blockedBy: 'f', dependsOn: new Dependency({ jobs: 'f', enqueueAtFront: true }) });
    expect(viaDependency.get('enqueue_at_front')).toBe('1');
    // A held job has no dependencies of its own, so no allow_dependency_failures either.
    expect(viaDependency.has('allow_dependency_failures')).toBe(false);
    expect(viaDependency.has('dependency_ids')).toBe(false);
    expect(fields({ blockedBy: 'f' }).has('enqueue_at_front')).toBe(false);
  });
});

