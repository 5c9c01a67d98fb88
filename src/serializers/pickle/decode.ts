/**
 * The safe unpickler: a data parser for protocols 0–5, not an interpreter. Globals are recorded as
 * {@link PyGlobal}s and calls (`REDUCE`, `NEWOBJ`, `INST`, `OBJ`) as inert {@link PyObject}s; only after the
 * whole stream has parsed does `finalize` turn an allowlist of them (datetime, Decimal, UUID, set, bytes…)
 * into JS values. Nothing is imported or executed. Size, depth, memo and length limits apply; any bad
 * input ends in a `DeserializationError`, never a hang or a stray `RangeError`.
 */
import { DeserializationError } from '../../errors.js';
import { intValue, makeTuple, MAX_INT_DIGITS, PyByteArray, PyFloat, PyFrozenSet, PyGlobal, PyObject } from '../../py/values.js';
import { asciiOnly, decodePy2String, decodeRawUnicodeEscape, decodeUtf8 } from './decode-text.js';
import { finalize } from './decode-objects.js';
import { OP } from './opcodes.js';

/** Limits and options for {@link pickleLoads}. */
export interface PickleLoadOptions {
  /** Largest input accepted, in bytes. @defaultValue 268435456 (256 MiB) */
  maxBytes?: number;
  /** Deepest container nesting. @defaultValue 1000 */
  maxDepth?: number;
  /** Most memo entries. @defaultValue 1000000 */
  maxMemo?: number;
  /** Most items in one list, tuple, dict or set. @defaultValue 10000000 */
  maxItems?: number;
  /**
   * How an integral Python float (`2.0`) comes back: a plain `number` (re-encoded as an int), or a
   * {@link PyFloat} so it re-encodes as a float. @defaultValue `'number'`
   */
  integralFloats?: 'number' | 'pyfloat';
}


/**
 * Decode a pickle (any protocol 0–5) without executing anything.
 * @throws DeserializationError on malformed or truncated input, unsupported opcodes (persistent ids,
 * extension codes, out-of-band buffers), recursive structures, or exceeded limits.
 */
export function pickleLoads(data: Uint8Array, options: PickleLoadOptions = {}): unknown {
  const limits = {
    maxBytes: options.maxBytes ?? 256 * 1024 * 1024,
    maxDepth: options.maxDepth ?? 1000,
    maxMemo: options.maxMemo ?? 1_000_000,
    maxItems: options.maxItems ?? 10_000_000,
  };
  if (data.length > limits.maxBytes) throw new DeserializationError(`Pickle is ${data.length} bytes, over the ${limits.maxBytes}-byte limit`);
  try {
    const raw = new Unpickler(data, limits.maxMemo, limits.maxItems, options.integralFloats === 'pyfloat').load();
    return finalize(raw, limits.maxDepth);
  } catch (error) {
    if (error instanceof DeserializationError) throw error;
    throw new DeserializationError(`Invalid pickle: ${(error as Error).message}`, { cause: error });
  }
}

function fail(message: string): never {
  throw new DeserializationError(`Invalid pickle: ${message}`);
}

class Unpickler {
  private pos = 0;
  private stack: unknown[] = [];
  private readonly metastack: unknown[][] = [];
  private readonly memo = new Map<number, unknown>();

  constructor(private readonly buf: Uint8Array, private readonly maxMemo: number, private readonly maxItems: number, private readonly pyFloats: boolean) {}

  load(): unknown {
    for (;;) {
      if (this.pos >= this.buf.length) fail('pickle data was truncated (no STOP opcode)');
      const code = this.buf[this.pos++]!;
      if (code === OP.STOP) return this.pop();
      this.step(code);
    }
  }

