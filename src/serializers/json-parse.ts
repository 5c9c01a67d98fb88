/**
 * A JSON reader that accepts what CPython's `json.loads` accepts (including `NaN`, `Infinity`,
 * `-Infinity`) and returns Python-shaped values: integers outside the safe range as `bigint`, objects as
 * plain objects or `Map`s by the `makeDict` rule (so key order and `__proto__` keys survive). Hand-written
 * rather than `JSON.parse` because that loses big integers, rejects `NaN` and reorders keys.
 */
import { DeserializationError } from '../errors.js';
import { intValue, makeDict, MAX_INT_DIGITS, PyFloat } from '../py/values.js';

/** Limits and options for {@link jsonLoads}. */
export interface JsonLoadOptions {
  /** Largest input accepted, in bytes. @defaultValue 268435456 (256 MiB) */
  maxBytes?: number;
  /** Deepest nesting. @defaultValue 1000 */
  maxDepth?: number;
  /** How an integral float such as `1.0` comes back (see `PickleLoadOptions.integralFloats`). @defaultValue `'number'` */
  integralFloats?: 'number' | 'pyfloat';
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?/y;
const WS = /[ \t\n\r]*/y;
const PLAIN_RUN = /[^"\\\x00-\x1f]*/y;

/**
 * `json.loads(bytes.decode('utf-8'))`.
 * @throws DeserializationError for invalid UTF-8, malformed JSON, trailing data, or exceeded limits.
 */
export function jsonLoads(bytes: Uint8Array, options: JsonLoadOptions = {}): unknown {
  const maxBytes = options.maxBytes ?? 256 * 1024 * 1024;
  if (bytes.length > maxBytes) throw new DeserializationError(`JSON is ${bytes.length} bytes, over the ${maxBytes}-byte limit`);
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch (error) {
    throw new DeserializationError('JSON payload is not valid UTF-8', { cause: error });
  }
  return new Parser(text, options.maxDepth ?? 1000, options.integralFloats === 'pyfloat').parseDocument();
}

class Parser {
  private pos = 0;
  constructor(private readonly s: string, private readonly maxDepth: number, private readonly pyFloats: boolean) {}

  parseDocument(): unknown {
    this.ws();
    const value = this.value(0);
    this.ws();
    if (this.pos !== this.s.length) this.fail('Extra data');
    return value;
  }

  private fail(what: string): never {
    throw new DeserializationError(`Invalid JSON: ${what} at char ${this.pos}`);
  }

  private ws(): void {
    WS.lastIndex = this.pos;
    WS.exec(this.s);
    this.pos = WS.lastIndex;
  }

  private value(depth: number): unknown {
    const c = this.s[this.pos];
    if (c === '"') return this.string();
    if (c === '{' || c === '[') {
      if (depth >= this.maxDepth) this.fail(`nesting deeper than ${this.maxDepth}`);
      return c === '{' ? this.object(depth + 1) : this.array(depth + 1);
    }
    for (const [word, v] of WORDS) {
      if (this.s.startsWith(word, this.pos)) {
        this.pos += word.length;
        return v;
      }
    }
    return this.number();
  }

  private number(): unknown {
    NUMBER.lastIndex = this.pos;
    const m = NUMBER.exec(this.s);
    if (!m) this.fail('Expecting value');
    this.pos = NUMBER.lastIndex;
    const text = m[0];
    if (m[1] === undefined && m[2] === undefined) {
      if (text.replace('-', '').length > MAX_INT_DIGITS) this.fail(`integer longer than ${MAX_INT_DIGITS} digits`);
      return intValue(BigInt(text));
    }
    const x = Number(text);
    return this.pyFloats && Number.isSafeInteger(x) && !Object.is(x, -0) ? new PyFloat(x) : x;
  }

  private string(): string {
    this.pos++; // opening quote
    let out = '';
    for (;;) {
      PLAIN_RUN.lastIndex = this.pos;
      PLAIN_RUN.exec(this.s);
      out += this.s.slice(this.pos, PLAIN_RUN.lastIndex);
      this.pos = PLAIN_RUN.lastIndex;
      const c = this.s[this.pos];
      if (c === '"') {
        this.pos++;
        return out;
      }
      if (c === undefined) this.fail('Unterminated string');
      if (c !== '\\') this.fail('Invalid control character in string');
      const e = this.s[this.pos + 1];
      if (e === 'u') {
        const hex = this.s.slice(this.pos + 2, this.pos + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('Invalid \\uXXXX escape');
        out += String.fromCharCode(parseInt(hex, 16));
        this.pos += 6;
        continue;
      }
      const simple = e === undefined ? undefined : ESCAPES[e];
      if (simple === undefined) this.fail('Invalid \\escape');
      out += simple;
      this.pos += 2;
    }
  }

  private array(depth: number): unknown[] {
    this.pos++;
    const out: unknown[] = [];
    this.ws();
    if (this.s[this.pos] === ']') {
      this.pos++;
      return out;
    }
    for (;;) {
      this.ws();
      out.push(this.value(depth));
      this.ws();
      const c = this.s[this.pos++];
      if (c === ']') return out;
      if (c !== ',') this.fail("Expecting ',' delimiter");
    }
  }

  private object(depth: number): unknown {
    this.pos++;
    const entries: [unknown, unknown][] = [];
    this.ws();
    if (this.s[this.pos] === '}') {
      this.pos++;
      return makeDict(entries);
    }
    for (;;) {
      this.ws();
      if (this.s[this.pos] !== '"') this.fail('Expecting property name enclosed in double quotes');
      const key = this.string();
      this.ws();
      if (this.s[this.pos++] !== ':') this.fail("Expecting ':' delimiter");
      this.ws();
      entries.push([key, this.value(depth)]);
      this.ws();
      const c = this.s[this.pos++];
      if (c === '}') return makeDict(entries);
      if (c !== ',') this.fail("Expecting ',' delimiter");
    }
  }
}

const WORDS: [string, unknown][] = [['null', null], ['true', true], ['false', false], ['NaN', NaN], ['Infinity', Infinity], ['-Infinity', -Infinity]];
const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
