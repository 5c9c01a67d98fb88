/**
 * The job payload's pickle, `pickle.dumps((func_name, None, tuple(args), kwargs), 5)`, written straight
 * into one buffer for the shapes most calls have: None, booleans, ints that fit 32 bits, floats, strings,
 * and lists and dicts of those (nested, each object once). It writes exactly the bytes of the general
 * pickler (`encode.ts`, itself byte-identical to CPython's), which the unit tests check value by value; for
 * anything else (big ints, bytes, dates, sets, tuples, shared or huge objects…) it returns `undefined` and
 * the general pickler runs. An enqueue spends ~1 µs here instead of ~8 µs there.
 */
import { isPlainObject, isPyInt } from '../../py/values.js';
import { BATCH_SIZE, OP } from './opcodes.js';
import { grow } from '../../grow.js';

/** Bigger payloads would need more than one frame; the general pickler handles those. */
const MAX_BODY = 60 * 1024;
/** Deepest nesting handled here (the general pickler goes to 1000). */
const MAX_DEPTH = 16;
/** PROTO 5 and the FRAME header before the body. */
const HEADER = 11;

let buf = Buffer.allocUnsafe(4096);
let at = 0;
let memoSize = 0;
const strings = new Map<string, number>();
let seen: Set<object> | null = null;

/** Not a shape this writer handles. */
const BAIL = Symbol('bail');

/** The pickle of the call, or `undefined` when the general pickler must write it. */
export function pickleCall(funcName: string, args: readonly unknown[], kwargs: Record<string, unknown>): Buffer | undefined {
  at = HEADER;
  memoSize = 0;
  strings.clear();
  seen = null;
  try {
    if (!isPlainObject(kwargs) || Object.getOwnPropertySymbols(kwargs).length > 0) return undefined;
    op(OP.MARK);
    saveStr(funcName);
    op(OP.NONE);
    saveArgs(args);
    // kwargs that is also an argument is a memo GET in the general pickler.
    if (!markSeen(kwargs)) return undefined;
    saveDict(kwargs, 1);
    op(OP.TUPLE);
    op(OP.MEMOIZE);
    op(OP.STOP);
  } catch (error) {
    if (error === BAIL) return undefined;
    throw error;
  }
  const body = at - HEADER;
  if (body > MAX_BODY) return undefined;
  buf[0] = OP.PROTO;
  buf[1] = 5;
  buf[2] = OP.FRAME;
  buf.writeUInt32LE(body, 3);
  buf.writeUInt32LE(0, 7);
  return Buffer.from(buf.subarray(0, at));
}

function reserve(n: number): void {
  if (at + n <= buf.length) return;
  if (at + n > MAX_BODY + HEADER + 16) throw BAIL;
  buf = grow(buf, at, at + n);
}

function op(code: number): void {
  reserve(1);
  buf[at++] = code;
}

/** Positional args go as a tuple: `)`, items + TUPLE1–3, or MARK items TUPLE; then memoized (not `()`). */
function saveArgs(args: readonly unknown[]): void {
  const n = args.length;
  if (n === 0) return op(OP.EMPTY_TUPLE);
  if (n > 3) op(OP.MARK);
  for (let i = 0; i < n; i++) save(args[i], 1);
  op(n === 1 ? OP.TUPLE1 : n === 2 ? OP.TUPLE2 : n === 3 ? OP.TUPLE3 : OP.TUPLE);
  memoize();
}

function memoize(): void {
  op(OP.MEMOIZE);
  memoSize++;
}

function save(v: unknown, depth: number): void {
  if (v === null) return op(OP.NONE);
  switch (typeof v) {
    case 'boolean':
      return op(v ? OP.NEWTRUE : OP.NEWFALSE);
    case 'number':
      return isPyInt(v) ? saveInt(v) : saveFloat(v);
    case 'string':
      return saveStr(v);
    case 'object':
      if (depth >= MAX_DEPTH) throw BAIL;
      if (!markSeen(v)) throw BAIL; // a shared object is a memo GET in the general pickler
      if (Array.isArray(v)) {
        if (Object.getPrototypeOf(v) !== Array.prototype || Object.isFrozen(v)) throw BAIL; // tuples are frozen arrays
        return saveList(v, depth + 1);
      }
      if (isPlainObject(v) && Object.getOwnPropertySymbols(v).length === 0) return saveDict(v, depth + 1);
      throw BAIL;
    default:
      throw BAIL;
  }
}

