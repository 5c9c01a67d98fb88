/** Byte-level encodings the pickler uses: little-endian sizes, `save_long` ints, and str encodings. */

/** 4-byte little-endian unsigned. */
export function u32(n: number): number[] {
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
}

/** 8-byte little-endian unsigned. */
export function u64(n: number): number[] {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return [...b];
}

/**
 * Little-endian two's complement in the fewest bytes that keep the sign: CPython's `encode_long` (`save_long`,
 * protocol 2+), whose "bit_length // 8 + 1 bytes, less a redundant 0xff" is that width. 0 is empty.
 */
export function twosComplement(n: bigint): Buffer {
  if (n === 0n) return Buffer.alloc(0);
  // The magnitude's bits plus a sign bit; a negative n has the magnitude bits of -n - 1 (-128 fits one byte).
  const nbytes = ((n < 0n ? -n - 1n : n).toString(2).length >> 3) + 1;
  const out = Buffer.alloc(nbytes);
  // BigInt's & and >> act on the infinite two's complement, so a negative n needs no offset.
  let x = n;
  for (let i = 0; i < nbytes; i++) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return out;
}

/** UTF-8 that keeps lone surrogates (Python's `surrogatepass`), since JS strings may hold them. */
export function utf8SurrogatePass(s: string): Buffer {
  if ((s as unknown as { isWellFormed(): boolean }).isWellFormed()) return Buffer.from(s, 'utf8');
  const parts: Buffer[] = [];
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (cp >= 0xd800 && cp <= 0xdfff) parts.push(Buffer.from([0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)]));
    else parts.push(Buffer.from(ch, 'utf8'));
  }
  return Buffer.concat(parts);
}

/** `_pickle.c raw_unicode_escape`: latin-1 bytes, `\uXXXX`/`\UXXXXXXXX` above 0xff and for `\ \0 \n \r \x1a`. */
export function rawUnicodeEscape(s: string): Buffer {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (cp >= 0x10000) out += `\\U${cp.toString(16).padStart(8, '0')}`;
    else if (cp >= 256 || cp === 0x5c || cp === 0 || cp === 0x0a || cp === 0x0d || cp === 0x1a) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return Buffer.from(out, 'latin1');
}

/** `fix_imports` for protocols < 3: Python 3 module names as Python 2 spelt them. */
export function py2Name(module: string, name: string): [string, string] {
  if (module === 'builtins') return ['__builtin__', name];
  if (module === 'copyreg') return ['copy_reg', name];
  return [module, name];
}
