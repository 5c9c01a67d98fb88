/**
 * MessagePack for what rqts's Lua scripts read with `cmsgpack.unpack`: byte strings, small non-negative
 * integers and arrays of them, nested freely. Strings are written as `str` (Lua strings are bytes; cmsgpack
 * does not check UTF-8), so Buffers pass through unchanged.
 *
 * This runs for every job enqueued, so it is written for speed: one pass measures (each string's byte length
 * once), one pass writes into a single buffer, and short ASCII strings (field names, ids, timestamps: most
 * of a job) are copied byte by byte in JavaScript, which is cheaper than a native call per string.
 */

/** What {@link pack} writes. Numbers must be integers from 0 to 2^32 − 1. */
export type Packable = string | Uint8Array | number | readonly Packable[];

/** Strings up to this many UTF-16 units that turn out to be ASCII are copied in JavaScript. */
const SHORT = 48;

/** Pack a value. @throws RangeError for a number that is not an integer from 0 to 2^32 − 1. */
export function pack(value: Packable): Buffer {
  const lengths: number[] = [];
  const out = Buffer.allocUnsafe(measure(value, lengths));
  const end = write(out, 0, value, lengths, { next: 0 });
  return end === out.length ? out : out.subarray(0, end);
}

function measure(v: Packable, lengths: number[]): number {
  if (typeof v === 'string') {
    const n = byteLength(v);
    lengths.push(n);
    return stringHeaderSize(n) + n;
  }
  if (typeof v === 'number') {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeError(`cannot pack ${v}: expected an integer from 0 to 2^32 - 1`);
    return v < 0x80 ? 1 : v < 0x100 ? 2 : v < 0x10000 ? 3 : 5;
  }
  if (v instanceof Uint8Array) return stringHeaderSize(v.length) + v.length;
  let size = arrayHeaderSize(v.length);
  for (let i = 0; i < v.length; i++) size += measure(v[i]!, lengths);
  return size;
}

function write(out: Buffer, at: number, v: Packable, lengths: number[], cursor: { next: number }): number {
  if (typeof v === 'string') {
    const n = lengths[cursor.next++]!;
    at = writeStringHeader(out, at, n);
    if (n === v.length && n <= SHORT) {
      for (let i = 0; i < n; i++) out[at + i] = v.charCodeAt(i);
      return at + n;
    }
    return at + out.write(v, at, 'utf8');
  }
  if (typeof v === 'number') {
    if (v < 0x80) {
      out[at] = v;
      return at + 1;
    }
    if (v < 0x100) {
      out[at] = 0xcc;
      out[at + 1] = v;
      return at + 2;
    }
    if (v < 0x10000) return out.writeUInt16BE(v, writeByte(out, at, 0xcd));
    return out.writeUInt32BE(v, writeByte(out, at, 0xce));
  }
  if (v instanceof Uint8Array) {
    at = writeStringHeader(out, at, v.length);
    out.set(v, at);
    return at + v.length;
  }
  at = writeArrayHeader(out, at, v.length);
  for (let i = 0; i < v.length; i++) at = write(out, at, v[i]!, lengths, cursor);
  return at;
}

/** UTF-8 length; short strings are scanned in JavaScript (ASCII: the length itself). */
function byteLength(s: string): number {
  if (s.length > SHORT) return Buffer.byteLength(s, 'utf8');
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return Buffer.byteLength(s, 'utf8');
  return s.length;
}

function writeByte(out: Buffer, at: number, byte: number): number {
  out[at] = byte;
  return at + 1;
}

const arrayHeaderSize = (n: number): number => (n < 16 ? 1 : n < 0x10000 ? 3 : 5);
const stringHeaderSize = (n: number): number => (n < 32 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : 5);

function writeArrayHeader(out: Buffer, at: number, n: number): number {
  if (n < 16) return writeByte(out, at, 0x90 | n);
  if (n < 0x10000) return out.writeUInt16BE(n, writeByte(out, at, 0xdc));
  return out.writeUInt32BE(n, writeByte(out, at, 0xdd));
}

function writeStringHeader(out: Buffer, at: number, n: number): number {
  if (n < 32) return writeByte(out, at, 0xa0 | n);
  if (n < 0x100) {
    out[at] = 0xd9;
    out[at + 1] = n;
    return at + 2;
  }
  if (n < 0x10000) return out.writeUInt16BE(n, writeByte(out, at, 0xda));
  return out.writeUInt32BE(n, writeByte(out, at, 0xdb));
}
