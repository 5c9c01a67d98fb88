/**
 * Python values as JS sees them. Most Python types map onto native JS values (see the table in DESIGN.md);
 * the few that have no JS twin get a small wrapper class here, so that they survive a round trip through
 * pickle (and, where it can carry them, JSON).
 *
 * Mapping, in both directions:
 * - `int` ⇄ `number` when `Number.isSafeInteger`, otherwise `bigint`. A JS number is sent as a Python int
 *   only when it is a safe integer and not `-0`; every other number (1.5, 1e300, -0, ±Infinity, NaN) is a float.
 * - `float` ⇄ `number`, or {@link PyFloat} (`py.float(1)`) to force a float for an integral value.
 * - `str` ⇄ `string`; `bytes` ⇄ `Buffer` (any `Uint8Array` is accepted on the way in); `bytearray` ⇄
 *   {@link PyByteArray}; `None` ⇄ `null`; `bool` ⇄ `boolean`.
 * - `list` ⇄ `Array`; `tuple` ⇄ `py.tuple(...)` (a frozen array, see {@link isTuple}).
 * - `dict` ⇄ plain object when every key is a `str` and JS keeps the keys in Python's order (JS lists
 *   integer-like keys such as `"2"` first, so `{'a': 1, '2': 'b'}` decodes to a `Map`); otherwise `Map`.
 * - `set` ⇄ `Set`; `frozenset` ⇄ {@link PyFrozenSet} (a `Set` subclass).
 * - `datetime.datetime` ⇄ `Date` (sent as an aware UTC datetime); `date`/`time`/`timedelta`/`Decimal`/`UUID`
 *   ⇄ {@link PyDate}/{@link PyTime}/{@link PyTimedelta}/{@link PyDecimal}/{@link PyUUID}.
 * - Any other Python object decodes to an inert {@link PyObject} (or {@link PyGlobal} for a bare class or
 *   function reference). Nothing is ever imported or called.
 *
 * `undefined` has no Python counterpart and is rejected everywhere (use `null` for `None`).
 */

import { InvalidArgumentError } from '../errors.js';

const TUPLE = Symbol.for('rqts.py.tuple');

/** A method an rqts object defines to say how `pyRepr` (and so a job description) shows it. */
export const PY_REPR = Symbol.for('rqts.py.repr');

/** A Python tuple: a frozen array carrying a hidden tag. Build one with `py.tuple(...)`. */
export type PyTuple<T = unknown> = readonly T[] & { readonly [TUPLE]: true };

/** True when `v` is a tuple made by `py.tuple` or decoded from Python. */
export function isTuple(v: unknown): v is PyTuple {
  return Array.isArray(v) && (v as unknown as Record<symbol, unknown>)[TUPLE] === true;
}

/** Make a tuple from items (the array is frozen; its items are not). */
export function makeTuple<T>(items: T[]): PyTuple<T> {
  Object.defineProperty(items, TUPLE, { value: true, enumerable: false });
  return Object.freeze(items) as unknown as PyTuple<T>;
}

/** A Python `float` whose value JS would otherwise send as an int (`py.float(1)` pickles as `1.0`). */
export class PyFloat {
  constructor(readonly value: number) {}
  valueOf(): number {
    return this.value;
  }
}

/** A Python `bytearray`. Python `bytes` are plain `Buffer`s. */
export class PyByteArray {
  readonly bytes: Buffer;
  constructor(bytes: Uint8Array | readonly number[]) {
    this.bytes = Buffer.from(bytes as Uint8Array);
  }
}

/** A Python `frozenset`. It is a `Set`, so the usual `Set` methods work; rqts never mutates it. */
export class PyFrozenSet<T = unknown> extends Set<T> {}

/** `datetime.date`. */
export class PyDate {
  constructor(readonly year: number, readonly month: number, readonly day: number) {
    checkInt('date.year', year, 1, 9999);
    checkInt('date.month', month, 1, 12);
    checkInt('date.day', day, 1, daysInMonth(year, month));
  }
}

/** `datetime.time` (naive; tz-aware times decode to {@link PyObject}). */
export class PyTime {
  constructor(readonly hour = 0, readonly minute = 0, readonly second = 0, readonly microsecond = 0) {
    checkInt('time.hour', hour, 0, 23);
    checkInt('time.minute', minute, 0, 59);
    checkInt('time.second', second, 0, 59);
    checkInt('time.microsecond', microsecond, 0, 999_999);
  }
}

