/**
 * Every way the Redis state rqts writes may differ from what Python RQ writes for the same call, with the
 * reason: the ONE list of them. The README's "Where the records differ from Python RQ's" table has one
 * row per entry (same `id`, checked by the record-diff test), and the test fails on any difference that
 * no entry explains, and on any entry that explains nothing (a stale entry).
 */
import type { PySerializer } from '../rq.js';
import type { Difference } from './dump.js';

export interface Where {
  major: number;
  minor: number;
  serializer: PySerializer;
}

export interface KnownDifference {
  /** Short stable name; the README table's first column. */
  id: string;
  /** Which RQ versions write it differently. */
  versions: string;
  /** Why rqts writes what it writes. */
  reason: string;
  /** True when this entry explains `d` on this RQ version and serializer. */
  matches(d: Difference, where: Where): boolean;
}

const before = (w: Where, major: number, minor: number): boolean => w.major < major || (w.major === major && w.minor < minor);
const jobKey = (d: Difference, ...ids: string[]): boolean => ids.some((id) => d.key === `rq:job:${id}`);

/** Hash fields RQ added after some installed version: an older RQ does not write them (nor read them). */
const FIELD_SINCE: Record<string, [number, number]> = {
  success_callback_timeout: [1, 14],
  failure_callback_timeout: [1, 14],
  stopped_callback_name: [1, 15],
  group_id: [2, 0],
};

export const knownDifferences: KnownDifference[] = [
  {
    id: 'newer-fields',
    versions: '1.x',
    reason:
      'rqts writes one record for every version, so it includes the fields newer RQ versions always write ' +
      '(`*_callback_timeout` from 1.14, `stopped_callback_name` from 1.15, `group_id` from 2.0); older ' +
      'workers ignore fields they do not know.',
    matches: (d, w) => d.kind === 'field' && d.python === '(absent)' && d.field! in FIELD_SINCE && before(w, ...FIELD_SINCE[d.field!]!),
  },
  {
    id: 'deferred-score',
    versions: '1.x, 2.8+',
    reason:
      'A deferred job is scored `+inf`, or now + `ttl`, in `rq:deferred:<queue>`, as RQ 2.0–2.7 write it: their ' +
      'maintenance fails deferred jobs whose score has passed, so the "now" that 1.x and 2.8+ write would fail ' +
      'the job there. 1.x and 2.8+ never read the score.',
    matches: (d, w) => d.kind === 'score' && d.key.startsWith('rq:deferred:') && d.rqts !== '(absent)' && d.python !== '(absent)' && (w.major < 2 || !before(w, 2, 8)),
  },
  {
    id: 'allow-failure-runs',
    versions: 'all',
    reason:
      'A job whose `Dependency({ allowFailure: true })` parents have all finished or failed by the time it is ' +
      'enqueued is queued at once. RQ leaves such a job deferred for ever (its worker only releases dependents ' +
      'when a parent finishes or fails later). The dependency records (`dependency_ids`, the parents\' ' +
      'dependents sets, the job\'s dependencies set) are written as RQ writes them. Row `dep-failed`.',
    matches: (d) =>
      (jobKey(d, 'dep-failed-4') && (d.field === 'status' || d.field === 'enqueued_at')) ||
      (d.kind === 'list' && d.key === 'rq:queue:rd-dep-failed') ||
      (d.kind === 'score' && d.key === 'rq:deferred:rd-dep-failed' && d.field === 'dep-failed-4' && d.rqts === '(absent)'),
  },
  {
    id: 'scheduled-ttl',
    versions: '1.x',
    reason:
      '`enqueueAt`/`enqueueIn` with a `ttl` expires the scheduled job key after `ttl`, as RQ 2.x does; RQ 1.x ' +
      'sets no expiry until the job is queued. rqts rejects a `ttl` that would end before the job is due. ' +
      'Row `enqueue-in`.',
    matches: (d, w) => w.major < 2 && d.kind === 'ttl' && jobKey(d, 'enqueue-in-1') && d.python === '-1',
  },
  {
    id: 'enqueue-many-ttl',
    versions: '1.14+',
    reason:
      'A job deferred by `enqueueMany` with a `ttl` expires (hash and dependencies set) as with `enqueueCall`. ' +
      "RQ's own `enqueue_many` leaves it without expiry while its `enqueue_call` expires it; rqts follows " +
      '`enqueue_call`. Row `many-deps`.',
    matches: (d) => d.kind === 'ttl' && d.python === '-1' && (d.key === 'rq:job:many-deps-2' || d.key === 'rq:job::many-deps-2:dependencies'),
  },
  {
    id: 'str-set-order',
    versions: 'all',
    reason:
      "A set of strings is written (pickle payload, description) in JavaScript insertion order. CPython orders it " +
      'by string hashes, which change with every interpreter run (`PYTHONHASHSEED`), so no other writer can ' +
      'match it; workers see an equal set. Sets of ints match CPython\'s order exactly. Row `str-sets`.',
    matches: (d) => jobKey(d, 'str-sets-1') && (d.field === 'description' || d.field === 'data'),
  },
];
