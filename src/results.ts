/**
 * Results: entries of the stream `rq:results:<id>` (RQ 1.12+, protocol §5), read newest first.
 */
import type { Connection, Reply } from './connection.js';
import { DeserializationError } from './errors.js';
import { resultsKey } from './keys.js';
import { loadsFor } from './payload.js';
import { ResultType } from './protocol.js';
import { decodeTraceback } from './record.js';
import type { Serializer } from './serializers/serializer.js';

/** One execution outcome, as RQ's `rq.results.Result`. */
export interface Result<R = unknown> {
  /** Stream entry id (`<ms>-<seq>`). */
  id: string;
  type: ResultType;
  /** When the worker wrote it (from the stream id). */
  createdAt: Date;
  /** The decoded return value; `null` for `None`, for failures, and for a missing field. */
  returnValue: R | null;
  /** Traceback text of a failure. */
  excString: string | null;
  /** `''` for maintenance-written entries; absent before RQ 2.5. */
  workerName: string | null;
  /** RQ 2.8+. */
  executionId: string | null;
}

/**
 * Which payloads of an entry to decode: a caller that only returns the value must not pay for (or fail on)
 * the traceback, and the other way round.
 */
export type ResultFields = 'all' | 'returnValue' | 'excString';

/**
 * Decode one `[id, [field, value, …]]` stream entry of `jobId`'s results; the payloads `only` leaves out
 * come back `null`.
 * @throws DeserializationError for a malformed entry or payload, or a traceback that inflates past the limit.
 */
export function parseResultEntry<R>(entry: Reply, serializer: Serializer, jobId: string, only: ResultFields = 'all'): Result<R> {
  if (!Array.isArray(entry) || entry.length < 2 || !Array.isArray(entry[1])) {
    throw new DeserializationError('Malformed results stream entry');
  }
  const id = String(entry[0]);
  const raw = entry[1];
  const fields = new Map<string, Buffer>();
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const k = raw[i];
    const v = raw[i + 1];
    if (Buffer.isBuffer(k) && Buffer.isBuffer(v)) fields.set(k.toString('utf8'), v);
  }
  const text = (name: string): string | null => fields.get(name)?.toString('utf8') ?? null;
  const type = Number(text('type')) as ResultType;
  const rv = fields.get('return_value');
  const exc = fields.get('exc_string');
  return {
    id,
    type,
    createdAt: new Date(Number(id.split('-')[0])),
    returnValue: rv && only !== 'excString' ? (loadsFor(serializer, Buffer.from(rv.toString('latin1'), 'base64'), `Job ${jobId}'s return value`) as R) : null,
    excString: exc && only !== 'returnValue' ? decodeTraceback(Buffer.from(exc.toString('latin1'), 'base64'), `exc_string of result ${id}`) : null,
    workerName: text('worker_name'),
    executionId: text('execution_id'),
  };
}

/** The newest result of a job, or null (`XREVRANGE … + - COUNT 1`). */
export async function fetchLatestResult<R>(connection: Connection, serializer: Serializer, jobId: string, only: ResultFields = 'all'): Promise<Result<R> | null> {
  const reply = await connection.command(['XREVRANGE', resultsKey(jobId), '+', '-', 'COUNT', '1']);
  if (!Array.isArray(reply) || reply.length === 0) return null;
  return parseResultEntry<R>(reply[0]!, serializer, jobId, only);
}

/** Every stored result of a job, newest first. */
export async function fetchResults<R>(connection: Connection, serializer: Serializer, jobId: string): Promise<Result<R>[]> {
  const reply = await connection.command(['XREVRANGE', resultsKey(jobId), '+', '-']);
  if (!Array.isArray(reply)) return [];
  return reply.map((entry) => parseResultEntry<R>(entry, serializer, jobId));
}
