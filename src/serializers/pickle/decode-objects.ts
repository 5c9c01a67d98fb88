/**
 * The unpickler's second pass. Parsing leaves dicts as `Map`s (their keys are only known once every
 * SETITEM ran) and calls as inert `PyObject`s; this pass walks the result once, keeping shared references
 * shared, and
 * - turns each dict into a plain object or a `Map` (see `makeDict`),
 * - resolves the allowlisted globals into JS values: `datetime.datetime/date/time/timedelta`,
 *   `decimal.Decimal`, `uuid.UUID`, `builtins.set/frozenset/bytes/bytearray`, `_codecs.encode`,
 *   `collections.OrderedDict`. Every other object stays a `PyObject`.
 * It rejects recursive structures and nesting deeper than `maxDepth`.
 */
import { DeserializationError } from '../../errors.js';
import {
  isTuple, makeDict, makeTuple, PyByteArray, PyDate, PyDecimal, PyFrozenSet, PyObject, PyTime, PyTimedelta, PyUUID,
} from '../../py/values.js';

export function finalize(root: unknown, maxDepth: number): unknown {
  const done = new Map<object, unknown>();
  const active = new Set<object>();

  const fin = (v: unknown, depth: number): unknown => {
    // Anything but a container or an object (scalars, bytes, globals...) is final as it is.
    if (!(Array.isArray(v) || v instanceof Map || v instanceof Set || v instanceof PyObject)) return v;
    if (done.has(v)) return done.get(v);
    if (active.has(v)) throw new DeserializationError('Recursive Python structures are not supported');
    if (depth > maxDepth) throw new DeserializationError(`Pickle nests deeper than ${maxDepth} levels`);
    active.add(v);
    const next = (x: unknown): unknown => fin(x, depth + 1);
    let out: unknown;
    if (isTuple(v)) out = makeTuple(v.map(next));
    else if (Array.isArray(v)) out = v.map(next);
    else if (v instanceof Map) out = makeDict([...v].map(([k, x]) => [next(k), next(x)] as [unknown, unknown]));
    else if (v instanceof PyFrozenSet) out = new PyFrozenSet([...v].map(next));
    else if (v instanceof Set) out = new Set([...v].map(next));
    else out = resolveObject(v as PyObject, next);
    active.delete(v);
    done.set(v, out);
    return out;
  };
  return fin(root, 0);
}

function resolveObject(o: PyObject, fin: (x: unknown) => unknown): unknown {
  const args = o.args.map(fin);
  const state = fin(o.state);
  const dictItems = o.dictItems.map(([k, v]) => [fin(k), fin(v)] as [unknown, unknown]);
  const listItems = o.listItems.map(fin);
  const known = resolveKnown(`${o.module}.${o.name}`, args, state, dictItems);
  if (known !== undefined) return known;
  const out = new PyObject(o.module, o.name, makeTuple(args), o.kind);
  out.kwargs = fin(o.kwargs) as PyObject['kwargs'];
  out.state = state;
  out.listItems = listItems;
  out.dictItems = dictItems;
  return out;
}

/** The allowlist. Returns undefined to keep the object inert (unknown name, or arguments it can't use). */
function resolveKnown(name: string, args: unknown[], state: unknown, dictItems: [unknown, unknown][]): unknown {
  try {
    switch (name) {
      case 'datetime.datetime': return datetime(args);
      case 'datetime.date': {
        const b = stateBytes(args[0], 4);
        return b && args.length === 1 ? new PyDate(b[0]! * 256 + b[1]!, b[2]!, b[3]!) : undefined;
      }
      case 'datetime.time': {
        const b = stateBytes(args[0], 6);
        return b && (args.length === 1 || args[1] === null) ? new PyTime(b[0]!, b[1]!, b[2]!, (b[3]! << 16) | (b[4]! << 8) | b[5]!) : undefined;
      }
      case 'datetime.timedelta': {
        const [d = 0, s = 0, us = 0] = args;
        if (![d, s, us].every((x) => typeof x === 'number')) return undefined;
        return new PyTimedelta({ days: d as number, seconds: s as number, microseconds: us as number });
      }
      case 'decimal.Decimal': return typeof args[0] === 'string' && args.length === 1 ? new PyDecimal(args[0]) : undefined;
      case 'uuid.UUID': {
        const n = state instanceof Map ? state.get('int') : (state as Record<string, unknown> | null)?.int;
        if (typeof n === 'number' || typeof n === 'bigint') return new PyUUID(BigInt(n));
        return typeof args[0] === 'string' ? new PyUUID(args[0]) : undefined;
      }
      case 'builtins.set': return new Set(iterableArg(args));
      case 'builtins.frozenset': return new PyFrozenSet(iterableArg(args));
      case 'builtins.bytes': return args.length === 0 ? Buffer.alloc(0) : undefined;
      case 'builtins.bytearray': {
        if (args.length === 0) return new PyByteArray([]);
        if (Buffer.isBuffer(args[0]) && args.length === 1) return new PyByteArray(args[0]);
        return typeof args[0] === 'string' ? new PyByteArray(encodeText(args[0], args[1])) : undefined;
      }
      case '_codecs.encode': return typeof args[0] === 'string' ? encodeText(args[0], args[1]) : undefined;
      case 'collections.OrderedDict': return args.length === 0 && state === null ? makeDict(dictItems) : undefined;
    }
    return undefined;
  } catch (error) {
    if (error instanceof DeserializationError) throw error;
    throw new DeserializationError(`Invalid ${name} in pickle: ${(error as Error).message}`, { cause: error });
  }
}

