/**
 * Serializer registry: the three built-in serializers and the resolver that accepts RQ's names
 * (`'pickle'`, `'json'`, `rq.serializers.*`) or any object with `dumps`/`loads` (protocol §4).
 */
import { InvalidArgumentError } from '../errors.js';
import { jsonSerializer } from './json.js';
import { pickleSerializer } from './pickle/index.js';
import type { Serializer, SerializerLike } from './serializer.js';
import { superjsonSerializer } from './superjson.js';

export type { Serializer, SerializerLike } from './serializer.js';
export { jsonSerializer, jsonDumps, jsonLoads } from './json.js';
export { pickleSerializer, pickleDumps, pickleLoads } from './pickle/index.js';
export { superjsonSerializer } from './superjson.js';

/** RQ's spellings (2.9+ short names, and the dotted paths `rq worker --serializer` takes). */
const BY_NAME: Record<string, Serializer> = {
  pickle: pickleSerializer,
  json: jsonSerializer,
  superjson: superjsonSerializer,
  'rq.serializers.DefaultSerializer': pickleSerializer,
  'rq.serializers.PickleSerializer': pickleSerializer,
  'rq.serializers.JSONSerializer': jsonSerializer,
};

/**
 * Turn a serializer option into a {@link Serializer}.
 * @remarks Mirrors RQ's `resolve_serializer`, except that arbitrary dotted paths cannot be imported from JS.
 * @param nameOrSerializer - `'pickle'` (RQ's default), `'json'`, `'superjson'`, an RQ dotted name, or an
 *   object (or a class, as RQ's serializers are) with `dumps(value): Buffer` and `loads(bytes): unknown`.
 *   @defaultValue `'pickle'`
 * @throws InvalidArgumentError for an unknown name or an object without callable `dumps`/`loads`.
 * @example resolveSerializer('rq.serializers.JSONSerializer').name // 'json'
 */
export function resolveSerializer(nameOrSerializer: SerializerLike = 'pickle'): Serializer {
  if (typeof nameOrSerializer === 'string') {
    const found = Object.prototype.hasOwnProperty.call(BY_NAME, nameOrSerializer) ? BY_NAME[nameOrSerializer] : undefined;
    if (found) return found;
    throw new InvalidArgumentError('serializer', nameOrSerializer, `unknown serializer; use one of ${Object.keys(BY_NAME).join(', ')}, or an object with dumps/loads`);
  }
  const s = nameOrSerializer as Partial<Serializer> | null;
  // A class with static dumps/loads is accepted too: RQ's own serializers are classes used that way.
  const holder = s !== null && (typeof s === 'object' || typeof s === 'function');
  if (!holder || typeof s.dumps !== 'function' || typeof s.loads !== 'function') {
    throw new InvalidArgumentError('serializer', nameOrSerializer, 'must be a serializer name or an object with dumps() and loads() methods');
  }
  if (typeof s.name !== 'string' || s.name === '') return { name: 'custom', dumps: s.dumps.bind(s), loads: s.loads.bind(s) };
  return s as Serializer;
}
