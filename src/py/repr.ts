/**
 * Python's `repr()` of a JS value, as Python would print it after decoding, and RQ's default job
 * description built from it (protocol §8.2).
 */
import { pyFloatRepr } from './float-repr.js';
import { isPrintable } from './printable.js';
import { pythonSetOrder } from './set-order.js';
import {
  isPlainObject, isPyInt, isTuple, PyByteArray, PyDate, PyDecimal, PyFloat, PyFrozenSet, PyGlobal, PyObject,
  PyTime, PyTimedelta, PyUUID, PY_REPR,
} from './values.js';

/** Longest repr RQ keeps per argument in a description before cutting it and adding `...`. */
const DESCRIPTION_REPR_MAX = 75;

/**
 * `repr(value)` as CPython 3.11 prints it.
 * @remarks Exact for None/bool/int/float/str/bytes/bytearray/list/tuple/dict/set/frozenset, `Date`
 * (an aware UTC `datetime.datetime`) and the `py.*` wrappers. A {@link PyObject} has no faithful repr
 * (Python prints a memory address for most objects), so it is shown as `module.Name(args…)`.
 * Sets of ints print in CPython's order (see `set-order.ts`); other sets in JS insertion order, since
 * Python's order for strings depends on the interpreter's random hash seed.
 */
export function pyRepr(value: unknown): string {
  return repr(value, new Set());
}

function repr(v: unknown, seen: Set<object>): string {
  if (v === null) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'number') return isPyInt(v) ? String(v) : pyFloatRepr(v);
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'string') return strRepr(v);
  if (typeof v !== 'object') return `<${typeof v}>`;
  if (v instanceof PyFloat) return pyFloatRepr(v.value);
  if (v instanceof Uint8Array) return bytesRepr(v);
  if (v instanceof PyByteArray) return `bytearray(${bytesRepr(v.bytes, true)})`;
  if (v instanceof Date) return dateRepr(v);
  if (v instanceof PyDate) return `datetime.date(${v.year}, ${v.month}, ${v.day})`;
  if (v instanceof PyTime) return `datetime.time(${timeArgs(v.hour, v.minute, v.second, v.microsecond)})`;
  if (v instanceof PyTimedelta) return timedeltaRepr(v);
  if (v instanceof PyDecimal) return `Decimal(${strRepr(v.value)})`;
  if (v instanceof PyUUID) return `UUID(${strRepr(v.value)})`;
  if (v instanceof PyGlobal) return `<class '${v.module}.${v.name}'>`;
  const own = (v as { [PY_REPR]?: unknown })[PY_REPR];
  if (typeof own === 'function') return String(own.call(v));
  // Python prints a container that contains itself as `[...]` / `{...}`.
  if (seen.has(v)) return Array.isArray(v) ? '[...]' : '{...}';
  seen.add(v);
  try {
    if (isTuple(v)) {
      const items = v.map((x) => repr(x, seen));
      return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
    }
    if (Array.isArray(v)) return `[${v.map((x) => repr(x, seen)).join(', ')}]`;
    if (v instanceof Map) return `{${[...v].map(([k, x]) => `${repr(k, seen)}: ${repr(x, seen)}`).join(', ')}}`;
    if (v instanceof Set) {
      const items = pythonSetOrder([...v]).map((x) => repr(x, seen)).join(', ');
      if (v instanceof PyFrozenSet) return items ? `frozenset({${items}})` : 'frozenset()';
      return items ? `{${items}}` : 'set()';
    }
    if (v instanceof PyObject) {
      const parts = v.args.map((x) => repr(x, seen));
      if (v.state !== null) parts.push(`state=${repr(v.state, seen)}`);
      return `${v.module}.${v.name}(${parts.join(', ')})`;
    }
    if (isPlainObject(v)) return `{${Object.keys(v).map((k) => `${strRepr(k)}: ${repr(v[k], seen)}`).join(', ')}}`;
    return `<${v.constructor?.name ?? 'object'}>`;
  } finally {
    seen.delete(v);
  }
}

