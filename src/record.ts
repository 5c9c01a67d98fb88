/**
 * The job hash `rq:job:<id>` ⇄ {@link JobRecord}, field by field (protocol §3.1). Writing follows what
 * Python RQ 2.x writes on enqueue (1.13 ignores the fields it does not know); reading is tolerant the way
 * `Job.restore` is: a missing field and an empty string both mean "not set".
 */
import { constants as zlib, deflateSync, inflateSync } from 'node:zlib';
import type { Arg } from './connection.js';
import { DeserializationError } from './errors.js';
import { pyJsonDumps } from './webhook.js';

/** One stored webhook (RQ 2.10+), as Python's `Webhook.to_dict()` writes it. */
export interface WebhookRecord {
  url: string;
  job_status: string;
  method: string;
  headers: Record<string, string> | null;
  timeout: number;
}

/** A job record in camelCase. Optional fields are `null` when unset. */
export interface JobRecord {
  id: string;
  /** The stored payload: zlib(serializer.dumps((func_name, instance, args, kwargs))). */
  data: Buffer;
  origin: string;
  status: string | null;
  description: string | null;
  createdAt: Date | null;
  enqueuedAt: Date | null;
  startedAt: Date | null;
  endedAt: Date | null;
  lastHeartbeat: Date | null;
  workerName: string | null;
  /** Seconds; -1 = no limit; null = worker default (180). */
  timeout: number | null;
  resultTtl: number | null;
  failureTtl: number | null;
  ttl: number | null;
  /** Serialized meta dict (the job's serializer, not compressed). */
  meta: Buffer | null;
  dependencyIds: string[];
  allowDependencyFailures: boolean | null;
  enqueueAtFront: boolean | null;
  successCallbackName: string | null;
  failureCallbackName: string | null;
  stoppedCallbackName: string | null;
  successCallbackTimeout: number | null;
  failureCallbackTimeout: number | null;
  stoppedCallbackTimeout: number | null;
  retriesLeft: number | null;
  retryIntervals: number[] | null;
  /** RQ 2.8+; older workers ignore it. */
  enqueueAtFrontOnRetry: boolean | null;
  groupId: string | null;
  /** Repeats still to come after a success (RQ 2.2+; 1.x ignores it). */
  repeatsLeft: number | null;
  /** Seconds before each repeat (RQ 2.2+). */
  repeatIntervals: number[] | null;
  /** Webhooks as stored: Python's `Webhook.to_dict()` of each (RQ 2.10+). */
  webhooks: WebhookRecord[] | null;
  /** Legacy traceback text in the hash (RQ < 5 Redis, abandoned jobs on 1.x, '' after requeue). */
  excInfo: string | null;
  /** Legacy serialized result in the hash (old Redis, repeat/Retry re-saves on 2.3+). */
  result: Buffer | null;
}

// ---------------------------------------------------------------------------------------------------------
// Timestamps: RQ writes `%Y-%m-%dT%H:%M:%S.%fZ` (UTC, 6 digits) and also reads `%Y-%m-%dT%H:%M:%SZ`.

let lastMicros = 0;

/** Microseconds since the epoch, strictly increasing within this process. */
export function nowMicros(): number {
  const t = Math.floor((performance.timeOrigin + performance.now()) * 1000);
  lastMicros = t > lastMicros ? t : lastMicros + 1;
  return lastMicros;
}

/** `2026-11-22T23:32:02` of the whole second last formatted: every enqueue formats "now", so it repeats. */
let lastSecond = Number.NaN;
let lastSecondText = '';

/** RQ's datetime string for a time in microseconds since the epoch (or a Date). */
export function formatDatetime(time: number | Date): string {
  const micros = time instanceof Date ? time.getTime() * 1000 : time;
  const second = Math.floor(micros / 1_000_000);
  if (second !== lastSecond) {
    lastSecondText = new Date(second * 1000).toISOString().slice(0, 19); // 2026-11-22T23:32:02.000Z
    lastSecond = second;
  }
  const frac = String(((micros % 1_000_000) + 1_000_000) % 1_000_000).padStart(6, '0');
  return `${lastSecondText}.${frac}Z`;
}

const DATETIME_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?Z$/;

/** `.<6 digits>Z`, the fraction RQ and rqts write. */
const FRACTION_RE = /^\.\d{6}Z$/;

/** The whole second last parsed, as text and epoch ms: a job's timestamps mostly share their second. */
let lastParsedSecond = '';
let lastParsedMs = 0;

