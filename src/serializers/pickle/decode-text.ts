/**
 * Text decoding the unpickler needs beyond plain UTF-8: Python's `surrogatepass` UTF-8 (BINUNICODE may
 * carry lone surrogates), `raw_unicode_escape` (protocol 0 `UNICODE`), and Python 2 `repr` strings
 * (protocol 0 `STRING`). Every failure is a `DeserializationError`.
 */
import { DeserializationError } from '../../errors.js';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** `bytes.decode('utf-8', 'surrogatepass')`. */
export function decodeUtf8(b: Uint8Array): string {
  try {
    return strictUtf8.decode(b);
  } catch {
    return decodeUtf8Slow(b);
  }
}

/** Slow path, only for input holding encoded surrogates (ED A0..BF xx) or invalid bytes. */
function decodeUtf8Slow(b: Uint8Array): string {
  let out = '';
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    const run = c < 0x80 ? 1 : c >= 0xc2 && c < 0xe0 ? 2 : c >= 0xe0 && c < 0xf0 ? 3 : c >= 0xf0 && c < 0xf5 ? 4 : 0;
    if (run === 0 || i + run > b.length) throw new DeserializationError('Invalid UTF-8 in pickled str');
    let cp = run === 1 ? c : c & (0xff >> (run + 1));
    for (let k = 1; k < run; k++) {
      const cc = b[i + k]!;
      if ((cc & 0xc0) !== 0x80) throw new DeserializationError('Invalid UTF-8 in pickled str');
      cp = (cp << 6) | (cc & 0x3f);
    }
    const min = [0, 0, 0x80, 0x800, 0x10000][run]!;
    if (cp < min || cp > 0x10ffff) throw new DeserializationError('Invalid UTF-8 in pickled str');
    out += String.fromCodePoint(cp);
    i += run;
  }
  return out;
}

/** `raw_unicode_escape` decoding: latin-1, where an odd run of backslashes before `u`/`U` starts an escape. */
export function decodeRawUnicodeEscape(b: Uint8Array): string {
  let out = '';
  let i = 0;
  while (i < b.length) {
    if (b[i] !== 0x5c) {
      out += String.fromCharCode(b[i++]!);
      continue;
    }
    let run = 0;
    while (i < b.length && b[i] === 0x5c) {
      run++;
      i++;
    }
    const kind = b[i];
    if (run % 2 === 1 && (kind === 0x75 || kind === 0x55)) {
      out += '\\'.repeat(run - 1);
      const width = kind === 0x75 ? 4 : 8;
      const hex = Buffer.from(b.subarray(i + 1, i + 1 + width)).toString('latin1');
      if (!new RegExp(`^[0-9a-fA-F]{${width}}$`).test(hex)) throw new DeserializationError('Truncated \\uXXXX escape in pickled str');
      const cp = parseInt(hex, 16);
      if (cp > 0x10ffff) throw new DeserializationError('\\Uxxxxxxxx out of range in pickled str');
      out += cp <= 0xffff ? String.fromCharCode(cp) : String.fromCodePoint(cp);
      i += 1 + width;
    } else {
      out += '\\'.repeat(run);
    }
  }
  return out;
}

const SIMPLE_ESCAPES: Record<string, number> = { '\\': 0x5c, "'": 0x27, '"': 0x22, n: 0x0a, t: 0x09, r: 0x0d, b: 0x08, f: 0x0c, v: 0x0b, a: 0x07 };

/** Protocol 0 `STRING`: a quoted Python 2 `repr`, escape-decoded, then ASCII (pickle's default encoding). */
export function decodePy2String(line: Uint8Array): string {
  const text = Buffer.from(line).toString('latin1');
  const q = text[0];
  if (text.length < 2 || (q !== "'" && q !== '"') || text[text.length - 1] !== q) {
    throw new DeserializationError('The STRING opcode argument must be quoted');
  }
  const body = text.slice(1, -1);
  const bytes: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (ch !== '\\') {
      bytes.push(ch.charCodeAt(0));
      continue;
    }
    const next = body[++i];
    if (next === undefined) throw new DeserializationError('Trailing \\ in STRING');
    if (next in SIMPLE_ESCAPES) bytes.push(SIMPLE_ESCAPES[next]!);
    else if (next === '\n') continue;
    else if (next === 'x') {
      const hex = body.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new DeserializationError('Invalid \\x escape in STRING');
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else if (next >= '0' && next <= '7') {
      const oct = /^[0-7]{1,3}/.exec(body.slice(i))![0];
      bytes.push(parseInt(oct, 8) & 0xff);
      i += oct.length - 1;
    } else bytes.push(0x5c, next.charCodeAt(0));
  }
  return asciiOnly(Uint8Array.from(bytes));
}

/** Python 2 `str` opcodes decode with pickle's default `encoding='ASCII'`. */
export function asciiOnly(b: Uint8Array): string {
  for (const c of b) if (c > 0x7f) throw new DeserializationError('Python 2 str with non-ASCII bytes (pickle encoding is ASCII)');
  return Buffer.from(b).toString('latin1');
}
