/**
 * RQ's suspension switch (`rq suspend` / `rq resume`, protocol §7.7): while `rq:suspended` exists, Python and
 * Node workers take no new job (burst workers exit); running jobs finish.
 */
import { Connection, type ConnectionLike } from './connection.js';
import { InvalidArgumentError } from './errors.js';
import { suspendedKey } from './keys.js';

/**
 * Suspend every worker of this Redis, as `rq suspend [--duration N]` does.
 * @param options.duration - seconds until the suspension lapses by itself; none = until {@link resume}.
 * @throws InvalidArgumentError for a duration that is not a whole number of seconds ≥ 1.
 * @see RQ `rq.suspension.suspend`
 */
export async function suspend(connection: ConnectionLike, options: { duration?: number } = {}): Promise<void> {
  const { duration } = options;
  if (duration !== undefined && (!Number.isInteger(duration) || duration < 1)) {
    throw new InvalidArgumentError('duration', duration, 'expected whole seconds ≥ 1');
  }
  const conn = Connection.from(connection);
  await conn.command(duration === undefined ? ['SET', suspendedKey(), '1'] : ['SET', suspendedKey(), '1', 'EX', String(duration)]);
}

/** Let workers take jobs again (`rq resume`). @see RQ `rq.suspension.resume` */
export async function resume(connection: ConnectionLike): Promise<void> {
  await Connection.from(connection).command(['DEL', suspendedKey()]);
}

/** True while workers are suspended. @see RQ `rq.suspension.is_suspended` */
export async function isSuspended(connection: ConnectionLike): Promise<boolean> {
  return (await Connection.from(connection).command(['EXISTS', suspendedKey()])) === 1;
}
