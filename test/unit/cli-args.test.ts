/**
 * The CLI's argument handling without a process or Redis: how `rqts enqueue` turns tokens into job
 * arguments and options, and how values read back are printed as one line of JSON.
 */
import { describe, expect, it } from 'vitest';
import { py } from '../../src/index.js';
import { bufferOutput, parseJson, plural, stopOnSignals, toJson, UsageError } from '../../src/cli/common.js';
import { enqueueCommand, parseArg, parseEnqueueArgs, toCallOptions } from '../../src/cli/enqueue.js';

describe('parseArg', () => {
  it('reads JSON when it parses, else the text; ":" demands JSON', () => {
    expect(parseArg('1', 1)).toBe(1);
    expect(parseArg('true', 1)).toBe(true);
    expect(parseArg('null', 1)).toBeNull();
    expect(parseArg('"x"', 1)).toBe('x');
    expect(parseArg('[1,2]', 1)).toEqual([1, 2]);
    expect(parseArg('{"a":1}', 1)).toEqual({ a: 1 });
    expect(parseArg('hello', 1)).toBe('hello');
    expect(parseArg('{nope', 1)).toBe('{nope');
    expect(parseArg(':"7"', 1)).toBe('7');
    expect(parseArg(':12', 1)).toBe(12);
    expect(() => parseArg(':[1,', 3)).toThrow(new UsageError('argument 3 (:[1,) is not valid JSON after ":"'));
    expect(() => parseArg(':', 2)).toThrow(UsageError);
  });
});

describe('stopOnSignals', () => {
  // The listener it adds is called directly: emitting SIGINT/SIGTERM would reach the test runner's own handlers too.
  const added = (signal: 'SIGINT' | 'SIGTERM', before: readonly unknown[]): () => void => {
    const fresh = process.listeners(signal).filter((l) => !before.includes(l));
    expect(fresh).toHaveLength(1);
    return fresh[0] as () => void;
  };

  it('aborts on SIGINT and on SIGTERM, and dispose() gives both signals back', () => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      const before = { SIGINT: process.listeners('SIGINT'), SIGTERM: process.listeners('SIGTERM') };
      const stop = stopOnSignals();
      const onInt = added('SIGINT', before.SIGINT);
      const onTerm = added('SIGTERM', before.SIGTERM);
      expect(stop.signal.aborted).toBe(false);
      (signal === 'SIGINT' ? onInt : onTerm)();
      expect(stop.signal.aborted).toBe(true);
      stop.dispose();
      expect(process.listeners('SIGINT')).toEqual(before.SIGINT);
      expect(process.listeners('SIGTERM')).toEqual(before.SIGTERM);
    }
  });
});

describe('parseJson', () => {
  it('keeps integers beyond 2^53 exact, as bigints, and leaves the rest to JSON.parse', () => {
    expect(parseJson('12345678901234567890')).toBe(12345678901234567890n);
    expect(parseJson(' -12345678901234567890 ')).toBe(-12345678901234567890n);
    expect(parseJson('9007199254740991')).toBe(9_007_199_254_740_991);
    expect(parseJson('-5')).toBe(-5);
    expect(parseJson('1.5')).toBe(1.5);
    expect(parseJson('[12345678901234567890]')).toEqual([12345678901234567000]);
    expect(() => parseJson('1 2')).toThrow(SyntaxError);
  });
});

describe('toJson', () => {
  it('prints JSON types as they are and Python-only values as their repr', () => {
    expect(toJson(null)).toBe('null');
    expect(toJson(undefined)).toBe('null');
    expect(toJson(true)).toBe('true');
    expect(toJson(false)).toBe('false');
    expect(toJson(1.5)).toBe('1.5');
    expect(toJson(Number.NaN)).toBe('"nan"');
    expect(toJson(Number.POSITIVE_INFINITY)).toBe('"inf"');
    expect(toJson(2n ** 70n)).toBe('1180591620717411303424');
    expect(toJson('é"')).toBe('"é\\""');
    expect(toJson(Symbol('s'))).toBe('"Symbol(s)"');
    expect(toJson(new Date(Date.UTC(2024, 0, 2)))).toBe('"2024-01-02T00:00:00.000Z"');
    expect(toJson(new Date(Number.NaN))).toBe('null');
    expect(toJson([1, new Set([2, 3])])).toBe('[1,[2,3]]');
    expect(toJson(py.tuple(1, 'a'))).toBe('[1,"a"]');
    expect(toJson(new Map<unknown, unknown>([['k', 1], [2, 'two'], [py.tuple(1), null]]))).toBe('{"k":1,"2":"two","(1,)":null}');
    expect(toJson(Object.assign(Object.create(null) as object, { a: [] }))).toBe('{"a":[]}');
    expect(toJson(py.float(2))).toBe('2');
    expect(toJson(Buffer.from('hi'))).toBe(`"b'hi'"`);
    expect(toJson(new (class Point {})())).toMatch(/^".*Point.*"$/);
  });

  it('marks a cycle instead of recursing, but repeats a shared value', () => {
    const a: unknown[] = [1];
    a.push(a);
    expect(toJson(a)).toBe('[1,"..."]');
    const shared = { x: 1 };
    expect(toJson([shared, shared])).toBe('[{"x":1},{"x":1}]');
  });
});

