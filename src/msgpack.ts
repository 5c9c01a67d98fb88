/**
 * MessagePack for what rqts's Lua scripts read with `cmsgpack.unpack`: byte strings, small non-negative
 * integers and arrays of them, nested freely. Strings are written as `str` (Lua strings are bytes; cmsgpack
 * does not check UTF-8), so Buffers pass through unchanged.
 *
 * This runs for every job enqueued, so it is written for speed: one pass into a reused scratch buffer, and
 * short ASCII strings (field names, ids, timestamps: most of a job) copied byte by byte in JavaScript, which
 * is cheaper than a native call per string.
 */
import { grow } from './grow.js';

/** What {@link pack} writes. Numbers must be integers from 0 to 2^32 − 1. */
export type Packable = string | Uint8Array | number | readonly Packable[];

/** Strings up to this many UTF-16 units are tried as ASCII first (one byte per unit). */
const SHORT = 64;

let scratch = Buffer.allocUnsafe(64 * 1024);
let at = 0;

/** Pack a value. @throws RangeError for a number that is not an integer from 0 to 2^32 − 1. */
export function pack(value: Packable): Buffer {
  at = 0;
  put(value);
  const out = Buffer.allocUnsafe(at);
  scratch.copy(out, 0, 0, at);
  return out;
}

/** Room for `n` more bytes. */
function reserve(n: number): void {
  if (at + n > scratch.length) scratch = grow(scratch, at, at + n);
}

function put(v: Packable): void {
  if (typeof v === 'string') return putString(v);
  if (typeof v === 'number') return putUint(v);
  if (v instanceof Uint8Array) {
    reserve(5 + v.length);
    stringHeader(v.length);
    scratch.set(v, at);
    at += v.length;
    return;
  }
  reserve(5);
  const n = v.length;
  if (n < 16) scratch[at++] = 0x90 | n;
  else if (n < 0x10000) {
    scratch[at++] = 0xdc;
    at = scratch.writeUInt16BE(n, at);
  } else {
    scratch[at++] = 0xdd;
    at = scratch.writeUInt32BE(n, at);
  }
  for (let i = 0; i < n; i++) put(v[i]!);
}

function putString(s: string): void {
  const n = s.length;
  if (n < 32) {
    // Assume ASCII: a one-byte header and one byte per unit; start over below at the first unit that is not.
    reserve(1 + n);
    const start = at;
    scratch[at] = 0xa0 | n;
    let i = 0;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) break;
      scratch[start + 1 + i] = c;
    }
    if (i === n) {
      at = start + 1 + n;
      return;
    }
  } else if (n <= SHORT) {
    reserve(2 + n);
    const start = at;
    let i = 0;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) break;
      scratch[start + 2 + i] = c;
    }
    if (i === n) {
      scratch[start] = 0xd9;
      scratch[start + 1] = n;
      at = start + 2 + n;
      return;
    }
  }
  const bytes = Buffer.byteLength(s, 'utf8');
  reserve(5 + bytes);
  stringHeader(bytes);
  at += scratch.write(s, at, 'utf8');
}

function putUint(v: number): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeError(`cannot pack ${v}: expected an integer from 0 to 2^32 - 1`);
  reserve(5);
  if (v < 0x80) scratch[at++] = v;
  else if (v < 0x100) {
    scratch[at++] = 0xcc;
    scratch[at++] = v;
  } else if (v < 0x10000) {
    scratch[at++] = 0xcd;
    at = scratch.writeUInt16BE(v, at);
  } else {
    scratch[at++] = 0xce;
    at = scratch.writeUInt32BE(v, at);
  }
}

function stringHeader(n: number): void {
  if (n < 32) scratch[at++] = 0xa0 | n;
  else if (n < 0x100) {
    scratch[at++] = 0xd9;
    scratch[at++] = n;
  } else if (n < 0x10000) {
    scratch[at++] = 0xda;
    at = scratch.writeUInt16BE(n, at);
  } else {
    scratch[at++] = 0xdb;
    at = scratch.writeUInt32BE(n, at);
  }
}
