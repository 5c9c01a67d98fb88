/**
 * `rqts enqueue-many <func> --from jobs.jsonl`: one job per line, streamed in batches of `--batch-size`
 * (each batch one atomic `enqueueMany`), so memory stays flat however long the file is.
 *
 * A bad line stops the run: every line before it is enqueued, it and every line after it are not (a batch
 * that holds the bad line writes its lines before it, then stops). The message names the line and the
 * `--skip` that resumes after fixing it.
 */
import { createReadStream, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { InvalidArgumentError, Queue, Repeat, Retry, RqtsError, type EnqueueCallOptions, type EnqueueData } from '../index.js';
import { isPlainObject } from '../py/values.js';
import { validateFuncName } from '../validate.js';
import { plural, UsageError, type Command, type Context, type Output } from './common.js';
import { startProgress } from './progress.js';

export interface EnqueueManyOptions extends Context {
  func: string;
  /** A JSON Lines file, or `-` for standard input. */
  from: string;
  /** @defaultValue `'default'` */
  queue?: string;
  /** Lines per `enqueueMany` round trip. @defaultValue 1000 */
  batchSize?: number;
  /** Lines to pass over first (those of an earlier run that stopped at a bad line). @defaultValue 0 */
  skip?: number;
  json?: boolean;
  /** No progress display. */
  quiet?: boolean;
}

const LINE_KEYS = new Set(['args', 'kwargs', 'options']);

/** A bad line: its number and what is wrong with it. */
class LineError extends Error {
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`line ${line}: ${reason}`);
  }
}

/**
 * One line as `[func, options]`: a JSON array is the positional arguments; an object is
 * `{args?, kwargs?, options?}` with `options` as `enqueueCall`'s (`retry` and `repeat` as their options objects).
 */
export function parseLine(text: string, line: number): Omit<EnqueueCallOptions, 'pipeline'> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new LineError(line, `not valid JSON (${(error as Error).message})`);
  }
  if (Array.isArray(value)) return { args: value };
  if (!isPlainObject(value)) throw new LineError(line, 'expected a JSON array of arguments or an object {"args", "kwargs", "options"}');
  const unknown = Object.keys(value).filter((k) => !LINE_KEYS.has(k));
  if (unknown.length > 0) throw new LineError(line, `unknown key ${JSON.stringify(unknown[0])} (a line has "args", "kwargs" and "options")`);
  const { args = [], kwargs = {}, options = {} } = value as { args?: unknown; kwargs?: unknown; options?: unknown };
  if (!Array.isArray(args)) throw new LineError(line, '"args" must be a JSON array');
  if (!isPlainObject(kwargs)) throw new LineError(line, '"kwargs" must be a JSON object');
  if (!isPlainObject(options)) throw new LineError(line, '"options" must be a JSON object');
  for (const key of ['args', 'kwargs', 'pipeline'] as const) {
    if (key in options) throw new LineError(line, `"options" cannot hold ${JSON.stringify(key)}${key === 'pipeline' ? '' : ` (put it beside "options")`}`);
  }
  const call = { ...options, args, kwargs } as Record<string, unknown>;
  try {
    // Retry and Repeat are classes; a line spells their options.
    if (isPlainObject(call.retry)) call.retry = new Retry(call.retry as never);
    if (isPlainObject(call.repeat)) call.repeat = new Repeat(call.repeat as never);
  } catch (error) {
    if (error instanceof InvalidArgumentError) throw new LineError(line, error.message);
    throw error;
  }
  return call as Omit<EnqueueCallOptions, 'pipeline'>;
}

interface Pending {
  data: EnqueueData;
  line: number;
}

