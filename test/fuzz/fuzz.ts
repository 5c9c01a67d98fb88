/**
 * Mutation fuzzing of everything rqts decodes from Redis: the pickle and JSON decoders and the record reader
 * (job hash → record → payload, exc_info, meta; results stream entries). Every case must end in a value or a
 * DeserializationError — never another exception, a hang or a crash — within the per-case time bound.
 */
import { DeserializationError } from '../../src/errors.js';
import { decodePayload } from '../../src/payload.js';
import { recordFromFields } from '../../src/record.js';
import { parseResultEntry } from '../../src/results.js';
import { jsonLoads, jsonSerializer, pickleLoads, pickleSerializer } from '../../src/serializers/index.js';
import type { Seed } from './corpus.js';

export interface FuzzOptions {
  cases: number;
  seed?: number;
  /** A case slower than this is a failure. @defaultValue 1000 */
  maxCaseMs?: number;
  onProgress?(done: number, stats: FuzzStats): void;
}

export interface FuzzStats {
  cases: number;
  /** Cases that decoded to a value. */
  decoded: number;
  /** Cases that ended in a DeserializationError. */
  rejected: number;
  /** Anything else: the message of each (first 20 kept). */
  failures: string[];
  failureCount: number;
  slowestMs: number;
  seconds: number;
}

/** xorshift32: reproducible from the seed. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x100000000;
  };
}

const INTERESTING = [0x00, 0xff, 0x7f, 0x80, 0xfe, 0x01, 0x2e, 0x28, 0x71, 0x58, 0x8c, 0x94, 0x95, 0x4a, 0x8a, 0x8b, 0x63, 0x52, 0x81, 0x22, 0x5b, 0x7b, 0x5c, 0x78, 0x9c];

/** One to four mutations: bit flips, interesting bytes, inserts, deletes, truncation, duplication, splicing. */
export function mutate(input: Buffer, random: () => number, donor: Buffer): Buffer {
  let b = Buffer.from(input);
  const n = 1 + Math.floor(random() * 4);
  for (let m = 0; m < n; m++) {
    const at = Math.floor(random() * Math.max(1, b.length));
    switch (Math.floor(random() * 8)) {
      case 0:
        if (b.length) b[at] = b[at]! ^ (1 << Math.floor(random() * 8));
        break;
      case 1:
        if (b.length) b[at] = INTERESTING[Math.floor(random() * INTERESTING.length)]!;
        break;
      case 2:
        b = Buffer.concat([b.subarray(0, at), Buffer.from([Math.floor(random() * 256)]), b.subarray(at)]);
        break;
      case 3:
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + 1 + Math.floor(random() * 8))]);
        break;
      case 4:
        b = b.subarray(0, at);
        break;
      case 5: {
        const len = Math.floor(random() * 16);
        b = Buffer.concat([b.subarray(0, at), b.subarray(at, at + len), b.subarray(at)]);
        break;
      }
      case 6: {
        const from = Math.floor(random() * Math.max(1, donor.length));
        b = Buffer.concat([b.subarray(0, at), donor.subarray(from, from + 1 + Math.floor(random() * 32)), b.subarray(at)]);
        break;
      }
      default:
        // A big little-endian length where a length may be (pickle's BINUNICODE/BINBYTES/FRAME…).
        if (b.length > 4) b.writeUInt32LE(Math.floor(random() * 0xffffffff), Math.min(at, b.length - 4));
    }
  }
  return b;
}

/** Decode one mutated case the way rqts reads it; returns normally or throws. */
function decodeCase(seed: Seed, random: () => number, donor: Buffer): void {
  if (seed.kind === 'pickle') {
    pickleLoads(mutate(seed.bytes, random, donor));
    return;
  }
  if (seed.kind === 'json') {
    jsonLoads(mutate(seed.bytes, random, donor));
    return;
  }
  const hash = seed as Extract<Seed, { fields: unknown }>;
  const serializer = hash.serializer === 'json' ? jsonSerializer : pickleSerializer;
  // Mutate one field (sometimes two); the rest stay as Python wrote them.
  const fields = hash.fields.map(([k, v]) => [k, v] as [string, Buffer]);
  for (let i = random() < 0.2 ? 2 : 1; i > 0; i--) {
    const f = Math.floor(random() * fields.length);
    fields[f] = [fields[f]![0], mutate(fields[f]![1], random, donor)];
  }
  if (seed.kind === 'result') {
    const entry = ['1700000000000-0', fields.flatMap(([k, v]) => [Buffer.from(k), v])];
    parseResultEntry(entry as never, serializer, 'fuzz');
    return;
  }
  const record = recordFromFields('fuzz', new Map(fields));
  void record.excInfo;
  decodePayload(serializer, record.data);
  if (record.meta) serializer.loads(record.meta);
  if (record.result) serializer.loads(record.result);
}

const bytesOf = (seed: Seed): Buffer => ('bytes' in seed ? seed.bytes : Buffer.concat(seed.fields.map(([, v]) => v)));

export function runFuzz(corpus: readonly Seed[], options: FuzzOptions): FuzzStats {
  const random = rng(options.seed ?? 0x5eed);
  const maxCaseMs = options.maxCaseMs ?? 1_000;
  const stats: FuzzStats = { cases: 0, decoded: 0, rejected: 0, failures: [], failureCount: 0, slowestMs: 0, seconds: 0 };
  const started = performance.now();
  for (let i = 0; i < options.cases; i++) {
    const seed = corpus[Math.floor(random() * corpus.length)]!;
    const donor = bytesOf(corpus[Math.floor(random() * corpus.length)]!);
    const t = performance.now();
    let failure: string | null = null;
    try {
      decodeCase(seed, random, donor);
      stats.decoded++;
    } catch (error) {
      if (error instanceof DeserializationError) stats.rejected++;
      else failure = `${seed.kind} case ${i}: ${(error as Error)?.name}: ${(error as Error)?.message ?? error}`;
    }
    const ms = performance.now() - t;
    if (ms > stats.slowestMs) stats.slowestMs = ms;
    if (ms > maxCaseMs) failure ??= `${seed.kind} case ${i} took ${ms.toFixed(0)} ms (bound ${maxCaseMs} ms)`;
    if (failure) {
      stats.failureCount++;
      if (stats.failures.length < 20) stats.failures.push(failure);
    }
    stats.cases++;
    if (options.onProgress && (i + 1) % 100_000 === 0) options.onProgress(i + 1, stats);
  }
  stats.seconds = (performance.now() - started) / 1000;
  return stats;
}
