/**
 * RQ's default serializer: `pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)` / `pickle.loads`
 * (protocol §4). rqts writes protocol 5 byte-identically to CPython and reads protocols 0–5 safely.
 */
import type { Serializer } from '../serializer.js';
import { pickleLoads, type PickleLoadOptions } from './decode.js';
import { pickleDumps, type PickleDumpOptions } from './encode.js';

export { pickleDumps, type PickleDumpOptions } from './encode.js';
export { pickleLoads, type PickleLoadOptions } from './decode.js';
export { HIGHEST_PROTOCOL } from './opcodes.js';

/**
 * Pickle a value (protocol 5 unless told otherwise).
 * @see {@link pickleDumps}
 */
export function dumps(value: unknown, options: PickleDumpOptions = {}): Buffer {
  return pickleDumps(value, options);
}

/**
 * Unpickle bytes without executing anything.
 * @see {@link pickleLoads}
 */
export function loads(bytes: Uint8Array, options: PickleLoadOptions = {}): unknown {
  return pickleLoads(bytes, options);
}

/** RQ's `DefaultSerializer` / `PickleSerializer` (`'pickle'`). */
export const pickleSerializer: Serializer = {
  name: 'pickle',
  dumps: (value) => pickleDumps(value),
  loads: (bytes) => pickleLoads(bytes),
};
