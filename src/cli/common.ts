/**
 * What the `rqts` commands share: the output sink, usage errors, the command shape and JSON rendering of
 * Python values. Commands use only the public API (`../index.js`).
 */
import type { ParseArgsConfig } from 'node:util';
import type { Connection, SerializerLike } from '../index.js';
import { pyRepr } from '../py/repr.js';
import { isPlainObject } from '../py/values.js';
import type { ProgressStream } from './progress.js';

/** Where a command writes; each call is one line (no trailing newline). */
export interface Output {
  out(line: string): void;
  err(line: string): void;
  /** The raw streams, for what draws in place on a terminal (progress bars on stderr, `info --interval`). */
  streams?: { stdout: ProgressStream; stderr: ProgressStream };
  /** Seconds between plain progress lines when stderr is not a terminal. @defaultValue 5 */
  progressInterval?: number;
}

/** An Output that collects lines, for calling commands from tests or programs. */
export function bufferOutput(): Output & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (line) => void stdout.push(line), err: (line) => void stderr.push(line) };
}

/** Bad command-line usage: exit code 2 with the command's usage text. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** What every command runs with: an open (or lazily opened) connection it does not own, and the serializer. */
export interface Context {
  connection: Connection;
  /** Must match the workers' `--serializer`. */
  serializer: SerializerLike;
}

export type Options = NonNullable<ParseArgsConfig['options']>;
/** Parsed option values (a `multiple` option, `worker --require`, holds a string array). */
export type Values = Record<string, string | boolean | undefined>;

/** One subcommand: its usage text, its options, and how parsed arguments become a run. */
export interface Command {
  name: string;
  summary: string;
  usage: string;
  options: Options;
  /** Rewrite raw arguments before parsing (e.g. an option whose value is optional). */
  normalize?(args: string[]): string[];
  /** Check the parsed arguments (throwing {@link UsageError}) and return the run; returns the exit code. */
  prepare(values: Values, positionals: string[]): (context: Context, io: Output) => Promise<number>;
}

/**
 * One line of JSON for a value read from Redis: JSON types as they are, integers of any size as numbers,
 * tuples and sets as arrays, dicts as objects (non-string keys as their Python repr), `Date`s as ISO
 * strings, and what JSON has no type for (bytes, Decimal, NaN, unknown Python objects…) as its Python repr.
 */
export function toJson(value: unknown): string {
  return render(value, new Set());
}

function render(v: unknown, seen: Set<object>): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'number') return Number.isFinite(v) ? JSON.stringify(v) : JSON.stringify(pyRepr(v));
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v !== 'object') return JSON.stringify(String(v));
  if (seen.has(v)) return JSON.stringify('...');
  seen.add(v);
  try {
    if (v instanceof Date) return JSON.stringify(Number.isNaN(v.getTime()) ? null : v.toISOString());
    if (Array.isArray(v) || v instanceof Set) return `[${[...v].map((x) => render(x, seen)).join(',')}]`;
    const entries =
      v instanceof Map ? [...v].map(([k, x]) => [typeof k === 'string' ? k : pyRepr(k), x] as const)
      : isPlainObject(v) ? Object.entries(v)
      : null;
    if (entries) return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${render(x, seen)}`).join(',')}}`;
    const primitive = (v as { valueOf(): unknown }).valueOf(); // py.float
    if (typeof primitive === 'number') return render(primitive, seen);
    return JSON.stringify(pyRepr(v));
  } finally {
    seen.delete(v);
  }
}

/** JSON text to a value, keeping integers outside the safe range exact (as bigints) at the top level. */
export function parseJson(text: string): unknown {
  if (/^\s*-?\d+\s*$/.test(text)) {
    const n = Number(text);
    return Number.isSafeInteger(n) ? n : BigInt(text.trim());
  }
  return JSON.parse(text);
}

/**
 * An AbortSignal that SIGINT or SIGTERM aborts, for commands that run until stopped (`info --interval`); the
 * handlers are removed by `dispose()`, so the signals kill the process as usual again.
 */
export function stopOnSignals(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const abort = (): void => controller.abort();
  process.once('SIGINT', abort).once('SIGTERM', abort);
  return {
    signal: controller.signal,
    dispose: () => void process.off('SIGINT', abort).off('SIGTERM', abort),
  };
}

/** `1 job` / `2 jobs`. */
export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
