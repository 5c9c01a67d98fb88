/**
 * A small MessagePack reader for tests: what rqts packs for its Lua scripts, read back independently of
 * `src/msgpack.ts` (strings decode as UTF-8 text, integers as numbers, arrays as arrays).
 */
export function unpackMsgpack(buf: Buffer): unknown {
  let at = 0;
  const u8 = (): number => buf[at++]!;
  const u16 = (): number => { const v = buf.readUInt16BE(at); at += 2; return v; };
  const u32 = (): number => { const v = buf.readUInt32BE(at); at += 4; return v; };
  const str = (n: number): string => { const s = buf.toString('utf8', at, at + n); at += n; return s; };
  const arr = (n: number): unknown[] => Array.from({ length: n }, () => read());
  const read = (): unknown => {
    const b = u8();
    if (b <= 0x7f) return b;
    if (b >= 0x90 && b <= 0x9f) return arr(b & 0x0f);
    if (b >= 0xa0 && b <= 0xbf) return str(b & 0x1f);
    switch (b) {
      case 0xcc: return u8();
      case 0xcd: return u16();
      case 0xce: return u32();
      case 0xd9: return str(u8());
      case 0xda: return str(u16());
      case 0xdb: return str(u32());
      case 0xdc: return arr(u16());
      case 0xdd: return arr(u32());
      default: throw new Error(`unexpected MessagePack byte 0x${b.toString(16)} at ${at - 1}`);
    }
  };
  const value = read();
  if (at !== buf.length) throw new Error(`${buf.length - at} trailing bytes`);
  return value;
}