  private step(code: number): void {
    switch (code) {
      case OP.PROTO: {
        const v = this.byte();
        if (v > 5) fail(`unsupported pickle protocol: ${v}`);
        return;
      }
      case OP.FRAME: {
        const n = this.uint(8);
        if (n > this.buf.length - this.pos) fail('frame exceeds the data');
        return;
      }
      case OP.MARK: this.metastack.push(this.stack); this.stack = []; return;
      case OP.POP: if (this.stack.length) this.stack.pop(); else this.popMark(); return;
      case OP.POP_MARK: this.popMark(); return;
      case OP.DUP: return this.push(this.top());
      case OP.NONE: return this.push(null);
      case OP.NEWTRUE: return this.push(true);
      case OP.NEWFALSE: return this.push(false);
      case OP.INT: return this.push(this.textInt(true));
      case OP.LONG: return this.push(this.textInt(false));
      case OP.BININT: return this.push(Buffer.from(this.read(4)).readInt32LE(0));
      case OP.BININT1: return this.push(this.byte());
      case OP.BININT2: return this.push(this.uint(2));
      case OP.LONG1: return this.push(this.long(this.byte()));
      case OP.LONG4: {
        const n = Buffer.from(this.read(4)).readInt32LE(0);
        if (n < 0) fail('LONG pickle has negative byte count');
        return this.push(this.long(n));
      }
      case OP.FLOAT: return this.push(this.float(textFloat(this.line())));
      case OP.BINFLOAT: return this.push(this.float(Buffer.from(this.read(8)).readDoubleBE(0)));
      case OP.STRING: return this.push(decodePy2String(this.line()));
      case OP.BINSTRING: return this.push(asciiOnly(this.read(this.size(4, true))));
      case OP.SHORT_BINSTRING: return this.push(asciiOnly(this.read(this.byte())));
      case OP.UNICODE: return this.push(decodeRawUnicodeEscape(this.line()));
      case OP.SHORT_BINUNICODE: return this.push(decodeUtf8(this.read(this.byte())));
      case OP.BINUNICODE: return this.push(decodeUtf8(this.read(this.size(4))));
      case OP.BINUNICODE8: return this.push(decodeUtf8(this.read(this.size(8))));
      case OP.SHORT_BINBYTES: return this.push(Buffer.from(this.read(this.byte())));
      case OP.BINBYTES: return this.push(Buffer.from(this.read(this.size(4))));
      case OP.BINBYTES8: return this.push(Buffer.from(this.read(this.size(8))));
      case OP.BYTEARRAY8: return this.push(new PyByteArray(this.read(this.size(8))));
      case OP.EMPTY_TUPLE: return this.push(makeTuple([]));
      case OP.TUPLE: return this.push(makeTuple(this.popMark()));
      case OP.TUPLE1: return this.push(makeTuple(this.popN(1)));
      case OP.TUPLE2: return this.push(makeTuple(this.popN(2)));
      case OP.TUPLE3: return this.push(makeTuple(this.popN(3)));
      case OP.EMPTY_LIST: return this.push([]);
      case OP.LIST: return this.push(this.popMark());
      case OP.EMPTY_DICT: return this.push(new Map());
      case OP.DICT: {
        const items = this.popMark();
        if (items.length % 2) fail('odd number of items for DICT');
        const d = new Map<unknown, unknown>();
        for (let i = 0; i < items.length; i += 2) d.set(items[i], items[i + 1]);
        return this.push(d);
      }
      case OP.EMPTY_SET: return this.push(new Set());
      case OP.FROZENSET: return this.push(new PyFrozenSet(this.popMark()));
      case OP.APPEND: { const v = this.pop(); return this.extend(this.top(), [v]); }
      case OP.APPENDS: { const items = this.popMark(); return this.extend(this.top(), items); }
      case OP.SETITEM: { const v = this.pop(); const k = this.pop(); return this.setItems(this.top(), [k, v]); }
      case OP.SETITEMS: { const items = this.popMark(); return this.setItems(this.top(), items); }
      case OP.ADDITEMS: {
        const items = this.popMark();
        const set = this.top();
        if (!(set instanceof Set) || set instanceof PyFrozenSet) fail('ADDITEMS target is not a set');
        this.checkLength(set.size + items.length);
        for (const x of items) set.add(x);
        return;
      }
      case OP.GLOBAL: return this.push(global(decodeUtf8(this.line()), decodeUtf8(this.line())));
      case OP.STACK_GLOBAL: {
        const name = this.pop();
        const module = this.pop();
        if (typeof module !== 'string' || typeof name !== 'string') fail('STACK_GLOBAL requires str');
        return this.push(global(module, name));
      }
      case OP.REDUCE: { const args = this.pop(); const fn = this.pop(); return this.push(call(fn, args, 'reduce')); }
      case OP.NEWOBJ: { const args = this.pop(); const cls = this.pop(); return this.push(call(cls, args, 'newobj')); }
      case OP.NEWOBJ_EX: {
        const kwargs = this.pop();
        const args = this.pop();
        const obj = call(this.pop(), args, 'newobj_ex');
        if (!(kwargs instanceof Map)) fail('NEWOBJ_EX kwargs must be a dict');
        obj.kwargs = kwargs;
        return this.push(obj);
      }
      case OP.INST: {
        const cls = global(decodeUtf8(this.line()), decodeUtf8(this.line()));
        return this.push(call(cls, makeTuple(this.popMark()), 'reduce'));
      }
      case OP.OBJ: {
        const [cls, ...args] = this.popMark();
        if (cls === undefined) fail('OBJ without a class');
        return this.push(call(cls, makeTuple(args), 'reduce'));
      }
      case OP.BUILD: { const state = this.pop(); return build(this.top(), state); }
      case OP.PUT: return this.memoPut(textIndex(this.line()));
      case OP.BINPUT: return this.memoPut(this.byte());
      case OP.LONG_BINPUT: return this.memoPut(this.uint(4));
      case OP.MEMOIZE: return this.memoPut(this.memo.size);
      case OP.GET: return this.memoGet(textIndex(this.line()));
      case OP.BINGET: return this.memoGet(this.byte());
      case OP.LONG_BINGET: return this.memoGet(this.uint(4));
      case OP.PERSID: case OP.BINPERSID: return fail('persistent IDs are not supported');
      case OP.EXT1: case OP.EXT2: case OP.EXT4: return fail('the copyreg extension registry is not supported');
      case OP.NEXT_BUFFER: case OP.READONLY_BUFFER: return fail('out-of-band buffers are not supported');
      default: return fail(`invalid opcode 0x${code.toString(16).padStart(2, '0')} at offset ${this.pos - 1}`);
    }
  }

