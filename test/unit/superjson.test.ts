/** The Node-only superjson serializer and the serializer resolver. */
import { describe, expect, it } from 'vitest';
import { DeserializationError, InvalidArgumentError } from '../../src/errors.js';
import { jsonSerializer, pickleSerializer, resolveSerializer, superjsonSerializer, type Serializer } from '../../src/serializers/index.js';

describe('superjsonSerializer', () => {
  it('round-trips Buffer, Date, Map, Set, bigint and undefined', () => {
    const v = { b: Buffer.from([0, 1, 255]), d: new Date(5), m: new Map([[1, 'a']]), s: new Set([1]), n: 2n ** 80n, u: undefined };
    const back = superjsonSerializer.loads(superjsonSerializer.dumps(v)) as typeof v;
    expect(Buffer.isBuffer(back.b)).toBe(true);
    expect(back).toEqual(v);
    expect(superjsonSerializer.name).toBe('superjson');
  });
  it('raises DeserializationError on garbage', () => {
    expect(() => superjsonSerializer.loads(Buffer.from('{nope'))).toThrow(DeserializationError);
  });
});

describe('resolveSerializer', () => {
  it("accepts short names and RQ's dotted names", () => {
    expect(resolveSerializer()).toBe(pickleSerializer);
    expect(resolveSerializer('pickle')).toBe(pickleSerializer);
    expect(resolveSerializer('json')).toBe(jsonSerializer);
    expect(resolveSerializer('superjson')).toBe(superjsonSerializer);
    expect(resolveSerializer('rq.serializers.JSONSerializer')).toBe(jsonSerializer);
    expect(resolveSerializer('rq.serializers.DefaultSerializer')).toBe(pickleSerializer);
    expect(resolveSerializer('rq.serializers.PickleSerializer')).toBe(pickleSerializer);
  });
  it('accepts an object with dumps/loads', () => {
    const custom: Serializer = { name: 'mine', dumps: () => Buffer.alloc(0), loads: () => null };
    expect(resolveSerializer(custom)).toBe(custom);
  });
  it('rejects unknown names and incomplete objects', () => {
    expect(() => resolveSerializer('yaml')).toThrow(InvalidArgumentError);
    expect(() => resolveSerializer('toString')).toThrow(InvalidArgumentError);
    expect(() => resolveSerializer({ dumps: () => Buffer.alloc(0) } as unknown as Serializer)).toThrow(InvalidArgumentError);
    try {
      resolveSerializer('yaml');
    } catch (error) {
      expect((error as InvalidArgumentError).option).toBe('serializer');
    }
  });
});
