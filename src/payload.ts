/**
 * The job `data` payload: zlib(serializer.dumps((func_name, instance, args, kwargs))) (protocol §3.2).
 */
import { DeserializationError, InvalidArgumentError } from './errors.js';
import { py } from './py/values.js';
import { compress, decompress } from './record.js';
import { pickleCall } from './serializers/pickle/call.js';
import { pickleSerializer } from './serializers/pickle/index.js';
import type { Serializer } from './serializers/serializer.js';

/** The decoded call a job makes. */
export interface Payload {
  funcName: string;
  /** The bound object for method jobs written by Python; always `null` for jobs rqts writes. */
  instance: unknown;
  /** As decoded: a `py.tuple` when Python sent a tuple (pickle), else an array. */
  args: readonly unknown[];
  kwargs: Record<string, unknown>;
}

/**
 * Serialize and compress a call. Positional args go as a tuple, as Python's `enqueue(f, *args)` sends them.
 * @throws InvalidArgumentError when an argument cannot be serialized (the message names it).
 */
export function encodePayload(serializer: Serializer, funcName: string, args: readonly unknown[], kwargs: Record<string, unknown>): Buffer {
  let bytes: Buffer;
  try {
    // Most calls take the direct writer for RQ's default serializer; it hands anything unusual back.
    bytes = (serializer === pickleSerializer ? pickleCall(funcName, args, kwargs) : undefined)
      ?? serializer.dumps(py.tuple<unknown>(funcName, null, py.tuple(...args), kwargs));
  } catch (error) {
    if (error instanceof InvalidArgumentError) throw renamePath(error);
    throw new InvalidArgumentError('args', args, `cannot be serialized with ${serializer.name}: ${(error as Error).message}`, { cause: error });
  }
  return compress(bytes);
}

/** The serializer sees `[funcName, null, args, kwargs]`; report positions as `args[i]` / `kwargs.k`. */
function renamePath(error: InvalidArgumentError): InvalidArgumentError {
  const m = /^(?:value|root)?\[(2|3)\](.*)$/.exec(error.option);
  if (!m) return error;
  const option = m[1] === '2' ? `args${m[2]}` : `kwargs${m[2]}`;
  const reason = error.message.replace(/^Invalid [^:]*: /, '');
  return new InvalidArgumentError(option, error.value, reason, { cause: error });
}

/**
 * `serializer.loads`, with an error a user can act on: what was being read (`what`, e.g. "job 42's data"),
 * with which serializer, and — when the bytes look like another serializer's — which one to try.
 * @throws DeserializationError
 */
export function loadsFor(serializer: Serializer, bytes: Buffer, what: string): unknown {
  try {
    return serializer.loads(bytes);
  } catch (error) {
    if (!(error instanceof DeserializationError)) throw error;
    throw new DeserializationError(`${what} could not be read with serializer '${serializer.name}': ${error.message}${formatHint(bytes, serializer.name)}`, { cause: error });
  }
}

/** Which serializer the bytes look like, when that is not the one used: ". '[' looks like JSON: …". */
export function formatHint(bytes: Buffer, used: string): string {
  const first = bytes[0];
  if (first === undefined) return '';
  let guess: string | null = null;
  if (first === 0x80) guess = 'pickle';
  else if (bytes.subarray(0, 8).toString('latin1') === '{"json":') guess = 'superjson';
  else if (first === 0x5b || first === 0x7b) guess = 'json';
  if (guess === null || guess === used) return '';
  const shown = first === 0x80 ? '\\x80' : String.fromCharCode(first);
  const label = guess === 'json' ? 'JSON' : guess;
  return `. The bytes start with '${shown}', which looks like ${label}: did the producer use serializer '${guess}'?`;
}

/**
 * Decompress and decode a stored payload; `jobId` names the job in errors.
 * @throws DeserializationError when the bytes do not decode to a 4-item call tuple.
 */
export function decodePayload(serializer: Serializer, data: Buffer, jobId?: string): Payload {
  const value = loadsFor(serializer, decompress(data), jobId === undefined ? 'Job data' : `Job ${jobId}'s data`);
  if (!Array.isArray(value) || value.length !== 4 || typeof value[0] !== 'string') {
    throw new DeserializationError('Job data is not a (func_name, instance, args, kwargs) tuple');
  }
  const [funcName, instance, args, kwargs] = value as [string, unknown, unknown, unknown];
  if (!Array.isArray(args)) throw new DeserializationError('Job args are not a list or tuple');
  return { funcName, instance, args, kwargs: kwargsObject(kwargs) };
}

function kwargsObject(kwargs: unknown): Record<string, unknown> {
  if (kwargs === null || kwargs === undefined) return {};
  if (kwargs instanceof Map) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of kwargs) Object.defineProperty(out, String(k), { value: v, enumerable: true, writable: true, configurable: true });
    return out;
  }
  if (typeof kwargs === 'object' && !Array.isArray(kwargs)) return kwargs as Record<string, unknown>;
  throw new DeserializationError('Job kwargs are not a dict');
}
