import { describe, expect, it } from 'vitest';
import { resolveHold } from '../../src/deferred.js';
import { Dependency, resolveDependsOn } from '../../src/dependencies.js';
import { InvalidArgumentError } from '../../src/errors.js';
import { heldJobEntry, heldJobsKey, parseHeldJobEntry } from '../../src/keys.js';
import { enqueueJobsArgs, futureOperationArgs, releaseFutureArgs } from '../../src/scripts.js';
import { unpackMsgpack } from '../helpers/msgpack-reader.js';

const deps = (value?: Parameters<typeof resolveDependsOn>[0]) => resolveDependsOn(value);

describe('resolveHold (deferred, blockedBy, allowFailure)', () => {
  it('makes a future, keeping its own dependencies and allowFailure', () => {
    expect(resolveHold({ deferred: true, allowFailure: true }, 'f', deps('p'))).toEqual({
      hold: { kind: 'future' }, dependencyIds: ['p'], allowFailure: true, atFrontOnRelease: false,
    });
    expect(resolveHold({ deferred: true }, 'f', deps(new Dependency({ jobs: 'p', allowFailure: true }))).allowFailure).toBe(true);
  });

  it('holds a job for a future, with no stock dependency of its own; dependsOn may only name that future', () => {
    expect(resolveHold({ blockedBy: { id: 'f' } }, 'h', deps())).toEqual({
      hold: { kind: 'blocked', futureId: 'f' }, dependencyIds: [], allowFailure: false, atFrontOnRelease: false,
    });
    expect(resolveHold({ blockedBy: 'f' }, 'h', deps([new Dependency({ jobs: 'f', enqueueAtFront: true }), 'f'])).atFrontOnRelease).toBe(true);
    expect(() => resolveHold({ blockedBy: 'f' }, 'h', deps(['f', 'x']))).toThrow(/contradicts blockedBy "f"/);
  });

  it.each([
    [{ blockedBy: 'h' }, 'blockedBy', /block itself/],
    [{ blockedBy: 'f', deferred: true }, 'blockedBy', /cannot itself be held/],
    [{ blockedBy: 'f', unique: true }, 'unique', /blockedBy/],
    [{ allowFailure: true }, 'allowFailure', /futures/],
    [{ deferred: 1 as never }, 'deferred', /boolean/],
    [{ blockedBy: 'a.b' }, 'blockedBy', /letters/],
    [{ blockedBy: 42 as never }, 'blockedBy', /job id or a Job/],
  ])('rejects %o naming %s', (options, option, message) => {
    const error = (() => {
      try {
        resolveHold(options, 'h', deps());
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).option).toBe(option);
    expect((error as Error).message).toMatch(message);
  });
});

describe('future keys and script arguments', () => {
  it('keeps the hold list under the future\'s job key, entries split at the last "/"', () => {
    expect(heldJobsKey('f1')).toBe('rq:job:f1:blocked');
    expect(heldJobEntry('a/b', 'j1')).toBe('a/b/j1');
    expect(parseHeldJobEntry('a/b/j1')).toEqual({ queue: 'a/b', id: 'j1' });
  });

  it('declares the future\'s keys for a held job', () => {
    const { keys, args } = enqueueJobsArgs([[{
      mode: 'blocked', queue: 'q', jobId: 'h', futureId: 'f', atFront: false, ttl: null, unique: false, createdAt: 'C',
      dependencyIds: [], allowDependencyFailures: false, deferredScore: '+inf', fields: [],
    }]]);
    expect(keys).toEqual(['rq:queues', 'rq:job:h', 'rq:queue:q', 'rq:job:h:dependents', 'rq:deferred:q', 'rq:job:f', 'rq:job::f:dependencies', 'rq:job:f:blocked']);
    expect(unpackMsgpack(args[0] as Buffer)).toEqual([['', '0', 0, 0, [['B', 'R', '', '0', 'C', 'h', '', '0', '+inf', [], [], [1, 2, 3, 4, 0, 5, 0, 6, 7, 8], 'f', 'q/h']]]]);
  });

  it('declares every held job\'s and dependency\'s keys for release, cancel and delete', () => {
    const release = releaseFutureArgs({ id: 'f', queue: 'qa' }, ['qb/h1'], ['h1', 'f'], 'NOW');
    expect(release.keys).toEqual([
      'rq:job:f', 'rq:job::f:dependencies', 'rq:job:f:blocked', 'rq:queue:qa', 'rq:deferred:qa', 'rq:queues',
      'rq:job:h1', 'rq:queue:qb', 'rq:deferred:qb', 'rq:job:h1',
    ]);
    expect(release.args).toEqual(['f', 'NOW', '1', '2', 'qb/h1', 'h1', 'f']);
    const del = futureOperationArgs({ id: 'f', queue: 'qa' }, ['qb/h1'], ['h1'], '0', true);
    expect(del.keys.slice(9)).toEqual([
      'rq:job::f:dependencies', 'rq:job:f:blocked', 'rq:job:f:dependents',
      'rq:job:h1', 'rq:deferred:qb', 'rq:canceled:qb', 'rq:job:h1:dependents', 'rq:job::h1:dependencies', 'rq:job:h1:dependents',
    ]);
    expect(del.keys.every((k) => k.length > 0)).toBe(true);
  });
});