  // ---- stack and memo ------------------------------------------------------------------------------

  private push(v: unknown): void {
    this.stack.push(v);
  }

  private pop(): unknown {
    if (!this.stack.length) fail('unpickling stack underflow');
    return this.stack.pop();
  }

  private top(): unknown {
    if (!this.stack.length) fail('unpickling stack underflow');
    return this.stack[this.stack.length - 1];
  }

  private popN(n: number): unknown[] {
    if (this.stack.length < n) fail('unpickling stack underflow');
    return this.stack.splice(this.stack.length - n, n);
  }

  private popMark(): unknown[] {
    const items = this.stack;
    const prev = this.metastack.pop();
    if (!prev) fail('could not find MARK');
    this.stack = prev;
    this.checkLength(items.length);
    return items;
  }

  private memoPut(idx: number): void {
    if (this.memo.size >= this.maxMemo && !this.memo.has(idx)) fail(`more than ${this.maxMemo} memo entries`);
    this.memo.set(idx, this.top());
  }

  private memoGet(idx: number): void {
    if (!this.memo.has(idx)) fail(`memo key ${idx} not found`);
    this.push(this.memo.get(idx));
  }

  private checkLength(n: number): void {
    if (n > this.maxItems) fail(`container longer than ${this.maxItems} items`);
  }

  private extend(target: unknown, items: unknown[]): void {
    if (target instanceof PyObject) {
      target.listItems.push(...items);
      return;
    }
    if (!Array.isArray(target) || Object.isFrozen(target)) fail('APPEND target is not a list');
    this.checkLength(target.length + items.length);
    for (const x of items) target.push(x);
  }

  private setItems(target: unknown, items: unknown[]): void {
    if (items.length % 2) fail('odd number of items for SETITEMS');
    if (target instanceof PyObject) {
      for (let i = 0; i < items.length; i += 2) target.dictItems.push([items[i], items[i + 1]]);
      return;
    }
    if (!(target instanceof Map)) fail('SETITEM target is not a dict');
    for (let i = 0; i < items.length; i += 2) target.set(items[i], items[i + 1]);
    this.checkLength(target.size);
  }

  // ---- reading ---------------------------------------------------------------------------------------