/** CPython `unicode_repr`: quote choice, short escapes, and `\xhh`/`\uhhhh`/`\Uhhhhhhhh` for non-printables. */
export function strRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === quote || ch === '\\') out += `\\${ch}`;
    else if (ch === '\t') out += '\\t';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${hex(cp, 2)}`;
    else if (cp < 0x7f || isPrintable(cp)) out += ch;
    else if (cp <= 0xff) out += `\\x${hex(cp, 2)}`;
    else if (cp <= 0xffff) out += `\\u${hex(cp, 4)}`;
    else out += `\\U${hex(cp, 8)}`;
  }
  return out + quote;
}

/**
 * CPython `bytes_repr`; with `isByteArray`, `bytearray_repr`, which escapes `'` even inside `"` quotes.
 */
export function bytesRepr(b: Uint8Array, isByteArray = false): string {
  let hasSingle = false;
  let hasDouble = false;
  for (const c of b) {
    if (c === 0x27) hasSingle = true;
    else if (c === 0x22) hasDouble = true;
  }
  const quote = hasSingle && !hasDouble ? 0x22 : 0x27;
  let out = `b${String.fromCharCode(quote)}`;
  for (const c of b) {
    if (c === quote || c === 0x5c || (isByteArray && c === 0x27)) out += `\\${String.fromCharCode(c)}`;
    else if (c === 0x09) out += '\\t';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c < 0x20 || c >= 0x7f) out += `\\x${hex(c, 2)}`;
    else out += String.fromCharCode(c);
  }
  return out + String.fromCharCode(quote);
}

function dateRepr(d: Date): string {
  if (Number.isNaN(d.getTime())) return '<invalid Date>';
  const head = `${d.getUTCFullYear()}, ${d.getUTCMonth() + 1}, ${d.getUTCDate()}`;
  const time = timeArgs(d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds() * 1000);
  return `datetime.datetime(${head}, ${time}, tzinfo=datetime.timezone.utc)`;
}

/** CPython drops a zero microsecond, then a zero second, from datetime/time reprs. */
function timeArgs(h: number, m: number, s: number, us: number): string {
  if (us) return `${h}, ${m}, ${s}, ${us}`;
  if (s) return `${h}, ${m}, ${s}`;
  return `${h}, ${m}`;
}

function timedeltaRepr(t: PyTimedelta): string {
  const parts: string[] = [];
  if (t.days) parts.push(`days=${t.days}`);
  if (t.seconds) parts.push(`seconds=${t.seconds}`);
  if (t.microseconds) parts.push(`microseconds=${t.microseconds}`);
  return `datetime.timedelta(${parts.length ? parts.join(', ') : '0'})`;
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

/**
 * RQ's default job description: `func(arg reprs…, sorted k=repr…)`, each repr cut to 75 characters plus
 * `...` when longer (RQ's `get_call_string(..., max_length=75)`, protocol §8.2).
 * @param funcName - The dotted function path.
 * @param args - Positional arguments (array or tuple).
 * @param kwargs - Keyword arguments (plain object or `Map` with string keys).
 * @returns The description string RQ would store.
 * @example formatDescription('mylib.add', [1, 2], {}) // 'mylib.add(1, 2)'
 */
export function formatDescription(funcName: string, args: readonly unknown[], kwargs: Record<string, unknown> | Map<unknown, unknown> = {}): string {
  const parts = args.map((a) => truncate(pyRepr(a)));
  const entries = kwargs instanceof Map ? [...kwargs] : Object.keys(kwargs).map((k) => [k, kwargs[k]] as const);
  const named = entries.map(([k, v]) => `${String(k)}=${truncate(pyRepr(v))}`);
  named.sort(compareCodePoints);
  return `${funcName}(${[...parts, ...named].join(', ')})`;
}

/** Python slices by code point, not by UTF-16 unit. */
function truncate(text: string): string {
  if (text.length <= DESCRIPTION_REPR_MAX) return text;
  const cps = Array.from(text);
  return cps.length > DESCRIPTION_REPR_MAX ? `${cps.slice(0, DESCRIPTION_REPR_MAX).join('')}...` : text;
}

/** Python's `sorted()` on str: by code point (JS `<` compares UTF-16 units, which differs above U+FFFF). */
function compareCodePoints(a: string, b: string): number {
  const x = Array.from(a);
  const y = Array.from(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (d) return d;
  }
  return x.length - y.length;
}