/** Parse RQ's datetime string (1–6 fractional digits or none) to a Date; null for '' or garbage. */
export function parseDatetime(text: string | null | undefined): Date | null {
  if (!text) return null;
  // Fast path: the same second again, with RQ's 6-digit fraction.
  if (lastParsedSecond !== '' && text.length === 27 && text.startsWith(lastParsedSecond) && FRACTION_RE.test(text.slice(19))) {
    return new Date(lastParsedMs + Number(text.slice(20, 23)));
  }
  const m = DATETIME_RE.exec(text);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac = ''] = m;
  const ms = Number(frac.padEnd(6, '0').slice(0, 3));
  const date = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms));
  if (Number.isNaN(date.getTime())) return null;
  lastParsedSecond = text.slice(0, 19);
  lastParsedMs = date.getTime() - ms;
  return date;
}

/** Registry scores are whole Unix seconds. */
export const epochSeconds = (micros: number): number => Math.floor(micros / 1_000_000);

// ---------------------------------------------------------------------------------------------------------
// The data payload.

/** Payloads up to this size are stored, not deflated: the zlib call costs more than the bytes it saves. */
const STORED_MAX = 512;

/**
 * zlib (RFC 1950), which every RQ version inflates. Small payloads (most job calls) go in one *stored*
 * block: starting a zlib stream costs ~12 µs, more than the rest of an enqueue's encoding, and deflating
 * 60 bytes saves nothing. Larger ones are deflated at Python's default level; `deflateSync` hands back a
 * view into a 16 KiB chunk, so the bytes are copied out to let that chunk go.
 */
export function compress(bytes: Buffer): Buffer {
  if (bytes.length > STORED_MAX) return Buffer.from(deflateSync(bytes, { level: 6 }));
  const out = Buffer.allocUnsafe(bytes.length + 11);
  out[0] = 0x78; // CMF: deflate, 32 KiB window
  out[1] = 0x01; // FLG: no dictionary, fastest; (0x78 << 8 | 0x01) % 31 === 0
  out[2] = 0x01; // final block, stored
  out.writeUInt16LE(bytes.length, 3);
  out.writeUInt16LE(~bytes.length & 0xffff, 5);
  bytes.copy(out, 7);
  out.writeUInt32BE(adler32(bytes), bytes.length + 7);
  return out;
}

/**
 * The contents of a zlib stream that is one final stored block with a valid checksum — what
 * {@link compress} writes for small payloads (and zlib level 0) — read without a zlib handle; else null.
 */
function storedBlock(bytes: Buffer): Buffer | null {
  // CMF/FLG check and no preset dictionary; then BFINAL=1, BTYPE=00 (the rest of that byte is padding).
  if (bytes.length < 11 || ((bytes[0]! << 8) | bytes[1]!) % 31 !== 0 || (bytes[1]! & 0x20) !== 0 || (bytes[2]! & 0x07) !== 0x01) return null;
  const length = bytes.readUInt16LE(3);
  if ((length ^ 0xffff) !== bytes.readUInt16LE(5) || bytes.length !== length + 11) return null;
  const body = bytes.subarray(7, 7 + length);
  return adler32(body) === bytes.readUInt32BE(7 + length) ? body : null;
}

