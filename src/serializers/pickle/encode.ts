/**
 * The pickler: JS values → the exact bytes CPython's C pickler (`Modules/_pickle.c`) writes for the same
 * Python values, protocols 0–5. The `save*` methods follow `_pickle.c` one for one (opcode choice, memo
 * order, batching, framing), because byte identity is what the golden vectors check.
 *
 * Memo rule for strings: JS strings have no identity, so equal strings are treated as one Python object —
 * the second occurrence is a BINGET. That is what CPython writes for a payload whose equal strings come
 * from one code constant or one unpickled object (all the golden vectors), and what `pickle.dumps` writes
 * after `pickle.loads` of rqts output. Strings the pickler invents itself (a Decimal's digits, a global's
 * name, the latin-1 text of protocol-2 bytes) are fresh objects, as in CPython, and never shared.
 */
import { InvalidArgumentError } from '../../errors.js';
import { pyFloatRepr } from '../../py/float-repr.js';
import { pythonSetOrder } from '../../py/set-order.js';
import { childPath, isPlainObject, isPyInt, isTuple, PyFloat, PyFrozenSet } from '../../py/values.js';
import { BATCH_SIZE, HIGHEST_PROTOCOL, OP } from './opcodes.js';
import { Const, Fresh, FreshBytes, Glob, isHashable, reject, saveSpecial, type Pickler as ReducePickler } from './encode-types.js';
import { py2Name, rawUnicodeEscape, twosComplement, u32, u64, utf8SurrogatePass } from './wire.js';
import { PickleWriter } from './writer.js';

/** Options for {@link pickleDumps}. */
export interface PickleDumpOptions {
  /** Pickle protocol 0–5. @defaultValue 5 (`pickle.HIGHEST_PROTOCOL`, what RQ writes) */
  protocol?: number;
  /** Name of the value in error messages. @defaultValue `'value'` */
  path?: string;
}

/** Deepest nesting accepted; CPython's pickler stops near its recursion limit of 1000 too. */
const MAX_DEPTH = 1000;

/**
 * Pickle a value exactly as CPython's `pickle.dumps(value, protocol)` would.
 * @throws InvalidArgumentError naming the path of a value Python cannot receive (function, symbol,
 * `undefined`, class instance, cycle, unhashable set member or dict key, out-of-range date).
 */
export function pickleDumps(value: unknown, options: PickleDumpOptions = {}): Buffer {
  const protocol = options.protocol ?? HIGHEST_PROTOCOL;
  if (!Number.isInteger(protocol) || protocol < 0 || protocol > HIGHEST_PROTOCOL) {
    throw new InvalidArgumentError('protocol', protocol, 'must be an integer from 0 to 5');
  }
  return new Pickler(protocol).dump(value, options.path ?? 'value');
}

/** One `pickle.dumps` call. Exported for the type-specific savers in `encode-types.ts`. */
export class Pickler implements ReducePickler {
  readonly w = new PickleWriter();
  private readonly memo = new Map<object, number>();
  private readonly strMemo = new Map<string, number>();
  private readonly constMemo = new Map<string, number>();
  private memoSize = 0;
  private readonly ancestors = new Set<object>();

  constructor(readonly proto: number) {}

  dump(value: unknown, path: string): Buffer {
    if (this.proto >= 2) {
      this.w.write([OP.PROTO, this.proto]);
      if (this.proto >= 4) this.w.framing = true;
    }
    this.save(value, path);
    this.w.op(OP.STOP);
    return this.w.finish();
  }

