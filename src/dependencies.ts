/**
 * Job dependencies (protocol §6.2): RQ's `Dependency(jobs, allow_failure, enqueue_at_front)`.
 */
import { InvalidArgumentError } from './errors.js';
import { validateJobId } from './validate.js';

/** Something that names a job: its id or an object with an `id` (a {@link Job}). */
export type JobRef = string | { readonly id: string };

export interface DependencyOptions {
  /** The jobs to wait for. */
  jobs: JobRef | readonly JobRef[];
  /** Run the dependent even if a dependency failed. */
  allowFailure?: boolean;
  /** Put the dependent at the head of its queue when it is released. */
  enqueueAtFront?: boolean;
}

/** A dependency specification. @see RQ `rq.Dependency` */
export class Dependency {
  readonly jobIds: readonly string[];
  readonly allowFailure: boolean;
  readonly enqueueAtFront: boolean;

  /** @throws InvalidArgumentError for an empty list or an invalid id. */
  constructor(options: DependencyOptions) {
    if (!options || typeof options !== 'object') throw new InvalidArgumentError('Dependency', options, 'expected { jobs, … }');
    const jobs = Array.isArray(options.jobs) ? options.jobs : [options.jobs as JobRef];
    if (jobs.length === 0) throw new InvalidArgumentError('Dependency.jobs', options.jobs, 'expected at least one job');
    this.jobIds = jobs.map((j, i) => refToId(j, `Dependency.jobs[${i}]`));
    for (const flag of ['allowFailure', 'enqueueAtFront'] as const) {
      if (options[flag] !== undefined && typeof options[flag] !== 'boolean') {
        throw new InvalidArgumentError(`Dependency.${flag}`, options[flag], 'expected a boolean');
      }
    }
    this.allowFailure = options.allowFailure ?? false;
    this.enqueueAtFront = options.enqueueAtFront ?? false;
  }
}

/** What `dependsOn` accepts: a job, an id, a Dependency, or a list mixing them. */
export type DependsOn = JobRef | Dependency | readonly (JobRef | Dependency)[];

/** Resolved dependencies: as in RQ, a flag set on any Dependency applies to the whole job. */
export interface ResolvedDependencies {
  ids: string[];
  allowFailure: boolean;
  enqueueAtFront: boolean;
  /** A {@link Dependency} was given: RQ then writes both flags, as `'0'` when unset. */
  fromDependency: boolean;
}

export function resolveDependsOn(value: DependsOn | undefined): ResolvedDependencies {
  const out: ResolvedDependencies = { ids: [], allowFailure: false, enqueueAtFront: false, fromDependency: false };
  if (value === undefined || value === null) return out;
  const items = Array.isArray(value) ? value : [value];
  items.forEach((item, i) => {
    if (item instanceof Dependency) {
      out.ids.push(...item.jobIds);
      out.fromDependency = true;
      out.allowFailure ||= item.allowFailure;
      out.enqueueAtFront ||= item.enqueueAtFront;
    } else {
      out.ids.push(refToId(item as JobRef, `dependsOn[${i}]`));
    }
  });
  out.ids = [...new Set(out.ids)];
  return out;
}

function refToId(ref: JobRef, option: string): string {
  if (typeof ref === 'string') return validateJobId(ref, option);
  if (ref && typeof ref === 'object' && typeof (ref as { id?: unknown }).id === 'string') return validateJobId(ref.id, option);
  throw new InvalidArgumentError(option, ref, 'expected a job id or a Job');
}

/**
 * Deferred-registry score. RQ 2.0–2.7 maintenance fails entries whose score is in the past, so write what
 * those versions write (now + ttl, or +inf); 1.x and 2.8+ never read the score for cleanup.
 */
export function deferredScore(nowSeconds: number, ttl: number | null): string {
  return ttl === null ? '+inf' : String(nowSeconds + ttl);
}
