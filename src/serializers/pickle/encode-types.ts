/**
 * How the pickler writes the types CPython pickles through `__reduce_ex__` (datetime, Decimal, UUID,
 * bytearray before protocol 5, unknown objects): the same callable, argument tuple and state CPython's
 * reducers produce, so the bytes match `pickle.dumps`.
 */
import {
  isTuple, PyByteArray, PyDate, PyDecimal, PyFloat, PyFrozenSet, PyGlobal, PyObject, PyTime, PyTimedelta, PyUUID,
} from '../../py/values.js';
import { InvalidArgumentError } from '../../errors.js';
import { OP } from './opcodes.js';
import type { PickleWriter } from './writer.js';

/** The error for a value the pickler cannot write, named by its path in the argument tree. */
export function reject(path: string, value: unknown, reason: string): InvalidArgumentError {
  return new InvalidArgumentError(path || 'value', value, reason);
}

/**
 * The part of the pickler the reducers below call back into. Stated here, not imported from encode.ts,
 * so the two modules do not import each other.
 */
export interface Pickler {
  readonly proto: number;
  readonly w: PickleWriter;
  save(v: unknown, path: string): void;
  memoPut(key: object | null): void;
  saveGlobal(module: string, name: string): void;
  saveTuple(items: readonly unknown[], key: object | null, path: string): void;
  saveDict(entries: [unknown, unknown][], key: object, path: string, checkKeys: boolean): void;
  saveReduce(callable: Glob, args: readonly unknown[], key: object | null, state?: unknown, path?: string): void;
  batchGeneric<T>(items: readonly T[], saveOne: (item: T, i: number) => void, single: number, multi: number): void;
}

/** A str the pickler makes itself (CPython builds a new object each time, so it is never shared). */
export class Fresh {
  constructor(readonly value: string) {}
}

/** An interned str owned by Python (a module name, `'latin1'`, `'int'`): one object per pickle. */
export class Const {
  constructor(readonly value: string) {}
}

/** A reference to a global (class or function), written with STACK_GLOBAL or GLOBAL. */
export class Glob {
  constructor(readonly module: string, readonly name: string) {}
}

/** A bytes object the pickler makes itself (a datetime's state). */
export class FreshBytes {
  constructor(readonly bytes: Buffer) {}
}

/** A dict the pickler makes itself (a UUID's state). */
class FreshDict {
  constructor(readonly entries: [unknown, unknown][]) {}
}

/** `datetime.timezone.utc`, a singleton in Python, so a second datetime refers back to it. */
class UtcTimezone {}
const UTC = new UtcTimezone();
const ZERO = new PyTimedelta();

/** Save `v` if it is one of the reduce-based types; returns false for anything else. */
export function saveSpecial(p: Pickler, v: object, path: string): boolean {
  if (v instanceof Date) saveDatetime(p, v, path);
  else if (v === UTC) p.saveReduce(new Glob('datetime', 'timezone'), [ZERO], v);
  else if (v instanceof PyTimedelta) p.saveReduce(new Glob('datetime', 'timedelta'), [v.days, v.seconds, v.microseconds], v);
  else if (v instanceof PyDate) p.saveReduce(new Glob('datetime', 'date'), [new FreshBytes(Buffer.from([v.year >> 8, v.year & 0xff, v.month, v.day]))], v);
  else if (v instanceof PyTime) p.saveReduce(new Glob('datetime', 'time'), [new FreshBytes(Buffer.from([v.hour, v.minute, v.second, ...us3(v.microsecond)]))], v);
  else if (v instanceof PyDecimal) p.saveReduce(new Glob('decimal', 'Decimal'), [new Fresh(v.value)], v);
  else if (v instanceof PyUUID) saveUuid(p, v);
  else if (v instanceof PyByteArray) saveByteArray(p, v);
  else if (v instanceof PyGlobal) p.saveGlobal(v.module, v.name);
  else if (v instanceof PyObject) saveObject(p, v, path);
  else if (v instanceof FreshDict) p.saveDict(v.entries, v, path, false);
  else return false;
  return true;
}