function adler32(bytes: Buffer): number {
  let a = 1;
  let b = 0;
  for (let i = 0; i < bytes.length; i++) {
    a = (a + bytes[i]!) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/**
 * Most bytes a stored payload may inflate to. A small field can inflate to gigabytes (a zlib bomb), and
 * inflating is where memory and time would go, so inflation stops here: about 0.1 s and 64 MiB at worst.
 */
export const MAX_INFLATED_BYTES = 64 * 1024 * 1024;

/** Most bytes a traceback (`exc_info`, `exc_string`) may inflate to. */
export const MAX_TRACEBACK_BYTES = 4 * 1024 * 1024;

/**
 * RQ tries zlib and falls back to the raw bytes, so uncompressed payloads are valid (protocol §3.2).
 * @throws DeserializationError when the bytes would inflate past `maxBytes` (nothing larger is allocated).
 */
export function decompress(bytes: Buffer, maxBytes = MAX_INFLATED_BYTES, what = 'payload'): Buffer {
  if (bytes.length < 2 || bytes[0] !== 0x78) return bytes;
  const stored = storedBlock(bytes);
  if (stored) return stored;
  try {
    // A zlib handle's output chunk is 16 KiB by default; most payloads inflate to far less, and allocating
    // (and zeroing) the chunk costs more than the inflating.
    const chunkSize = Math.min(16_384, Math.max(256, bytes.length * 4));
    return inflateSync(bytes, { maxOutputLength: maxBytes, chunkSize });
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new DeserializationError(`The ${what} inflates past the ${maxBytes}-byte limit (a decompression bomb?); not decoded`, { cause: error });
    }
    return bytes;
  }
}

/**
 * zlib'd UTF-8 traceback (`exc_info` / `exc_string`); raw text accepted on read, as RQ does.
 * @throws DeserializationError when it inflates past {@link MAX_TRACEBACK_BYTES}.
 */
export function decodeTraceback(bytes: Buffer, what = 'traceback'): string {
  return decompress(bytes, MAX_TRACEBACK_BYTES, what).toString('utf8');
}

// ---------------------------------------------------------------------------------------------------------
// Writing.

/** Fields RQ always writes, as `''` when unset (protocol §3.3). */
const EMPTY_WHEN_UNSET = [
  'success_callback_name',
  'failure_callback_name',
  'stopped_callback_name',
  'started_at',
  'ended_at',
  'last_heartbeat',
  'worker_name',
  'group_id',
] as const;

/**
 * The flat `field, value, …` list for `HSET`, status first as Python writes it. Only fields a worker of any
 * supported version parses are written, with encodings it accepts: integers as decimal strings, booleans as
 * `'1'`, JSON lists for ids and intervals, and never `''` in presence-checked fields. `exact` carries
 * microsecond timestamp strings (a Date holds only milliseconds).
 */
export function recordToFields(r: JobRecord, exact: { createdAt?: string; enqueuedAt?: string } = {}): Arg[] {
  const f: Arg[] = [];
  const put = (name: string, value: Arg | null | undefined): void => {
    if (value !== null && value !== undefined) f.push(name, value);
  };
  const int = (n: number | null): string | null => (n === null ? null : String(n));
  const date = (d: Date | null): string | null => (d === null ? null : formatDatetime(d));

  put('status', r.status);
  put('created_at', exact.createdAt ?? date(r.createdAt));
  put('data', r.data);
  put('success_callback_name', r.successCallbackName ?? '');
  put('failure_callback_name', r.failureCallbackName ?? '');
  put('stopped_callback_name', r.stoppedCallbackName ?? '');
  put('started_at', date(r.startedAt) ?? '');
  put('ended_at', date(r.endedAt) ?? '');
  put('last_heartbeat', date(r.lastHeartbeat) ?? '');
  put('worker_name', r.workerName ?? '');
  put('group_id', r.groupId ?? '');
  put('origin', r.origin);
  put('description', r.description);
  put('enqueued_at', exact.enqueuedAt ?? date(r.enqueuedAt));
  put('timeout', int(r.timeout));
  put('result_ttl', int(r.resultTtl));
  put('failure_ttl', int(r.failureTtl));
  put('ttl', int(r.ttl));
  put('meta', r.meta);
  if (r.dependencyIds.length > 0) {
    put('dependency_ids', pyJsonList(r.dependencyIds));
    put('dependency_id', r.dependencyIds[0]);
  }
  put('allow_dependency_failures', r.allowDependencyFailures === null ? null : r.allowDependencyFailures ? '1' : '0');
  put('enqueue_at_front', r.enqueueAtFront === null ? null : r.enqueueAtFront ? '1' : '0');
  put('success_callback_timeout', r.successCallbackName ? int(r.successCallbackTimeout) : null);
  put('failure_callback_timeout', r.failureCallbackName ? int(r.failureCallbackTimeout) : null);
  put('stopped_callback_timeout', r.stoppedCallbackName ? int(r.stoppedCallbackTimeout) : null);
  put('retries_left', int(r.retriesLeft));
  put('retry_intervals', r.retryIntervals === null ? null : pyJsonList(r.retryIntervals));
  put('enqueue_at_front_on_retry', r.enqueueAtFrontOnRetry ? '1' : null);
  put('repeats_left', int(r.repeatsLeft));
  put('repeat_intervals', r.repeatIntervals === null ? null : pyJsonList(r.repeatIntervals));
  put('webhooks', r.webhooks === null || r.webhooks.length === 0 ? null : pyJsonDumps(r.webhooks));
  return f;
}

/** A fresh record with RQ's enqueue-time values; callers fill in what they know. */
export function emptyRecord(id: string, origin: string, data: Buffer): JobRecord {
  return {
    id, data, origin,
    status: null, description: null,
    createdAt: null, enqueuedAt: null, startedAt: null, endedAt: null, lastHeartbeat: null,
    workerName: null, timeout: null, resultTtl: null, failureTtl: null, ttl: null, meta: null,
    dependencyIds: [], allowDependencyFailures: null, enqueueAtFront: null,
    successCallbackName: null, failureCallbackName: null, stoppedCallbackName: null,
    successCallbackTimeout: null, failureCallbackTimeout: null, stoppedCallbackTimeout: null,
    retriesLeft: null, retryIntervals: null, enqueueAtFrontOnRetry: null, groupId: null, excInfo: null, result: null,
    repeatsLeft: null, repeatIntervals: null, webhooks: null,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Reading.

/** `HGETALL` reply (flat `[field, value, …]` Buffers) → field map. */
export function fieldsFromReply(reply: unknown): Map<string, Buffer> {
  const map = new Map<string, Buffer>();
  if (!Array.isArray(reply)) return map;
  for (let i = 0; i + 1 < reply.length; i += 2) {
    const k = reply[i];
    const v = reply[i + 1];
    if (Buffer.isBuffer(k) && Buffer.isBuffer(v)) map.set(k.toString('utf8'), v);
  }
  return map;
}

/**
 * Field map → record. Tolerant like `Job.restore`; unparsable numbers and JSON become `null` rather than an
 * exception, because a record a Python producer wrote must always be readable.
 * @throws DeserializationError when `data` is missing (RQ raises `NoSuchJobError` there).
 */
export function recordFromFields(id: string, fields: Map<string, Buffer>): JobRecord {
  const data = fields.get('data');
  if (!data) throw new DeserializationError(`Job ${id} has no data field`);
  const text = (name: string): string | null => {
    const v = fields.get(name);
    return v && v.length > 0 ? v.toString('utf8') : null;
  };
  const int = (name: string): number | null => {
    const t = text(name);
    return t !== null && /^-?\d+$/.test(t) ? Number(t) : null;
  };
  const bool = (name: string): boolean | null => {
    const n = int(name);
    return n === null ? null : n !== 0;
  };
  const json = <T>(name: string, check: (v: unknown) => v is T): T | null => {
    const t = text(name);
    if (t === null) return null;
    try {
      const v: unknown = JSON.parse(t);
      return check(v) ? v : null;
    } catch {
      return null;
    }
  };
  const blob = (name: string): Buffer | null => {
    const v = fields.get(name);
    return v && v.length > 0 ? v : null;
  };
  const dependencyIds = json('dependency_ids', isStringArray) ?? (text('dependency_id') ? [text('dependency_id')!] : []);
  const excInfo = fields.get('exc_info');
  const record: JobRecord = {
    id,
    data,
    origin: text('origin') ?? '',
    status: text('status'),
    description: text('description'),
    createdAt: parseDatetime(text('created_at')),
    enqueuedAt: parseDatetime(text('enqueued_at')),
    startedAt: parseDatetime(text('started_at')),
    endedAt: parseDatetime(text('ended_at')),
    lastHeartbeat: parseDatetime(text('last_heartbeat')),
    workerName: text('worker_name'),
    timeout: int('timeout'),
    resultTtl: int('result_ttl'),
    failureTtl: int('failure_ttl'),
    ttl: int('ttl'),
    meta: blob('meta'),
    dependencyIds,
    allowDependencyFailures: bool('allow_dependency_failures'),
    enqueueAtFront: bool('enqueue_at_front'),
    successCallbackName: text('success_callback_name'),
    failureCallbackName: text('failure_callback_name'),
    stoppedCallbackName: text('stopped_callback_name'),
    successCallbackTimeout: int('success_callback_timeout'),
    failureCallbackTimeout: int('failure_callback_timeout'),
    stoppedCallbackTimeout: int('stopped_callback_timeout'),
    retriesLeft: int('retries_left'),
    retryIntervals: json('retry_intervals', isIntArray),
    enqueueAtFrontOnRetry: bool('enqueue_at_front_on_retry'),
    groupId: text('group_id'),
    repeatsLeft: int('repeats_left'),
    repeatIntervals: json('repeat_intervals', isIntArray),
    webhooks: json('webhooks', isWebhookList),
    excInfo: null,
    result: blob('result'),
  };
  // Inflated only when read (a bomb here must not make the job unreadable), once; throws DeserializationError.
  if (excInfo && excInfo.length > 0) {
    let decoded: string | null | undefined;
    Object.defineProperty(record, 'excInfo', {
      enumerable: true,
      configurable: true,
      get: () => (decoded ??= decodeTraceback(excInfo, `exc_info of job ${id}`) || null),
    });
  }
  return record;
}

/** A list as Python's `json.dumps` writes it (`[1, 2]`, `["a", "b"]`), as RQ stores ids and intervals. */
function pyJsonList(items: readonly (string | number)[]): string {
  return `[${items.map((v) => JSON.stringify(v)).join(', ')}]`;
}

const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
const isIntArray = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => Number.isInteger(x));
const isWebhookList = (v: unknown): v is WebhookRecord[] =>
  Array.isArray(v) && v.every((w) => typeof w === 'object' && w !== null && typeof (w as WebhookRecord).url === 'string');
