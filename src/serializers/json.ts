/**
 * RQ's `JSONSerializer`: `json.dumps(obj).encode('utf-8')` / `json.loads(s.decode('utf-8'))` (protocol §4).
 * The encoder writes what CPython's `json.dumps` writes with its defaults — `', '` and `': '` separators,
 * `ensure_ascii` escapes, `float.__repr__` numbers — so a payload is byte-identical to Python's.
 *
 * Python would also write `NaN`/`Infinity`, but they are not JSON and most readers other than Python's
 * reject them, so rqts refuses to write them (it still reads them). Bytes, datetimes, sets and Python
 * objects have no JSON form in Python either and are refused.
 */
import { InvalidArgumentError } from '../errors.js';
import { pyFloatRepr } from '../py/float-repr.js';
import { childPath, isPlainObject, isPyInt, isTuple, PyFloat } from '../py/values.js';
import type { Serializer } from './serializer.js';
import { jsonLoads } from './json-parse.js';

export { jsonLoads, type JsonLoadOptions } from './json-parse.js';

/** Deepest nesting written (CPython's encoder hits its recursion limit near here too). */
const MAX_DEPTH = 1000;

/**
 * `json.dumps(value)` as CPython writes it, as UTF-8 bytes.
 * @param value - null, boolean, number, bigint, string, `py.float`, array, tuple, plain object, or `Map`
 *   with str/int/float/bool/None keys (converted to strings as Python does: `2` → `"2"`, `true` → `"true"`).
 * @param options - `path` names the value in error messages. @defaultValue `{ path: 'value' }`
 * @throws InvalidArgumentError naming the path of a value JSON cannot carry (NaN, ±Infinity, bytes, Date,
 *   Set, undefined, function, symbol, class instance, cycle, unsupported key).
 */
export function jsonDumps(value: unknown, options: { path?: string } = {}): Buffer {
  return Buffer.from(encode(value, options.path ?? 'value', new Set()), 'latin1');
}

function encode(v: unknown, path: string, ancestors: Set<object>): string {
  if (v === null) return 'null';
  if (v === true) return 'true';
  if (v === false) return 'false';
  if (typeof v === 'number' || v instanceof PyFloat) return number(v, path);
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'string') return quote(v);
  if (typeof v !== 'object') throw fail(path, v, v === undefined ? 'undefined has no JSON value (use null)' : `a ${typeof v} is not JSON serializable`);
  if (ancestors.has(v)) throw fail(path, v, 'cyclic structures cannot be serialized');
  if (ancestors.size >= MAX_DEPTH) throw fail(path, v, `nested deeper than ${MAX_DEPTH} levels`);
  ancestors.add(v);
  try {
    if (Array.isArray(v) || isTuple(v)) {
      return `[${(v as unknown[]).map((x, i) => encode(x, childPath(path, i), ancestors)).join(', ')}]`;
    }
    if (v instanceof Map) {
      const parts = [...v].map(([k, x], i) => `${quote(mapKey(k, `${path}.keys()[${i}]`))}: ${encode(x, typeof k === 'string' ? childPath(path, k) : `${path}.values()[${i}]`, ancestors)}`);
      return `{${parts.join(', ')}}`;
    }
    if (isPlainObject(v)) {
      if (Object.getOwnPropertySymbols(v).length) throw fail(path, v, 'symbol keys are not JSON serializable');
      return `{${Object.keys(v).map((k) => `${quote(k)}: ${encode(v[k], childPath(path, k), ancestors)}`).join(', ')}}`;
    }
    const what = v instanceof Uint8Array ? 'bytes' : v instanceof Date ? 'a Date' : v instanceof Set ? 'a Set' : `a ${v.constructor?.name ?? 'class'} instance`;
    throw fail(path, v, `${what} is not JSON serializable (use the pickle serializer)`);
  } finally {
    ancestors.delete(v);
  }
}

function number(v: number | PyFloat, path: string): string {
  const n = typeof v === 'number' ? v : v.value;
  if (typeof v === 'number' && isPyInt(n)) return String(n);
  if (!Number.isFinite(n)) throw fail(path, n, 'NaN and Infinity are not valid JSON (Python writes them, other readers reject them)');
  return pyFloatRepr(n);
}

/** Python's key coercion: str as is, float by repr, int by digits, True/False/None as JSON words. */
function mapKey(k: unknown, path: string): string {
  if (typeof k === 'string') return k;
  if (k === true) return 'true';
  if (k === false) return 'false';
  if (k === null) return 'null';
  if (typeof k === 'bigint') return k.toString();
  const n = typeof k === 'number' ? k : k instanceof PyFloat ? k.value : undefined;
  if (n === undefined) throw fail(path, k, 'keys must be str, int, float, bool or None');
  if (typeof k === 'number' && isPyInt(n)) return String(n);
  return Number.isNaN(n) ? 'NaN' : n === Infinity ? 'Infinity' : n === -Infinity ? '-Infinity' : pyFloatRepr(n);
}

const SHORT_ESCAPES: Record<number, string> = { 0x22: '\\"', 0x5c: '\\\\', 0x0a: '\\n', 0x0d: '\\r', 0x09: '\\t', 0x08: '\\b', 0x0c: '\\f' };

/** `ensure_ascii` quoting: everything outside space..`~` as `\uXXXX` (lowercase, UTF-16 units, so astral
 * characters become surrogate pairs exactly as Python writes them). */
function quote(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const short = SHORT_ESCAPES[c];
    if (short) out += short;
    else if (c >= 0x20 && c <= 0x7e) out += s[i];
    else out += `\\u${c.toString(16).padStart(4, '0')}`;
  }
  return `${out}"`;
}

function fail(path: string, value: unknown, reason: string): InvalidArgumentError {
  return new InvalidArgumentError(path || 'value', value, reason);
}

/** RQ's `JSONSerializer` (`'json'`). */
export const jsonSerializer: Serializer = {
  name: 'json',
  dumps: (value) => jsonDumps(value),
  loads: (bytes) => jsonLoads(bytes),
};