  save(v: unknown, path: string): void {
    this.w.opcodeBoundary();
    if (v === null) return this.w.op(OP.NONE);
    if (typeof v === 'boolean') {
      if (this.proto >= 2) return this.w.op(v ? OP.NEWTRUE : OP.NEWFALSE);
      return this.w.text(OP.INT, v ? '01\n' : '00\n');
    }
    if (typeof v === 'number') return isPyInt(v) ? this.saveInt(BigInt(v)) : this.saveFloat(v);
    if (typeof v === 'bigint') return this.saveInt(v);
    if (typeof v === 'string') return this.saveSharedStr(v);
    if (v instanceof PyFloat) return this.saveFloat(v.value);
    if (v instanceof Fresh) return this.saveStr(v.value, null);
    if (v instanceof Const) return this.saveConst(v.value);
    if (v instanceof Glob) return this.saveGlobal(v.module, v.name);
    if (v instanceof FreshBytes) return this.saveBytes(v.bytes, v);
    if (typeof v !== 'object') throw reject(path, v, typeof v === 'undefined' ? 'undefined has no Python value (use null)' : `a ${typeof v} cannot be pickled`);
    if (this.ancestors.has(v)) throw reject(path, v, 'cyclic structures cannot be serialized');
    if (this.memoGet(this.memo.get(v))) return;
    if (this.ancestors.size >= MAX_DEPTH) throw reject(path, v, `nested deeper than ${MAX_DEPTH} levels`);
    this.ancestors.add(v);
    try {
      this.saveObject(v, path);
    } finally {
      this.ancestors.delete(v);
    }
  }

  private saveObject(v: object, path: string): void {
    if (v instanceof Uint8Array) return this.saveBytes(v, v);
    if (isTuple(v)) return this.saveTuple(v, v, path);
    if (Array.isArray(v)) return this.saveList(v, v, path);
    if (v instanceof Map) return this.saveDict([...v], v, path, true);
    if (v instanceof PyFrozenSet) return this.saveFrozenSet(v, path);
    if (v instanceof Set) return this.saveSet(v, path);
    if (saveSpecial(this, v, path)) return;
    if (isPlainObject(v)) {
      if (Object.getOwnPropertySymbols(v).length) throw reject(path, v, 'symbol keys cannot be pickled');
      return this.saveDict(Object.keys(v).map((k) => [k, v[k]]), v, path, false);
    }
    throw reject(path, v, `${v.constructor?.name ?? 'this'} instances have no Python equivalent`);
  }

  // ---- memo -------------------------------------------------------------------------------------

  /** Write the PUT/MEMOIZE for the next memo slot, remembering `key` (an object, or a string id). */
  memoPut(key: object | null): void {
    const idx = this.memoSize++;
    if (key !== null) this.memo.set(key, idx);
    this.writePut(idx);
  }

  private writePut(idx: number): void {
    if (this.proto >= 4) return this.w.op(OP.MEMOIZE);
    if (this.proto === 0) return this.w.text(OP.PUT, `${idx}\n`);
    this.w.write(idx < 256 ? [OP.BINPUT, idx] : [OP.LONG_BINPUT, ...u32(idx)]);
  }

  /** Write a GET for `idx` if defined; returns whether it did. */
  memoGet(idx: number | undefined): boolean {
    if (idx === undefined) return false;
    if (this.proto === 0) this.w.text(OP.GET, `${idx}\n`);
    else this.w.write(idx < 256 ? [OP.BINGET, idx] : [OP.LONG_BINGET, ...u32(idx)]);
    return true;
  }

  /** Memo slot of a pickler-owned singleton (a global, an interned name, `timezone.utc`). */
  constIndex(key: string): number | undefined {
    return this.constMemo.get(key);
  }

  constPut(key: string): void {
    this.constMemo.set(key, this.memoSize);
    this.memoPut(null);
  }

  // ---- atoms --------------------------------------------------------------------------------------

  saveInt(n: bigint): void {
    if (n >= -0x80000000n && n <= 0x7fffffffn) {
      const x = Number(n);
      if (this.proto === 0) return this.w.text(OP.INT, `${x}\n`);
      if (x >= 0 && x < 0x100) return this.w.write([OP.BININT1, x]);
      if (x >= 0 && x < 0x10000) return this.w.write([OP.BININT2, x & 0xff, x >> 8]);
      return this.w.write([OP.BININT, ...u32(x)]);
    }
    if (this.proto < 2) return this.w.text(OP.LONG, `${n}L\n`);
    const bytes = twosComplement(n);
    if (bytes.length < 256) return this.w.write([OP.LONG1, bytes.length, ...bytes]);
    this.w.write([OP.LONG4, ...u32(bytes.length)]);
    this.w.write(bytes);
  }

  saveFloat(x: number): void {
    if (this.proto === 0) return this.w.text(OP.FLOAT, `${pyFloatRepr(x)}\n`);
    const b = Buffer.alloc(9);
    b[0] = OP.BINFLOAT;
    b.writeDoubleBE(x, 1);
    this.w.write(b);
  }

