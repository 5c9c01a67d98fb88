import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import {
  parseDuration,
  parseFailureTtl,
  parseJobTimeout,
  parseResultTtl,
  parseTtl,
  rejectUnknownOptions,
  validateFuncName,
  validateJobId,
  validateQueueName,
  type Duration,
} from '../../src/validate.js';

describe('durations', () => {
  it('accepts seconds and RQ duration strings', () => {
    expect(parseDuration('x', 90)).toBe(90);
    expect(parseDuration('x', '90')).toBe(90);
    expect(parseDuration('x', '5s')).toBe(5);
    expect(parseDuration('x', '3m')).toBe(180);
    expect(parseDuration('x', '1h')).toBe(3600);
    expect(parseDuration('x', '2d')).toBe(172_800);
    expect(parseDuration('x', '1H')).toBe(3600);
  });

  it("cuts numbers toward zero like Python's int(), as RQ's parse_timeout does", () => {
    expect(parseDuration('x', 1.9)).toBe(1);
    expect(parseDuration('x', -1.5)).toBe(-1);
    expect(parseDuration('x', -0.5)).toBe(0);
    expect(parseDuration('x', '+5m')).toBe(300);
    expect(parseDuration('x', '-1m')).toBe(-60);
  });

  it.each(['3x', '1.5m', '1.5', '', 'm', NaN, Infinity, null, {}])('rejects %p', (bad) => {
    expect(() => parseDuration('jobTimeout', bad as never)).toThrow(InvalidArgumentError);
  });

  it("reads padded strings as Python's int() does (RQ: int(' 90 ') is 90)", () => {
    expect(parseDuration('x', ' 90 ')).toBe(90);
    expect(parseDuration('x', ' 5m')).toBe(300);
  });

  it('refuses durations beyond exact integers instead of storing a rounded TTL', () => {
    expect(parseDuration('x', Number.MAX_SAFE_INTEGER)).toBe(Number.MAX_SAFE_INTEGER);
    expect(() => parseDuration('ttl', 2 ** 53)).toThrow(/Invalid ttl .*too large/);
    expect(() => parseDuration('ttl', '99999999999999999999')).toThrow(/too large/);
    expect(() => parseDuration('ttl', '999999999999999d')).toThrow(/too large/);
    expect(parseDuration('ttl', '99999999999d')).toBe(99_999_999_999 * 86_400);
  });

  it('says what it expected, naming the option', () => {
    const cases: [() => unknown, string, RegExp][] = [
      [() => parseDuration('jobTimeout', NaN), 'jobTimeout', /finite number of seconds/],
      [() => parseDuration('jobTimeout', '3 minutes' as Duration), 'jobTimeout', /'30s', '5m', '1h', '2d'/],
      [() => parseDuration('jobTimeout', true as never), 'jobTimeout', /number of seconds or a duration string/],
      [() => parseJobTimeout(0, 180), 'jobTimeout', /other than 0 \(-1 for no limit\)/],
      [() => parseResultTtl(-2), 'resultTtl', /-1 to keep forever/],
      [() => parseFailureTtl(-2), 'failureTtl', /-1 to keep forever/],
      [() => parseTtl(0), 'ttl', /seconds > 0/],
      [() => parseTtl('1 hour' as Duration), 'ttl', /a duration like/],
      [() => parseResultTtl('1 hour' as Duration), 'resultTtl', /a duration like/],
      [() => validateJobId('a:b'), 'jobId', /letters, digits, "_" and "-"/],
      [() => validateJobId('a:b', 'dependsOn'), 'dependsOn', /letters, digits/],
      [() => validateFuncName('a b'), 'func', /Python dotted path/],
      [() => validateFuncName('a b', 'onSuccess'), 'onSuccess', /Python dotted path/],
      [() => validateQueueName('a b'), 'queue name', /without spaces or ":"/],
    ];
    for (const [call, option, reason] of cases) {
      try {
        call();
        expect.unreachable(option);
      } catch (e) {
        expect(e).toBeInstanceOf(InvalidArgumentError);
        expect((e as InvalidArgumentError).option).toBe(option);
        expect((e as Error).message).toMatch(reason);
      }
    }
  });

  it('names the option and the value', () => {
    try {
      parseJobTimeout('3x' as never, 180);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InvalidArgumentError);
      expect((e as InvalidArgumentError).option).toBe('jobTimeout');
      expect((e as Error).message).toContain('"3x"');
    }
  });

  it("applies RQ's own range checks per option (Queue.create_job), and refuses negative TTLs workers mishandle", () => {
    expect(parseJobTimeout(undefined, 180)).toBe(180);
    expect(parseJobTimeout(-1, 180)).toBe(-1);
    expect(parseJobTimeout(-5, 180)).toBe(-5);
    expect(parseJobTimeout(1.5, 180)).toBe(1);
    expect(() => parseJobTimeout(0, 180)).toThrow(InvalidArgumentError);
    expect(() => parseJobTimeout(0.5, 180)).toThrow(InvalidArgumentError);
    expect(() => parseJobTimeout('0m', 180)).toThrow(InvalidArgumentError);
    expect(parseResultTtl(0)).toBe(0);
    expect(parseResultTtl(null)).toBe(-1);
    expect(parseResultTtl(-1)).toBe(-1);
    expect(() => parseResultTtl(-2)).toThrow(InvalidArgumentError);
    expect(parseResultTtl(undefined)).toBeUndefined();
    expect(parseFailureTtl('1d')).toBe(86_400);
    expect(parseFailureTtl(0)).toBe(0);
    expect(() => parseFailureTtl(-7)).toThrow(InvalidArgumentError);
    expect(parseTtl('1h')).toBe(3600);
    expect(parseTtl(1.5)).toBe(1);
    expect(parseTtl(null)).toBeUndefined();
    for (const bad of [0, -1, -5, 0.5, '0s']) expect(() => parseTtl(bad as Duration)).toThrow(InvalidArgumentError);
  });
});