  private read(n: number): Uint8Array {
    if (n > this.buf.length - this.pos) fail('pickle data was truncated');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  private byte(): number {
    return this.read(1)[0]!;
  }

  /** Unsigned little-endian integer of 1–8 bytes. */
  private uint(n: number): number {
    const b = this.read(n);
    let x = 0;
    for (let i = n - 1; i >= 0; i--) x = x * 256 + b[i]!;
    return x;
  }

  /** A length field; BINSTRING's is signed. `read` checks it against the bytes left, before any copy. */
  private size(n: number, signed = false): number {
    const len = signed ? Buffer.from(this.read(4)).readInt32LE(0) : this.uint(n);
    if (len < 0) fail('negative byte count');
    return len;
  }

  /** The bytes up to (not including) the next newline; the newline is consumed. */
  private line(): Uint8Array {
    const end = this.buf.indexOf(0x0a, this.pos);
    if (end === -1) fail('pickle data was truncated (missing newline)');
    const out = this.buf.subarray(this.pos, end);
    this.pos = end + 1;
    return out;
  }

  /** LONG1/LONG4: n bytes of two's complement, little-endian (none is 0). */
  private long(n: number): number | bigint {
    const b = this.read(n);
    let x = 0n;
    for (let i = n - 1; i >= 0; i--) x = (x << 8n) | BigInt(b[i]!);
    return intValue(BigInt.asIntN(8 * n, x));
  }

  private float(x: number): number | PyFloat {
    return this.pyFloats && Number.isSafeInteger(x) && !Object.is(x, -0) ? new PyFloat(x) : x;
  }

  /** INT (`I01` is True, `I00` False) and LONG (`L` suffix) text arguments. */
  private textInt(isInt: boolean): unknown {
    const text = Buffer.from(this.line()).toString('latin1');
    if (isInt && text === '01') return true;
    if (isInt && text === '00') return false;
    const m = /^\s*([+-]?)(\d+)L?\s*$/.exec(text);
    if (!m || m[2]!.length > MAX_INT_DIGITS) fail(`invalid integer ${JSON.stringify(text.slice(0, 40))}`);
    return intValue(BigInt(`${m[1]}${m[2]}`));
  }
}

/** Python 2 module names, as `fix_imports` maps them back. */
function global(module: string, name: string): PyGlobal {
  const mod = module === '__builtin__' ? 'builtins' : module === 'copy_reg' ? 'copyreg' : module;
  return new PyGlobal(mod, name);
}

/** Record a call without making it. `copyreg` helpers unwrap to the class they build. */
function call(fn: unknown, args: unknown, kind: 'reduce' | 'newobj' | 'newobj_ex'): PyObject {
  if (!(fn instanceof PyGlobal)) fail('callable is not a global');
  if (!Array.isArray(args)) fail('call arguments must be a tuple');
  if (fn.module === 'copyreg' && (fn.name === '_reconstructor' || fn.name === '__newobj__') && kind === 'reduce') {
    const [cls, ...rest] = args as unknown[];
    if (!(cls instanceof PyGlobal)) fail(`copyreg.${fn.name} needs a class`);
    return new PyObject(cls.module, cls.name, fn.name === '__newobj__' ? rest : [], 'newobj');
  }
  return new PyObject(fn.module, fn.name, [...(args as unknown[])], kind);
}

/** BUILD: only recorded on inert objects; Python would fail on anything else we produce. */
function build(target: unknown, state: unknown): void {
  if (!(target instanceof PyObject)) fail('BUILD target has no __setstate__');
  if (target.state instanceof Map && state instanceof Map) for (const [k, v] of state) target.state.set(k, v);
  else target.state = state;
}

function textIndex(line: Uint8Array): number {
  const text = Buffer.from(line).toString('latin1');
  if (!/^\d{1,10}$/.test(text)) fail('invalid memo key');
  return Number(text);
}

/** Python `float()` of a protocol 0 FLOAT argument. */
function textFloat(line: Uint8Array): number {
  const text = Buffer.from(line).toString('latin1').trim().toLowerCase();
  const m = /^([+-]?)(inf|infinity|nan)$/.exec(text);
  if (m) return m[2] === 'nan' ? NaN : m[1] === '-' ? -Infinity : Infinity;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(text)) fail('could not convert string to float');
  return Number(text);
}