/** Read `from` line by line and enqueue in batches; prints the count (or JSON) on stdout. */
export async function enqueueMany(options: EnqueueManyOptions, io: Output): Promise<number> {
  const { connection, serializer } = options;
  const func = validateFuncName(options.func, 'func');
  const batchSize = options.batchSize ?? 1000;
  const skip = options.skip ?? 0;
  const queue = new Queue(options.queue ?? 'default', { connection, serializer });
  const fromStdin = options.from === '-';
  const source = fromStdin ? process.stdin : createReadStream(options.from);
  if (!fromStdin) {
    // A missing or unreadable file fails before anything is written.
    await new Promise<void>((resolve, reject) => source.once('open', () => resolve()).once('error', reject)).catch((error: NodeJS.ErrnoException) => {
      throw new UsageError(`cannot read ${options.from}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`);
    });
  }
  const size = fromStdin ? null : statSync(options.from).size;
  const progress = startProgress({ label: `enqueue-many ${queue.name}`, total: null, stream: options.quiet ? undefined : io.streams?.stderr, intervalSeconds: io.progressInterval });
  let enqueued = 0;
  let batch: Pending[] = [];

  const write = async (items: readonly Pending[]): Promise<void> => {
    await queue.enqueueMany(items.map((p) => p.data));
    enqueued += items.length;
    progress.update(enqueued, size ? ((source as { bytesRead?: number }).bytesRead ?? 0) / size : undefined);
  };
  /** Write the batch (one atomic enqueueMany); on a bad item, write the items before it, then stop at its line. */
  const flush = async (): Promise<void> => {
    const items = batch;
    batch = [];
    if (items.length === 0) return;
    try {
      await write(items);
    } catch (error) {
      const at = error instanceof InvalidArgumentError ? /^enqueueMany\[(\d+)\]/.exec(error.option) : null;
      if (!at) throw error;
      const i = Number(at[1]);
      if (i > 0) await write(items.slice(0, i));
      throw new LineError(items[i]!.line, (error as Error).message.replace(/^Invalid enqueueMany\[\d+\]\.?/, 'Invalid '));
    }
  };

  const lines = createInterface({ input: source, crlfDelay: Infinity });
  let line = 0;
  try {
    for await (const text of lines) {
      line++;
      if (line <= skip || text.trim() === '') continue;
      let call: Omit<EnqueueCallOptions, 'pipeline'>;
      try {
        call = parseLine(text, line);
      } catch (error) {
        await flush(); // every line before the bad one is written
        throw error;
      }
      batch.push({ data: Queue.prepareData(func, call.args ?? [], call), line });
      if (batch.length >= batchSize) await flush();
    }
    await flush();
  } catch (error) {
    progress.stop();
    lines.close();
    if (!fromStdin) source.destroy();
    if (error instanceof LineError) {
      const where = fromStdin ? 'stdin' : options.from;
      if (options.json) io.out(JSON.stringify({ queue: queue.name, enqueued, error: { line: error.line, message: error.reason } }));
      io.err(`rqts: ${where} line ${error.line}: ${error.reason} (${plural(enqueued, 'job')} enqueued from the lines before it, none from it on; fix it and resume with --skip ${error.line - 1})`);
      return 1;
    }
    if (error instanceof RqtsError) {
      // Not the line's fault (Redis unreachable, a refused script…): the batch in flight may or may not be written.
      io.err(`rqts: ${error.name}: ${error.message.split('\n')[0]} (${plural(enqueued, 'job')} enqueued before the batch that failed)`);
      return 1;
    }
    throw error;
  }
  progress.stop();
  if (options.json) io.out(JSON.stringify({ queue: queue.name, enqueued, lines: line }));
  else io.out(`Enqueued ${plural(enqueued, 'job')} on ${queue.name} from ${plural(line - Math.min(skip, line), 'line')}${skip > 0 ? ` after skipping ${skip}` : ''}`);
  return 0;
}

const positiveInt = (value: string | boolean | undefined, option: string, min: number): number | undefined => {
  if (typeof value !== 'string') return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min) throw new UsageError(`${option} takes an integer ≥ ${min}, got ${value}`);
  return Number(value);
};

export const enqueueManyCommand: Command = {
  name: 'enqueue-many',
  summary: 'enqueue one job per line of a JSON Lines file',
  usage: `Usage: rqts enqueue-many [options] <dotted.function> --from <file.jsonl>

Enqueue a call to the function for each line of the file (- for standard input), in batches of
--batch-size jobs, each batch one atomic round trip. A line is a JSON array of arguments, e.g. [1, 2],
or an object {"args": [...], "kwargs": {...}, "options": {...}} with enqueueCall's options
({"jobId": "a1", "jobTimeout": "3m", "resultTtl": 600, "meta": {...}, "retry": {"max": 3}, ...}).
Blank lines are passed over. A bad line stops the run: the lines before it are enqueued, it and the
lines after it are not, and the message names the line and the --skip that resumes after fixing it.
Progress goes to stderr: a bar with rate and ETA on a terminal, else a line every 5 s
($RQTS_PROGRESS_INTERVAL seconds).

Options:
  --from <file>            the JSON Lines file, or - for standard input (required)
  -q, --queue <name>       queue (default: default)
  --batch-size <n>         jobs per round trip (default: 1000)
  --skip <n>               pass over the first n lines (resume after a bad line)
  --json                   print {"queue","enqueued","lines"} (and "error": {"line","message"} on a bad
                           line) on one line
  --quiet                  no progress`,
  options: {
    from: { type: 'string' },
    queue: { type: 'string', short: 'q' },
    'batch-size': { type: 'string' },
    skip: { type: 'string' },
    json: { type: 'boolean' },
    quiet: { type: 'boolean' },
  },
  prepare(values, positionals) {
    const [func, ...rest] = positionals;
    if (func === undefined) throw new UsageError('missing the function to enqueue');
    if (rest.length > 0) throw new UsageError(`unexpected argument ${rest[0]}: arguments come from the --from file`);
    if (typeof values.from !== 'string' || values.from === '') throw new UsageError('give the jobs file with --from <file.jsonl> (- for stdin)');
    const batchSize = positiveInt(values['batch-size'], '--batch-size', 1);
    const skip = positiveInt(values.skip, '--skip', 0);
    const from = values.from;
    return (context, io) =>
      enqueueMany(
        { ...context, func, from, queue: typeof values.queue === 'string' ? values.queue : undefined, batchSize, skip, json: values.json === true, quiet: values.quiet === true },
        io,
      );
  },
};