describe('ids and names', () => {
  it('allows only ids every RQ version can load', () => {
    expect(validateJobId('my-custom_id-1')).toBe('my-custom_id-1');
    for (const bad of ['a.b', 'a:b', 'héllo', 'sp ace', '', 42]) {
      expect(() => validateJobId(bad)).toThrow(InvalidArgumentError);
    }
  });

  it('accepts Python dotted paths only', () => {
    expect(validateFuncName('mylib.add')).toBe('mylib.add');
    expect(validateFuncName('pkg.mod.Class.method')).toBe('pkg.mod.Class.method');
    expect(validateFuncName('len')).toBe('len');
    for (const bad of ['', 'a..b', '1abc.x', 'a.b.', 'a-b.c', 'a b', 'os.system;rm']) {
      expect(() => validateFuncName(bad)).toThrow(InvalidArgumentError);
    }
  });

  it('rejects queue names that would break keys', () => {
    expect(validateQueueName('high')).toBe('high');
    for (const bad of ['', 'a:b', 'a b']) expect(() => validateQueueName(bad)).toThrow(InvalidArgumentError);
  });

  it('rejects unknown options with a hint', () => {
    expect(() => rejectUnknownOptions('enqueueCall', { job_timeout: 5 }, ['jobTimeout'])).toThrow(/did you mean "jobTimeout"/);
    expect(() => rejectUnknownOptions('enqueueCall', { jobTimeout: 5 }, ['jobTimeout'])).not.toThrow();
    expect(() => rejectUnknownOptions('enqueueCall', { resultttl: 5 }, ['jobTimeout', 'resultTtl'])).toThrow(/did you mean "resultTtl"/);
  });

  it('lists the known options when none is close', () => {
    try {
      rejectUnknownOptions('enqueueCall', { timeout: 5 }, ['jobTimeout', 'ttl']);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InvalidArgumentError);
      expect((e as InvalidArgumentError).option).toBe('enqueueCall option "timeout"');
      expect((e as InvalidArgumentError).value).toBe(5);
      expect((e as Error).message).toContain('unknown option; known options: jobTimeout, ttl');
      expect((e as Error).message).not.toContain('did you mean');
    }
  });
});