  private saveSharedStr(s: string): void {
    if (this.memoGet(this.strMemo.get(s))) return;
    this.strMemo.set(s, this.memoSize);
    this.saveStr(s, null);
  }

  private saveConst(s: string): void {
    const key = `str:${s}`;
    if (this.memoGet(this.constMemo.get(key))) return;
    this.constMemo.set(key, this.memoSize);
    this.saveStr(s, null);
  }

  /** `save_unicode`: write the string and take a memo slot. */
  saveStr(s: string, key: object | null): void {
    if (this.proto === 0) {
      this.w.write(Buffer.concat([Buffer.from([OP.UNICODE]), rawUnicodeEscape(s), Buffer.from('\n')]));
    } else {
      const data = utf8SurrogatePass(s);
      const n = data.length;
      if (n < 256 && this.proto >= 4) this.w.writeBytes([OP.SHORT_BINUNICODE, n], data);
      else if (n > 0xffffffff && this.proto >= 4) this.w.writeBytes([OP.BINUNICODE8, ...u64(n)], data);
      else this.w.writeBytes([OP.BINUNICODE, ...u32(n)], data);
    }
    this.memoPut(key);
  }

  /** `save_global`: STACK_GLOBAL (protocol 4+) or GLOBAL, memoized once per pickle. */
  saveGlobal(module: string, name: string): void {
    const key = `global:${module}\n${name}`;
    if (this.memoGet(this.constMemo.get(key))) return;
    if (this.proto >= 4) {
      this.save(new Const(module), '');
      this.save(new Fresh(name), '');
      this.w.op(OP.STACK_GLOBAL);
    } else {
      const [m, n] = this.proto < 3 ? py2Name(module, name) : [module, name];
      this.w.write(Buffer.from(`c${m}\n${n}\n`, 'latin1'));
    }
    this.constPut(key);
  }

  /** `save_bytes`. Protocols below 3 have no bytes opcode and go through `_codecs.encode`. */
  saveBytes(b: Uint8Array, key: object): void {
    if (this.proto < 3) {
      const args = b.length ? [new Fresh(Buffer.from(b).toString('latin1')), new Const('latin1')] : [];
      this.saveReduce(b.length ? new Glob('_codecs', 'encode') : new Glob('builtins', 'bytes'), args, key);
      return;
    }
    const n = b.length;
    if (n < 256) this.w.writeBytes([OP.SHORT_BINBYTES, n], b);
    else if (n <= 0xffffffff) this.w.writeBytes([OP.BINBYTES, ...u32(n)], b);
    else this.w.writeBytes([OP.BINBYTES8, ...u64(n)], b);
    this.memoPut(key);
  }

  // ---- containers -------------------------------------------------------------------------------

  /** `save_tuple`. `key` null means a pickler-made tuple (reduce args), memoized but never shared. */
  saveTuple(items: readonly unknown[], key: object | null, path: string): void {
    if (items.length === 0) {
      if (this.proto >= 1) this.w.op(OP.EMPTY_TUPLE);
      else this.w.write([OP.MARK, OP.TUPLE]);
      return;
    }
    const small = items.length <= 3 && this.proto >= 2;
    if (!small) this.w.op(OP.MARK);
    items.forEach((x, i) => this.save(x, childPath(path, i)));
    this.w.op(small ? [OP.TUPLE1, OP.TUPLE2, OP.TUPLE3][items.length - 1]! : OP.TUPLE);
    this.memoPut(key);
  }

  /** `save_list` + `batch_list_exact`. */
  saveList(items: readonly unknown[], key: object, path: string): void {
    if (this.proto >= 1) this.w.op(OP.EMPTY_LIST);
    else this.w.write([OP.MARK, OP.LIST]);
    this.memoPut(key);
    if (this.proto === 0 || items.length === 1) {
      items.forEach((x, i) => {
        this.save(x, childPath(path, i));
        this.w.op(OP.APPEND);
      });
      return;
    }
    for (let start = 0; start < items.length; start += BATCH_SIZE) {
      this.w.op(OP.MARK);
      const end = Math.min(start + BATCH_SIZE, items.length);
      for (let i = start; i < end; i++) this.save(items[i], childPath(path, i));
      this.w.op(OP.APPENDS);
    }
  }