describe('plural and bufferOutput', () => {
  it('counts words and collects lines', () => {
    expect([plural(0, 'job'), plural(1, 'job'), plural(2, 'job')]).toEqual(['0 jobs', '1 job', '2 jobs']);
    const io = bufferOutput();
    io.out('a');
    io.err('b');
    io.out('c');
    expect([io.stdout, io.stderr]).toEqual([['a', 'c'], ['b']]);
  });
});

describe('rqts enqueue arguments', () => {
  const normalize = (args: string[]) => enqueueCommand.normalize!(args);

  it('--wait takes an optional value; nothing after -- is touched', () => {
    expect(normalize(['f', '--wait', '500', 'x'])).toEqual(['f', '--wait=500', 'x']);
    expect(normalize(['f', '--wait', 'x'])).toEqual(['f', '--wait=', 'x']);
    // Only a whole number is the wait's value; anything else is the next argument.
    expect(normalize(['f', '--wait', '5x'])).toEqual(['f', '--wait=', '5x']);
    expect(normalize(['f', '--wait', 'x5'])).toEqual(['f', '--wait=', 'x5']);
    expect(normalize(['f', '--wait'])).toEqual(['f', '--wait=']);
    expect(normalize(['f', '--wait=7', '-q', 'q'])).toEqual(['f', '--wait=7', '-q', 'q']);
    expect(normalize(['f', '--', '--wait', '5'])).toEqual(['f', '--', '--wait', '5']);
  });

  it('maps every option to its enqueue option, and rejects bad usage', () => {
    expect(() => enqueueCommand.prepare({}, [])).toThrow(new UsageError('missing the function to enqueue'));
    expect(new UsageError('x').name).toBe('UsageError'); // what a caller of the exported commands tells it by
    expect(() => enqueueCommand.prepare({ kwargs: '[1]' }, ['f'])).toThrow(new UsageError('--kwargs must be a JSON object'));
    expect(() => enqueueCommand.prepare({ kwargs: 'null' }, ['f'])).toThrow(new UsageError('--kwargs must be a JSON object'));
    expect(() => enqueueCommand.prepare({ kwargs: '5' }, ['f'])).toThrow(new UsageError('--kwargs must be a JSON object'));
    expect(() => enqueueCommand.prepare({ kwargs: '"a=1"' }, ['f'])).toThrow(new UsageError('--kwargs must be a JSON object'));
    expect(() => enqueueCommand.prepare({ kwargs: '{nope' }, ['f'])).toThrow(new UsageError('--kwargs is not valid JSON: {nope'));
    expect(() => enqueueCommand.prepare({ wait: 'soon' }, ['f'])).toThrow(new UsageError('--wait takes milliseconds, got soon'));
    expect(() => enqueueCommand.prepare({ wait: '-1' }, ['f'])).toThrow(UsageError);
    expect(() => enqueueCommand.prepare({ wait: '500ms' }, ['f'])).toThrow(new UsageError('--wait takes milliseconds, got 500ms'));
    expect(() => enqueueCommand.prepare({ wait: '1.5' }, ['f'])).toThrow(UsageError);
    expect(() => enqueueCommand.prepare({}, ['f', ':[1,'])).toThrow(new UsageError('argument 1 (:[1,) is not valid JSON after ":"'));
    expect(typeof enqueueCommand.prepare({ wait: '', kwargs: '{"a":1}' }, ['f', '1'])).toBe('function');
  });

  it('every option reaches Queue.enqueueCall, under its own name', () => {
    const values = {
      queue: 'high', kwargs: '{"k":[1]}', 'job-id': 'j-1', timeout: '7m', 'result-ttl': '600', ttl: '1h', 'failure-ttl': '-1',
      description: 'd', 'at-front': true, wait: '250',
    };
    const parsed = parseEnqueueArgs(values, ['mylib.add', '1', 'x']);
    expect(parsed).toEqual({
      func: 'mylib.add', args: [1, 'x'], kwargs: { k: [1] }, queue: 'high', jobId: 'j-1', timeout: '7m', resultTtl: '600',
      ttl: '1h', failureTtl: '-1', description: 'd', atFront: true, wait: 250,
    });
    expect(toCallOptions(parsed)).toEqual({
      args: [1, 'x'], kwargs: { k: [1] }, jobId: 'j-1', jobTimeout: '7m', resultTtl: '600', ttl: '1h', failureTtl: '-1',
      description: 'd', atFront: true,
    });
  });

  it('leaves out what was not given (the library defaults apply)', () => {
    const parsed = parseEnqueueArgs({ wait: '' }, ['mylib.add']);
    expect(parsed).toEqual({
      func: 'mylib.add', args: [], kwargs: undefined, queue: undefined, jobId: undefined, timeout: undefined, resultTtl: undefined,
      ttl: undefined, failureTtl: undefined, description: undefined, atFront: false, wait: null,
    });
    expect(toCallOptions(parsed)).toStrictEqual({ args: [] });
    expect(parseEnqueueArgs({}, ['f']).wait).toBeUndefined();
    expect(parseEnqueueArgs({ 'at-front': false }, ['f']).atFront).toBe(false);
  });
});