/** `datetime.timedelta`, normalized as Python does: `0 <= seconds < 86400`, `0 <= microseconds < 1e6`. */
export class PyTimedelta {
  readonly days: number;
  readonly seconds: number;
  readonly microseconds: number;
  constructor(parts: { days?: number; seconds?: number; microseconds?: number } = {}) {
    const us = BigInt(parts.days ?? 0) * 86_400_000_000n + BigInt(parts.seconds ?? 0) * 1_000_000n + BigInt(parts.microseconds ?? 0);
    const dayUs = 86_400_000_000n;
    let days = us / dayUs;
    let rest = us % dayUs;
    if (rest < 0n) {
      rest += dayUs;
      days -= 1n;
    }
    this.days = Number(days);
    this.seconds = Number(rest / 1_000_000n);
    this.microseconds = Number(rest % 1_000_000n);
    checkInt('timedelta.days', this.days, -999_999_999, 999_999_999);
  }
}

/** `decimal.Decimal`, kept as Python's `str(d)` (`'1.10'`, `'1E+3'`, `'NaN'`, `'-Infinity'`). */
export class PyDecimal {
  readonly value: string;
  constructor(value: string) {
    const canonical = decimalStr(value.trim());
    if (canonical === null) throw new InvalidArgumentError('decimal', value, 'not a Decimal literal');
    this.value = canonical;
  }
}

/** Python's `Decimal.__str__` (to-scientific-string) of a literal, or null when it is not one. */
function decimalStr(text: string): string | null {
  const m = /^([+-]?)(?:(\d+)?(?:\.(\d*))?(?:e([+-]?\d+))?|(inf|infinity)|(s?nan)(\d*))$/i.exec(text.replace(/_/g, ''));
  if (!m || text === '' || /^[+-]?\.?$/.test(text)) return null;
  const sign = m[1] === '-' ? '-' : '';
  if (m[5]) return `${sign}Infinity`;
  if (m[6]) {
    const payload = (m[7] ?? '').replace(/^0+/, '');
    return `${sign}${m[6].length === 4 ? 'sNaN' : 'NaN'}${payload}`;
  }
  if (m[2] === undefined && !m[3]) return null;
  const frac = m[3] ?? '';
  const coeff = ((m[2] ?? '') + frac).replace(/^0+(?=\d)/, '') || '0';
  const exp = Number(m[4] ?? 0) - frac.length;
  const left = exp + coeff.length;
  const dot = exp <= 0 && left > -6 ? left : 1;
  let body: string;
  if (dot <= 0) body = `0.${'0'.repeat(-dot)}${coeff}`;
  else if (dot >= coeff.length) body = coeff + '0'.repeat(dot - coeff.length);
  else body = `${coeff.slice(0, dot)}.${coeff.slice(dot)}`;
  const e = left === dot ? '' : `E${left - dot >= 0 ? '+' : '-'}${Math.abs(left - dot)}`;
  return sign + body + e;
}