  /** `save_dict` + `batch_dict_exact` (which writes an empty trailing batch after a full one). */
  saveDict(entries: [unknown, unknown][], key: object, path: string, checkKeys: boolean): void {
    if (this.proto >= 1) this.w.op(OP.EMPTY_DICT);
    else this.w.write([OP.MARK, OP.DICT]);
    this.memoPut(key);
    const saveEntry = ([k, v]: [unknown, unknown], i: number): void => {
      if (checkKeys && !isHashable(k)) throw reject(`${path}.keys()[${i}]`, k, 'unhashable type cannot be a dict key');
      this.save(k, `${path}.keys()[${i}]`);
      this.save(v, typeof k === 'string' ? childPath(path, k) : `${path}.values()[${i}]`);
    };
    if (entries.length === 0) return;
    if (this.proto === 0 || entries.length === 1) {
      entries.forEach((e, i) => {
        saveEntry(e, i);
        this.w.op(OP.SETITEM);
      });
      return;
    }
    let i = 0;
    let batch: number;
    do {
      batch = 0;
      this.w.op(OP.MARK);
      while (i < entries.length && batch < BATCH_SIZE) {
        saveEntry(entries[i]!, i);
        i++;
        batch++;
      }
      this.w.op(OP.SETITEMS);
    } while (batch === BATCH_SIZE);
  }

  /** `save_set`: EMPTY_SET + ADDITEMS batches (protocol 4+), else `set(list)` by reduce. */
  private saveSet(set: Set<unknown>, path: string): void {
    const items = this.hashableItems(set, path);
    if (this.proto < 4) return this.saveReduce(new Glob('builtins', 'set'), [items], set);
    this.w.op(OP.EMPTY_SET);
    this.memoPut(set);
    let i = 0;
    let batch: number;
    if (items.length === 0) return;
    do {
      batch = 0;
      this.w.op(OP.MARK);
      while (i < items.length && batch < BATCH_SIZE) {
        this.save(items[i], `${path}.values()[${i}]`);
        i++;
        batch++;
      }
      this.w.op(OP.ADDITEMS);
    } while (batch === BATCH_SIZE);
  }

  /** `save_frozenset`: MARK items FROZENSET (protocol 4+), else `frozenset(list)` by reduce. */
  private saveFrozenSet(set: PyFrozenSet, path: string): void {
    const items = this.hashableItems(set, path);
    if (this.proto < 4) return this.saveReduce(new Glob('builtins', 'frozenset'), [items], set);
    this.w.op(OP.MARK);
    items.forEach((x, i) => this.save(x, `${path}.values()[${i}]`));
    this.w.op(OP.FROZENSET);
    this.memoPut(set);
  }

  /** The members in the order CPython would pickle them (ints: its table order; anything else: as given). */
  private hashableItems(set: Set<unknown>, path: string): unknown[] {
    const items = pythonSetOrder([...set]);
    items.forEach((x, i) => {
      if (!isHashable(x)) throw reject(`${path}.values()[${i}]`, x, 'unhashable type cannot be a set member');
    });
    return items;
  }

  /** `save_reduce` for `callable(*args)`, memoizing the result under `key`, then `BUILD` with `state`. */
  saveReduce(callable: Glob, args: readonly unknown[], key: object | null, state?: unknown, path = ''): void {
    this.save(callable, path);
    this.saveTuple(args, null, path);
    this.w.op(OP.REDUCE);
    this.memoPut(key);
    if (state !== undefined) {
      this.save(state, path);
      this.w.op(OP.BUILD);
    }
  }

  /** CPython's generic `batch_list` / `batch_dict` (used for reduce list/dict items): a lone tail item uses APPEND/SETITEM. */
  batchGeneric<T>(items: readonly T[], saveOne: (item: T, i: number) => void, single: number, multi: number): void {
    if (this.proto === 0) {
      items.forEach((x, i) => {
        saveOne(x, i);
        this.w.op(single);
      });
      return;
    }
    for (let start = 0; start < items.length; start += BATCH_SIZE) {
      const end = Math.min(start + BATCH_SIZE, items.length);
      if (end - start === 1) {
        saveOne(items[start]!, start);
        this.w.op(single);
        continue;
      }
      this.w.op(OP.MARK);
      for (let i = start; i < end; i++) saveOne(items[i]!, i);
      this.w.op(multi);
    }
  }
}
