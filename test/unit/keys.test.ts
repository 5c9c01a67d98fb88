import { describe, expect, it } from 'vitest';
import * as keys from '../../src/keys.js';

describe('keys', () => {
  it('spells every key as RQ does', () => {
    expect(keys.queuesKey()).toBe('rq:queues');
    expect(keys.queueKey('default')).toBe('rq:queue:default');
    expect(keys.jobKey('abc')).toBe('rq:job:abc');
    expect(keys.dependentsKey('abc')).toBe('rq:job:abc:dependents');
    // RQ's double colon, in every version (protocol §11.1)
    expect(keys.dependenciesKey('abc')).toBe('rq:job::abc:dependencies');
    expect(keys.resultsKey('abc')).toBe('rq:results:abc');
    expect(keys.intermediateQueueKey('q')).toBe('rq:queue:q:intermediate');
    expect(keys.registryKeys.started('q')).toBe('rq:wip:q');
    expect(keys.registryKeys.finished('q')).toBe('rq:finished:q');
    expect(keys.registryKeys.failed('q')).toBe('rq:failed:q');
    expect(keys.registryKeys.deferred('q')).toBe('rq:deferred:q');
    expect(keys.registryKeys.scheduled('q')).toBe('rq:scheduled:q');
    expect(keys.registryKeys.canceled('q')).toBe('rq:canceled:q');
    expect(keys.workerKey('w')).toBe('rq:worker:w');
    expect(keys.workerCommandChannel('w')).toBe('rq:pubsub:w');
  });

  it('reads queue names back from queue keys only', () => {
    expect(keys.queueNameFromKey('rq:queue:high')).toBe('high');
    expect(keys.queueNameFromKey('rq:job:x')).toBeNull();
  });
});
