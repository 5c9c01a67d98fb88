/**
 * The record diff's two halves: dump every key of one Redis database (type, TTL, value), and compare two
 * dumps key by key with the normalisations the writers legitimately differ by (clock, payload bytes).
 */
import type { Connection, Reply } from '../../../src/connection.js';
import { pyRepr } from '../../../src/py/repr.js';
import { decompress } from '../../../src/record.js';
import type { Serializer } from '../../../src/serializers/serializer.js';

export type KeyType = 'string' | 'hash' | 'list' | 'set' | 'zset' | 'none';

export interface KeyDump {
  type: KeyType;
  /** When the key expires (epoch seconds, `PEXPIRETIME`, Redis 7+); -1 = never. */
  expiresAt: number;
  /** string: [value]; list: items in order; set: sorted members; hash: field → value; zset: member → score. */
  value: Buffer[] | Map<string, Buffer>;
}

/** One database's keys, with the writer's clock (epoch seconds) at the start of each row, to normalise against. */
export interface Dump {
  keys: Map<string, KeyDump>;
  /** Row name → when the writer started that row. */
  starts: Record<string, number>;
}

const buf = (r: Reply): Buffer => (Buffer.isBuffer(r) ? r : Buffer.from(String(r)));

/** Every key of the connection's database. */
export async function dumpDatabase(connection: Connection, starts: Record<string, number>): Promise<Dump> {
  const names: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = (await connection.command(['SCAN', cursor, 'COUNT', '1000'])) as [Reply, Reply[]];
    cursor = String(next);
    names.push(...batch.map(String));
  } while (cursor !== '0');
  const keys = new Map<string, KeyDump>();
  for (const key of names.sort()) {
    const [type, expiry] = (await connection.pipeline([['TYPE', key], ['PEXPIRETIME', key]])).map(String) as [KeyType, string];
    let value: KeyDump['value'];
    if (type === 'hash' || type === 'zset') {
      const flat = (await connection.command(type === 'hash' ? ['HGETALL', key] : ['ZRANGE', key, '0', '-1', 'WITHSCORES'])) as Reply[];
      value = new Map();
      for (let i = 0; i + 1 < flat.length; i += 2) value.set(String(flat[i]), buf(flat[i + 1]!));
    } else if (type === 'list') {
      value = ((await connection.command(['LRANGE', key, '0', '-1'])) as Reply[]).map(buf);
    } else if (type === 'set') {
      value = ((await connection.command(['SMEMBERS', key])) as Reply[]).map(buf).sort(Buffer.compare);
    } else {
      value = [buf(await connection.command(['GET', key]))];
    }
    keys.set(key, { type, expiresAt: Number(expiry) < 0 ? -1 : Number(expiry) / 1000, value });
  }
  return { keys, starts };
}

/** One difference between what rqts wrote and what Python RQ wrote. */
export interface Difference {
  key: string;
  /** `key` (presence or type), `ttl`, `field`, `list`, `set`, `score`. */
  kind: 'key' | 'ttl' | 'field' | 'list' | 'set' | 'score';
  /** The hash field or zset member, when the difference is in one. */
  field?: string;
  rqts: string;
  python: string;
}

export interface CompareOptions {
  /** Decodes `data` / `meta` when their bytes differ. */
  serializer: Serializer;
  /** Seconds two clock readings may differ by once each is taken relative to its writer's start of the row. */
  clockTolerance: number;
  /** The row a key belongs to (timestamps in it are read relative to that row's start). */
  rowOf(key: string): string | undefined;
}

export interface Comparison {
  differences: Difference[];
  /** Values compared (keys, TTLs, fields, list/set items, scores) — the denominator of the report. */
  checks: number;
  /** `data`/`meta` fields whose bytes differ but decode to equal values (counted as identical). */
  sameValueOtherBytes: string[];
}

const DATETIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?Z$/;
const TIMESTAMP_FIELDS = new Set(['created_at', 'enqueued_at', 'started_at', 'ended_at', 'last_heartbeat']);

/** RQ's datetime string → epoch seconds (with microseconds), or null. */
export function parseRqDatetime(text: string): number | null {
  const m = DATETIME.exec(text);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac = '0'] = m;
  return Date.UTC(+y!, +mo! - 1, +d!, +h!, +mi!, +s!) / 1000 + Number(`0.${frac}`);
}