/** `datetime(state_bytes[, tzinfo])` → `Date`. Naive means UTC; a fixed-offset `timezone` is applied. */
function datetime(args: unknown[]): unknown {
  const b = stateBytes(args[0], 10);
  if (!b || args.length > 2) return undefined;
  const offsetMs = tzOffsetMs(args[1] ?? null);
  if (offsetMs === undefined) return undefined;
  const year = b[0]! * 256 + b[1]!;
  const month = b[2]! & 0x7f; // the high bit is `fold`
  const fields = [month, b[3]!, b[4]!, b[5]!, b[6]!] as const;
  const us = (b[7]! << 16) | (b[8]! << 8) | b[9]!;
  if (month < 1 || month > 12 || fields[1] < 1 || fields[1] > 31 || fields[2] > 23 || fields[3] > 59 || fields[4] > 59 || us > 999_999 || year < 1) {
    throw new DeserializationError('Invalid datetime state in pickle');
  }
  new PyDate(year, month, fields[1]); // validates the day of month
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, fields[1]);
  d.setUTCHours(fields[2], fields[3], fields[4], Math.floor(us / 1000));
  return new Date(d.getTime() - offsetMs);
}

/** Offset of `None` or a fixed `datetime.timezone(timedelta[, name])`; undefined for any other tzinfo. */
function tzOffsetMs(tz: unknown): number | undefined {
  if (tz === null) return 0;
  if (!(tz instanceof PyObject) || tz.module !== 'datetime' || tz.name !== 'timezone') return undefined;
  const delta = tz.args[0];
  if (!(delta instanceof PyTimedelta)) return undefined;
  return delta.days * 86_400_000 + delta.seconds * 1000 + Math.floor(delta.microseconds / 1000);
}

/** A datetime state: `bytes` (or, from Python 2 pickles, a latin-1 `str`) of the expected length. */
function stateBytes(v: unknown, len: number): Buffer | undefined {
  const b = typeof v === 'string' ? Buffer.from(v, 'latin1') : Buffer.isBuffer(v) ? v : undefined;
  return b && b.length === len ? b : undefined;
}

function iterableArg(args: unknown[]): unknown[] {
  if (args.length === 0) return [];
  const [items] = args;
  if (args.length === 1 && Array.isArray(items)) return [...items];
  throw new DeserializationError('set()/frozenset() argument must be a list or tuple');
}

/** `str.encode(encoding)` for the encodings pickles use (`_codecs.encode(s, 'latin1')`). */
function encodeText(s: string, encoding: unknown): Buffer {
  const enc = typeof encoding === 'string' ? encoding.toLowerCase().replace(/[-_]/g, '') : 'utf8';
  if (enc === 'latin1' || enc === 'iso88591') {
    for (const ch of s) if (ch.codePointAt(0)! > 0xff) throw new DeserializationError('latin-1 codec cannot encode a character');
    return Buffer.from(s, 'latin1');
  }
  if (enc === 'utf8') return Buffer.from(s, 'utf8');
  if (enc === 'ascii') {
    for (const ch of s) if (ch.codePointAt(0)! > 0x7f) throw new DeserializationError('ascii codec cannot encode a character');
    return Buffer.from(s, 'latin1');
  }
  throw new DeserializationError(`Unsupported encoding in pickle: ${String(encoding)}`);
}
