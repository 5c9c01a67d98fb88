/**
 * A serializer turns a JS value into the bytes RQ stores (job payload, `meta`, results) and back.
 * Pure: no Redis in here. Mirrors RQ's `rq/serializers.py` protocol (`dumps` / `loads`).
 */
export interface Serializer {
  /** `pickle`, `json` or `superjson`; custom serializers pick their own. */
  readonly name: string;
  /** Encode a value. Throws `InvalidArgumentError` for values this format cannot carry. */
  dumps(value: unknown): Buffer;
  /** Decode bytes. Throws `DeserializationError` on malformed input; never executes anything. */
  loads(bytes: Buffer): unknown;
}

/** A serializer by name (`'pickle'`, `'json'`, `'superjson'`, or RQ's dotted class names) or an object. */
export type SerializerLike = 'pickle' | 'json' | 'superjson' | (string & {}) | Serializer;
