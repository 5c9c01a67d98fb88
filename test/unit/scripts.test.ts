import { describe, expect, it } from 'vitest';
import { enqueueJobsArgs, type EnqueueSpec } from '../../src/scripts.js';

const spec = (over: Partial<EnqueueSpec> = {}): EnqueueSpec => ({
  mode: 'queue', queue: 'high', jobId: 'j1', atFront: false, ttl: null, unique: false, createdAt: 'C', enqueuedAt: 'E',
  dependencyIds: [], allowDependencyFailures: false, deferredScore: '+inf', fields: ['origin', 'high'], ...over,
});

describe('enqueueJobs script arguments', () => {
  it('passes every key from keys.ts, per job, with the dependency keys last', () => {
    const { keys, args, script } = enqueueJobsArgs([spec({ dependencyIds: ['p1'], atFront: true, ttl: 60 })]);
    expect(keys).toEqual([
      'rq:queues', 'rq:job:j1', 'rq:queue:high', 'rq:job:j1:dependents', 'rq:job::j1:dependencies',
      'rq:deferred:high', 'rq:scheduled:high', 'rq:job:p1', 'rq:job:p1:dependents',
    ]);
    expect(args).toEqual(['1', 'Q', 'L', '60', '0', 'C', 'j1', '', '1', '0', '+inf', 'E', 'p1', '2', 'origin', 'high']);
    expect(script.sha).toMatch(/^[0-9a-f]{40}$/);
    expect(script.source).not.toMatch(/rq:/);
  });

  it('lays out several jobs one after another', () => {
    const { keys, args } = enqueueJobsArgs([spec(), spec({ jobId: 'j2', mode: 'schedule', scheduledScore: 1700000000, unique: true })]);
    expect(keys).toHaveLength(14);
    expect(args[0]).toBe('2');
    const second = args.slice(1 + 12 + 2);
    expect(second.slice(0, 8)).toEqual(['S', 'R', '', '1', 'C', 'j2', '1700000000', '0']);
  });
});