/** Remember an object; false when it was seen before in this pickle. */
function markSeen(v: object): boolean {
  seen ??= new Set();
  if (seen.has(v)) return false;
  seen.add(v);
  return true;
}

function saveInt(x: number): void {
  reserve(5);
  if (x >= 0 && x < 0x100) {
    buf[at++] = OP.BININT1;
    buf[at++] = x;
  } else if (x >= 0 && x < 0x10000) {
    buf[at++] = OP.BININT2;
    buf[at++] = x & 0xff;
    buf[at++] = x >> 8;
  } else if (x >= -0x80000000 && x <= 0x7fffffff) {
    buf[at++] = OP.BININT;
    at = buf.writeInt32LE(x, at);
  } else {
    throw BAIL; // LONG1
  }
}

function saveFloat(x: number): void {
  reserve(9);
  buf[at++] = OP.BINFLOAT;
  at = buf.writeDoubleBE(x, at);
}

/** Equal strings are one memo entry (see `encode.ts`): the second is a GET. */
function saveStr(s: string): void {
  const memo = strings.get(s);
  if (memo !== undefined) {
    reserve(5);
    if (memo < 0x100) {
      buf[at++] = OP.BINGET;
      buf[at++] = memo;
    } else {
      buf[at++] = OP.LONG_BINGET;
      at = buf.writeUInt32LE(memo, at);
    }
    return;
  }
  const n = s.length;
  if (n > 0x4000) throw BAIL;
  reserve(5 + 3 * n);
  let i = 0;
  if (n < 0x100) {
    // ASCII (the common case): SHORT_BINUNICODE, one byte per unit.
    const start = at;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) break;
      buf[start + 2 + i] = c;
    }
    if (i === n) {
      buf[start] = OP.SHORT_BINUNICODE;
      buf[start + 1] = n;
      at = start + 2 + n;
    }
  }
  if (i !== n || n >= 0x100) {
    if (!(s as unknown as { isWellFormed(): boolean }).isWellFormed()) throw BAIL; // lone surrogates: surrogatepass
    const bytes = Buffer.byteLength(s, 'utf8');
    if (bytes < 0x100) {
      buf[at++] = OP.SHORT_BINUNICODE;
      buf[at++] = bytes;
    } else {
      buf[at++] = OP.BINUNICODE;
      at = buf.writeUInt32LE(bytes, at);
    }
    at += buf.write(s, at, 'utf8');
  }
  strings.set(s, memoSize);
  memoize();
}

/** `save_list` + `batch_list_exact`, for up to one batch. */
function saveList(items: readonly unknown[], depth: number): void {
  const n = items.length;
  if (n >= BATCH_SIZE) throw BAIL;
  op(OP.EMPTY_LIST);
  memoize();
  if (n === 0) return;
  if (n === 1) {
    save(items[0], depth);
    return op(OP.APPEND);
  }
  op(OP.MARK);
  for (let i = 0; i < n; i++) save(items[i], depth);
  op(OP.APPENDS);
}

/** `save_dict` + `batch_dict_exact` of a plain object, for fewer than one batch of entries. */
function saveDict(d: Record<string, unknown>, depth: number): void {
  const keys = Object.keys(d);
  const n = keys.length;
  if (n >= BATCH_SIZE) throw BAIL;
  op(OP.EMPTY_DICT);
  memoize();
  if (n === 0) return;
  if (n === 1) {
    saveStr(keys[0]!);
    save(d[keys[0]!], depth);
    return op(OP.SETITEM);
  }
  op(OP.MARK);
  for (let i = 0; i < n; i++) {
    saveStr(keys[i]!);
    save(d[keys[i]!], depth);
  }
  op(OP.SETITEMS);
}
