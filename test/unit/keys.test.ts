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

  it('spells the worker, execution and maintenance keys as RQ 2.12 does (the module named in each comment)', () => {
    expect(keys.executionKey('j', 'e')).toBe('rq:execution:j:e'); // executions.py: rq:execution:{job_id}:{id}
    expect(keys.startedMember('j', 'e')).toBe('j:e'); // executions.py: composite_key
    expect(keys.groupKey('g')).toBe('rq:group:g'); // group.py: REDIS_GROUP_NAME_PREFIX
    expect(keys.workersKey()).toBe('rq:workers'); // worker_registration.py: REDIS_WORKER_KEYS
    expect(keys.queueWorkersKey('q')).toBe('rq:workers:q'); // worker_registration.py: WORKERS_BY_QUEUE_KEY
    expect(keys.suspendedKey()).toBe('rq:suspended'); // suspension.py: WORKERS_SUSPENDED
    expect(keys.cleanRegistriesLockKey('q')).toBe('rq:clean_registries:q'); // queue.py: registry_cleaning_key
    expect(keys.intermediateFirstSeenKey('q', 'j')).toBe('rq:queue:q:intermediate:first_seen:j'); // intermediate_queue.py
    expect(keys.schedulerLockKey('q')).toBe('rq:scheduler-lock:q'); // scheduler.py: SCHEDULER_LOCKING_KEY_TEMPLATE
    expect(keys.executionsKey('j')).toBe('rq:executions:j'); // executions.py: ExecutionRegistry.key_template
    expect(keys.groupsKey()).toBe('rq:groups'); // group.py: REDIS_GROUP_KEY
  });

  it('spells the cron keys as RQ 2.12 does (rq cron)', () => {
    expect(keys.cronSchedulersKey()).toBe('rq:cron_schedulers'); // cron_scheduler_registry.py
    expect(keys.cronSchedulerKey('s')).toBe('rq:cron_scheduler:s'); // cron.py: CronScheduler.key
    expect(keys.cronJobsKey()).toBe('rq:cron_jobs'); // cron_job_registry.py
    expect(keys.cronJobHistoryKey('n')).toBe('rq:cron_job:n:jobs'); // cron.py
  });

  it("keeps the Node worker's claim record beside its worker hash, outside RQ's worker sets", () => {
    expect(keys.workerClaimsKey('w')).toBe('rq:worker:w:claims');
  });

  it('reads worker names back from worker keys only', () => {
    expect(keys.workerNameFromKey('rq:worker:w1')).toBe('w1');
    expect(keys.workerNameFromKey('rq:workers:w1')).toBeNull();
    expect(keys.workerNameFromKey('x:rq:worker:w1')).toBeNull();
  });

  it('reads queue names back from queue keys only', () => {
    expect(keys.queueNameFromKey('rq:queue:high')).toBe('high');
    expect(keys.queueNameFromKey('rq:job:x')).toBeNull();
  });
});
