/** `rqts enqueue`: enqueue a call to a Python function, optionally waiting for its result. */
import { Queue, type Duration, type EnqueueCallOptions } from '../index.js';
import { parseJson, toJson, UsageError, type Command, type Context, type Output, type Values } from './common.js';

export interface EnqueueOptions extends Context {
  func: string;
  args: unknown[];
  kwargs?: Record<string, unknown>;
  /** @defaultValue `'default'` */
  queue?: string;
  jobId?: string;
  /** Seconds or `'3m'`-style. */
  timeout?: string;
  resultTtl?: string;
  ttl?: string;
  failureTtl?: string;
  description?: string;
  atFront?: boolean;
  /** Wait for the result: `null` without a deadline, else milliseconds; `undefined` = don't wait. */
  wait?: number | null;
}

/**
 * A command-line argument as a job argument: `:` + JSON is JSON (as in `rq enqueue`); otherwise JSON when it
 * parses (`1`, `true`, `null`, `"x"`, `[1,2]`, `{"a":1}`), else the text itself as a string.
 */
export function parseArg(token: string, position: number): unknown {
  if (token.startsWith(':')) {
    try {
      return parseJson(token.slice(1));
    } catch {
      throw new UsageError(`argument ${position} (${token}) is not valid JSON after ":"`);
    }
  }
  try {
    return parseJson(token);
  } catch {
    return token;
  }
}

/** What `rqts enqueue` was given, without the context it runs in. */
export type EnqueueArgs = Omit<EnqueueOptions, keyof Context>;

/** The options of `Queue.enqueueCall` for a command line (pure: tested without Redis). */
export function toCallOptions(options: EnqueueArgs): EnqueueCallOptions {
  const call: EnqueueCallOptions = { args: options.args };
  if (options.kwargs !== undefined) call.kwargs = options.kwargs;
  if (options.jobId !== undefined) call.jobId = options.jobId;
  // Command-line text: enqueueCall checks it at run time, as it checks every caller's.
  if (options.timeout !== undefined) call.jobTimeout = options.timeout as Duration;
  if (options.resultTtl !== undefined) call.resultTtl = options.resultTtl as Duration;
  if (options.ttl !== undefined) call.ttl = options.ttl as Duration;
  if (options.failureTtl !== undefined) call.failureTtl = options.failureTtl as Duration;
  if (options.description !== undefined) call.description = options.description;
  if (options.atFront) call.atFront = true;
  return call;
}

/** Enqueue; prints the job id, then with `wait` the result as one line of JSON. */
export async function enqueue(options: EnqueueOptions, io: Output): Promise<number> {
  const { connection, serializer } = options;
  const queue = new Queue(options.queue ?? 'default', { connection, serializer });
  const job = await queue.enqueueCall(options.func, toCallOptions(options));
  io.out(job.id);
  if (options.wait !== undefined) {
    const result = await job.wait(options.wait === null ? {} : { timeout: options.wait });
    io.out(toJson(result));
  }
  return 0;
}

const str = (v: string | boolean | undefined): string | undefined => (typeof v === 'string' ? v : undefined);

export const enqueueCommand: Command = {
  name: 'enqueue',
  summary: 'enqueue a call to a Python function and print the job id',
  usage: `Usage: rqts enqueue [options] <dotted.function> [arg...]

Enqueue a call for a Python rq worker and print the job id. Each arg is JSON when it parses (1, true,
null, '"1"', '[1,2]', '{"a":1}'), else a string (hello); a leading ":" requires JSON (as in rq enqueue).
Args starting with "-" go after "--"; option values starting with "-" need "=" (--result-ttl=-1).

Options:
  -q, --queue <name>       queue (default: default)
  --kwargs <json>          keyword arguments, a JSON object
  --job-id <id>            job id (letters, digits, _ and -)
  --timeout <duration>     job timeout: seconds or 30s, 3m, 1h, 2d; -1 for none
  --result-ttl <seconds>   how long the result is kept (-1: forever, 0: not at all)
  --ttl <seconds>          how long the job may wait in the queue
  --failure-ttl <seconds>  how long a failed job is kept
  --description <text>     description (default: the Python call)
  --at-front               put the job at the front of the queue
  --wait [<ms>]            wait for the result (at most <ms>) and print it as JSON on a second
                           line; exit 1 if the job failed`,
  options: {
    queue: { type: 'string', short: 'q' },
    kwargs: { type: 'string' },
    'job-id': { type: 'string' },
    timeout: { type: 'string' },
    'result-ttl': { type: 'string' },
    ttl: { type: 'string' },
    'failure-ttl': { type: 'string' },
    description: { type: 'string' },
    'at-front': { type: 'boolean' },
    wait: { type: 'string' },
  },
  // `--wait` takes an optional value, which parseArgs cannot express: `--wait 500` becomes `--wait=500`,
  // a bare `--wait` becomes `--wait=`.
  normalize(args) {
    const out: string[] = [];
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      if (a === '--') return [...out, ...args.slice(i)];
      if (a !== '--wait') out.push(a);
      else if (/^\d+$/.test(args[i + 1] ?? '')) out.push(`--wait=${args[++i]}`);
      else out.push('--wait=');
    }
    return out;
  },
  prepare(values, positionals) {
    const parsed = parseEnqueueArgs(values, positionals);
    return (context, io) => enqueue({ ...context, ...parsed }, io);
  },
};

/** Parsed `rqts enqueue` options and positionals → {@link EnqueueArgs}; throws {@link UsageError}. */
export function parseEnqueueArgs(values: Values, positionals: string[]): EnqueueArgs {
  const [func, ...rest] = positionals;
  if (func === undefined) throw new UsageError('missing the function to enqueue');
  const args = rest.map((token, i) => parseArg(token, i + 1));
  let kwargs: Record<string, unknown> | undefined;
  if (typeof values.kwargs === 'string') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(values.kwargs);
    } catch {
      throw new UsageError(`--kwargs is not valid JSON: ${values.kwargs}`);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new UsageError('--kwargs must be a JSON object');
    kwargs = parsed as Record<string, unknown>;
  }
  let wait: number | null | undefined;
  if (typeof values.wait === 'string') {
    if (values.wait !== '' && !/^\d+$/.test(values.wait)) throw new UsageError(`--wait takes milliseconds, got ${values.wait}`);
    wait = values.wait === '' ? null : Number(values.wait);
  }
  return {
    func,
    args,
    kwargs,
    queue: str(values.queue),
    jobId: str(values['job-id']),
    timeout: str(values.timeout),
    resultTtl: str(values['result-ttl']),
    ttl: str(values.ttl),
    failureTtl: str(values['failure-ttl']),
    description: str(values.description),
    atFront: values['at-front'] === true,
    wait,
  };
}