/** `uuid.UUID`, kept as its canonical lowercase hyphenated form. */
export class PyUUID {
  readonly value: string;
  constructor(value: string | bigint) {
    const hex = typeof value === 'bigint' ? value.toString(16).padStart(32, '0') : value.replace(/^urn:uuid:|[{}-]/gi, '').toLowerCase();
    if (!/^[0-9a-f]{32}$/.test(hex)) throw new InvalidArgumentError('uuid', value, 'not a UUID');
    this.value = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
  /** The 128-bit integer Python stores (`UUID.int`). */
  get int(): bigint {
    return BigInt(`0x${this.value.replace(/-/g, '')}`);
  }
}

/** A reference to a Python global (class or function) that rqts does not resolve. */
export class PyGlobal {
  constructor(readonly module: string, readonly name: string) {}
}

/** How a {@link PyObject} was built in the pickle, so it can be written back the same way. */
export type PyObjectKind = 'reduce' | 'newobj' | 'newobj_ex';

/**
 * An instance of a Python class rqts does not know (`rq.job.Retry`, an exception, a model object…).
 * It records what the pickle said (class, constructor args, state) and is never executed.
 */
export class PyObject {
  /** Keyword arguments (only for `NEWOBJ_EX`). */
  kwargs: Record<string, unknown> | Map<unknown, unknown> | null = null;
  /** State passed to `__setstate__` (the `BUILD` opcode), or `null` when there was none. */
  state: unknown = null;
  /** Items appended to the object (list subclasses), in order. */
  listItems: unknown[] = [];
  /** Items set on the object (dict subclasses), in order. */
  dictItems: [unknown, unknown][] = [];
  constructor(
    readonly module: string,
    readonly name: string,
    public args: readonly unknown[] = [],
    readonly kind: PyObjectKind = 'reduce',
  ) {}
}

/** `py.tuple`: typed items when they share a type (or one is given), `unknown` otherwise. */
export interface TupleFactory {
  <T>(...items: T[]): PyTuple<T>;
  (...items: unknown[]): PyTuple<unknown>;
}

/** Constructors and helpers for Python values. */
export const py = {
  /** A Python tuple: `py.tuple(1, 'a')` is `(1, 'a')`. */
  tuple: ((...items: unknown[]) => makeTuple(items)) as TupleFactory,
  /** A Python float, even for integral values: `py.float(1)` is `1.0`. */
  float: (value: number): PyFloat => new PyFloat(value),
  /** A Python bytearray. */
  bytearray: (bytes: Uint8Array | readonly number[]): PyByteArray => new PyByteArray(bytes),
  /** A Python frozenset. */
  frozenset: <T>(items: Iterable<T> = []): PyFrozenSet<T> => new PyFrozenSet(items),
  /** `datetime.date(year, month, day)`. */
  date: (year: number, month: number, day: number): PyDate => new PyDate(year, month, day),
  /** `datetime.time(hour, minute, second, microsecond)`. */
  time: (hour = 0, minute = 0, second = 0, microsecond = 0): PyTime => new PyTime(hour, minute, second, microsecond),
  /** `datetime.timedelta(days=, seconds=, microseconds=)`. */
  timedelta: (parts: { days?: number; seconds?: number; microseconds?: number } = {}): PyTimedelta => new PyTimedelta(parts),
  /** `decimal.Decimal('1.10')`. */
  decimal: (value: string): PyDecimal => new PyDecimal(value),
  /** `uuid.UUID('…')`. */
  uuid: (value: string | bigint): PyUUID => new PyUUID(value),
};

/** True for a JS number Python would see as an `int`. */
export function isPyInt(n: number): boolean {
  return Number.isSafeInteger(n) && !Object.is(n, -0);
}

/** Python's limit on decimal digits converted to int (`sys.get_int_max_str_digits()` default). */
export const MAX_INT_DIGITS = 4300;

/** The Python int a decoder should hand out: a number in the safe range, else a bigint. */
export function intValue(n: bigint): number | bigint {
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
}

/** True for a plain object (`{}` literal or `Object.create(null)`), the JS spelling of a str-keyed dict. */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function isArrayIndex(key: string): boolean {
  return /^(0|[1-9]\d{0,9})$/.test(key) && Number(key) < 2 ** 32 - 1;
}

/**
 * Build the JS form of a Python dict from its entries in order: a plain object when every key is a string
 * and a JS object would keep that order, otherwise a `Map`. Keys such as `__proto__` become own properties.
 */
export function makeDict(entries: Iterable<[unknown, unknown]>): Record<string, unknown> | Map<unknown, unknown> {
  const map = new Map<unknown, unknown>();
  for (const [k, v] of entries) map.set(k, v);
  let sawName = false;
  let lastIndex = -1;
  for (const key of map.keys()) {
    if (typeof key !== 'string') return map;
    if (isArrayIndex(key)) {
      if (sawName || Number(key) <= lastIndex) return map;
      lastIndex = Number(key);
    } else {
      sawName = true;
    }
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of map) Object.defineProperty(out, k as string, { value: v, enumerable: true, writable: true, configurable: true });
  return out;
}

/** Extend a value path for error messages: `value[2]`, `value[3].name`, `value[3]["a b"]`. */
export function childPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

function checkInt(option: string, v: number, min: number, max: number): void {
  if (!Number.isInteger(v) || v < min || v > max) throw new InvalidArgumentError(option, v, `must be an integer in ${min}..${max}`);
}

function daysInMonth(year: number, month: number): number {
  return [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
}

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}