const show = (b: Buffer | undefined): string => {
  if (b === undefined) return '(absent)';
  const text = b.toString('utf8');
  return Buffer.from(text, 'utf8').equals(b) && !/[\x00-\x08\x0e-\x1f]/.test(text) ? JSON.stringify(text) : `0x${b.toString('hex')}`;
};

/** Compare what rqts wrote (`a`) with what Python RQ wrote (`b`). */
export function compareDumps(a: Dump, b: Dump, options: CompareOptions): Comparison {
  const differences: Difference[] = [];
  const sameValueOtherBytes: string[] = [];
  let checks = 0;
  const differ = (d: Difference): void => {
    differences.push(d);
  };
  for (const key of [...new Set([...a.keys.keys(), ...b.keys.keys()])].sort()) {
    const row = options.rowOf(key);
    const [startA, startB] = row === undefined ? [0, 0] : [a.starts[row] ?? 0, b.starts[row] ?? 0];
    const sameTime = (p: number, q: number): boolean => Math.abs(p - startA - (q - startB)) <= options.clockTolerance;
    const x = a.keys.get(key);
    const y = b.keys.get(key);
    checks++;
    if (!x || !y || x.type !== y.type) {
      differ({ key, kind: 'key', rqts: x ? x.type : '(absent)', python: y ? y.type : '(absent)' });
      continue;
    }
    checks++;
    if ((x.expiresAt === -1) !== (y.expiresAt === -1) || (x.expiresAt !== -1 && !sameTime(x.expiresAt, y.expiresAt))) {
      // Shown as the TTL each writer set: seconds from its start to the expiry.
      const ttl = (k: KeyDump, start: number): string => (k.expiresAt === -1 ? '-1' : String(Math.round(k.expiresAt - start)));
      differ({ key, kind: 'ttl', rqts: ttl(x, startA), python: ttl(y, startB) });
    }
    if (x.type === 'hash' || x.type === 'zset') {
      const xm = x.value as Map<string, Buffer>;
      const ym = y.value as Map<string, Buffer>;
      for (const field of [...new Set([...xm.keys(), ...ym.keys()])].sort()) {
        checks++;
        const u = xm.get(field);
        const v = ym.get(field);
        if (u && v && u.equals(v)) continue;
        if (u && v && x.type === 'zset') {
          const [p, q] = [Number(u.toString()), Number(v.toString())];
          if (Number.isFinite(p) && Number.isFinite(q) && sameTime(p, q)) continue;
          differ({ key, kind: 'score', field, rqts: u.toString(), python: v.toString() });
          continue;
        }
        if (u && v && TIMESTAMP_FIELDS.has(field)) {
          const [p, q] = [parseRqDatetime(u.toString()), parseRqDatetime(v.toString())];
          if (p !== null && q !== null && sameTime(p, q)) continue;
        }
        if (u && v && (field === 'data' || field === 'meta')) {
          const [p, q] = field === 'data' ? [decompress(u), decompress(v)] : [u, v];
          if (p.equals(q) || sameDecoded(options.serializer, p, q)) {
            if (!p.equals(q)) sameValueOtherBytes.push(`${key} ${field}`);
            continue;
          }
        }
        differ({ key, kind: x.type === 'zset' ? 'score' : 'field', field, rqts: show(u), python: show(v) });
      }
    } else {
      const xs = x.value as Buffer[];
      const ys = y.value as Buffer[];
      checks += Math.max(xs.length, ys.length, 1) - 1;
      if (xs.length !== ys.length || xs.some((item, i) => !item.equals(ys[i]!))) {
        differ({ key, kind: x.type === 'set' ? 'set' : 'list', rqts: xs.map(show).join(', '), python: ys.map(show).join(', ') });
      }
    }
  }
  return { differences, checks, sameValueOtherBytes };
}

/** Equal as Python values: the same `repr()` (which tells a tuple from a list, and keeps dict and set order). */
function sameDecoded(serializer: Serializer, p: Buffer, q: Buffer): boolean {
  try {
    return pyRepr(serializer.loads(p)) === pyRepr(serializer.loads(q));
  } catch {
    return false;
  }
}