/** `datetime.__reduce_ex__`: `(datetime, (10-byte state, timezone.utc))`. */
function saveDatetime(p: Pickler, d: Date, path: string): void {
  const year = d.getUTCFullYear();
  if (Number.isNaN(d.getTime())) throw reject(path, d, 'Invalid Date');
  if (year < 1 || year > 9999) throw reject(path, d, 'Python datetimes span years 1..9999');
  const state = [year >> 8, year & 0xff, d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), ...us3(d.getUTCMilliseconds() * 1000)];
  p.saveReduce(new Glob('datetime', 'datetime'), [new FreshBytes(Buffer.from(state)), UTC], d);
}

/** `object.__reduce_ex__` for `uuid.UUID`: NEWOBJ (or `copyreg._reconstructor` before protocol 2) + `{'int': n}`. */
function saveUuid(p: Pickler, u: PyUUID): void {
  const state = new FreshDict([[new Const('int'), u.int]]);
  if (p.proto < 2) {
    p.saveReduce(new Glob('copyreg', '_reconstructor'), [new Glob('uuid', 'UUID'), new Glob('builtins', 'object'), null], u, state);
    return;
  }
  p.save(new Glob('uuid', 'UUID'), '');
  p.saveTuple([], null, '');
  p.w.op(OP.NEWOBJ);
  p.memoPut(u);
  p.save(state, '');
  p.w.op(OP.BUILD);
}

/** BYTEARRAY8 on protocol 5, else `bytearray(bytes)` by reduce. */
function saveByteArray(p: Pickler, b: PyByteArray): void {
  if (p.proto < 5) {
    p.saveReduce(new Glob('builtins', 'bytearray'), b.bytes.length ? [new FreshBytes(b.bytes)] : [], b);
    return;
  }
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(b.bytes.length));
  p.w.writeBytes([OP.BYTEARRAY8, ...len], b.bytes);
  p.memoPut(b);
}

/** Write an inert object back the way it was read: callable + args, then items and state (`save_reduce`). */
function saveObject(p: Pickler, o: PyObject, path: string): void {
  const cls = new Glob(o.module, o.name);
  if (o.kind === 'reduce') {
    p.save(cls, path);
    p.saveTuple(o.args, null, `${path}.args`);
    p.w.op(OP.REDUCE);
  } else if (o.kind === 'newobj' && p.proto < 2) {
    if (o.args.length) throw reject(path, o, 'NEWOBJ with arguments needs pickle protocol 2+');
    p.save(new Glob('copyreg', '_reconstructor'), path);
    p.saveTuple([cls, new Glob('builtins', 'object'), null], null, path);
    p.w.op(OP.REDUCE);
  } else if (o.kind === 'newobj') {
    p.save(cls, path);
    p.saveTuple(o.args, null, `${path}.args`);
    p.w.op(OP.NEWOBJ);
  } else {
    if (p.proto < 4) throw reject(path, o, 'NEWOBJ_EX needs pickle protocol 4+');
    p.save(cls, path);
    p.saveTuple(o.args, null, `${path}.args`);
    p.save(o.kwargs ?? {}, `${path}.kwargs`);
    p.w.op(OP.NEWOBJ_EX);
  }
  p.memoPut(o);
  p.batchGeneric(o.listItems, (x, i) => p.save(x, `${path}.listItems[${i}]`), OP.APPEND, OP.APPENDS);
  p.batchGeneric(o.dictItems, ([k, x], i) => {
    p.save(k, `${path}.dictItems[${i}]`);
    p.save(x, `${path}.dictItems[${i}]`);
  }, OP.SETITEM, OP.SETITEMS);
  if (o.state !== null) {
    p.save(o.state, `${path}.state`);
    p.w.op(OP.BUILD);
  }
}

function us3(us: number): number[] {
  return [(us >> 16) & 0xff, (us >> 8) & 0xff, us & 0xff];
}

/** What Python can hash: set members and dict keys must be one of these. */
export function isHashable(v: unknown): boolean {
  if (v === null || typeof v !== 'object') return typeof v !== 'undefined' && typeof v !== 'function' && typeof v !== 'symbol';
  if (isTuple(v)) return v.every(isHashable);
  if (Array.isArray(v)) return false;
  return v instanceof Uint8Array || v instanceof PyFrozenSet || v instanceof Date || v instanceof PyFloat || v instanceof PyDate
    || v instanceof PyTime || v instanceof PyTimedelta || v instanceof PyDecimal || v instanceof PyUUID || v instanceof PyObject
    || v instanceof PyGlobal;
}
