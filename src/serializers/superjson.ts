/**
 * A Node⇄Node serializer built on superjson: keeps `Date`, `Map`, `Set`, `bigint`, `undefined` and (as
 * registered here) `Buffer` intact. Python cannot read it, so use it only for queues that Node workers
 * alone consume.
 */
import SuperJSON from 'superjson';
import { DeserializationError, InvalidArgumentError } from '../errors.js';
import type { Serializer } from './serializer.js';

/** A private instance, so rqts's Buffer registration never leaks into the application's superjson. */
const sj = new SuperJSON();
sj.registerCustom<Buffer, string>(
  {
    isApplicable: (v): v is Buffer => Buffer.isBuffer(v),
    serialize: (v) => v.toString('base64'),
    deserialize: (v) => Buffer.from(v, 'base64'),
  },
  'rqts.Buffer',
);

/** The `superjson` serializer (`'superjson'`). Not readable by Python RQ. */
export const superjsonSerializer: Serializer = {
  name: 'superjson',
  dumps(value: unknown): Buffer {
    try {
      return Buffer.from(sj.stringify(value as Parameters<typeof sj.stringify>[0]), 'utf8');
    } catch (error) {
      throw new InvalidArgumentError('value', value, `cannot be serialized with superjson: ${(error as Error).message}`, { cause: error });
    }
  },
  loads(bytes: Buffer): unknown {
    try {
      return sj.parse(Buffer.from(bytes).toString('utf8'));
    } catch (error) {
      throw new DeserializationError(`Invalid superjson payload: ${(error as Error).message}`, { cause: error });
    }
  },
};
