/**
 * Webhooks (RQ 2.10+): an HTTP request an RQ 2.10+ worker sends when the job finishes or fails, stored as one
 * `webhooks` field, the JSON list of `{url, job_status, method, headers, timeout}` Python's `json.dumps`
 * writes. Older workers ignore the field.
 */
import { InvalidArgumentError } from './errors.js';
import { isPlainObject } from './py/values.js';

export interface WebhookOptions {
  /** An `http://` or `https://` URL. */
  url: string;
  /** When to send it. */
  jobStatus: 'finished' | 'failed';
  /** @defaultValue `'GET'` */
  method?: 'GET' | 'POST';
  headers?: Record<string, string> | null;
  /** Seconds. @defaultValue 10 */
  timeout?: number;
}

/** One webhook of a job. @see RQ `rq.webhook.Webhook` */
export class Webhook {
  readonly url: string;
  readonly jobStatus: 'finished' | 'failed';
  readonly method: 'GET' | 'POST';
  readonly headers: Readonly<Record<string, string>> | null;
  readonly timeout: number;

  /** @throws InvalidArgumentError for a URL that is not http(s), or another bad field (RQ's checks). */
  constructor(options: WebhookOptions, option = 'webhook') {
    if (!options || typeof options !== 'object') throw new InvalidArgumentError(option, options, 'expected { url, jobStatus, method?, headers?, timeout? }');
    const { url, jobStatus, method = 'GET', headers = null, timeout = 10 } = options;
    let parsed: URL | null = null;
    try {
      parsed = typeof url === 'string' ? new URL(url) : null;
    } catch {
      parsed = null;
    }
    if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || !parsed.host) {
      throw new InvalidArgumentError(`${option}.url`, url, 'expected an http:// or https:// URL');
    }
    if (jobStatus !== 'finished' && jobStatus !== 'failed') throw new InvalidArgumentError(`${option}.jobStatus`, jobStatus, "expected 'finished' or 'failed'");
    if (method !== 'GET' && method !== 'POST') throw new InvalidArgumentError(`${option}.method`, method, "expected 'GET' or 'POST'");
    if (headers !== null && (!isPlainObject(headers) || !Object.values(headers).every((v) => typeof v === 'string'))) {
      throw new InvalidArgumentError(`${option}.headers`, headers, 'expected an object of strings');
    }
    if (!Number.isInteger(timeout) || timeout <= 0) throw new InvalidArgumentError(`${option}.timeout`, timeout, 'expected a positive integer (seconds)');
    this.url = url;
    this.jobStatus = jobStatus;
    this.method = method;
    this.headers = headers === null ? null : { ...headers };
    this.timeout = timeout;
  }

  /** Python's `Webhook.to_dict()`. */
  toDict(): { url: string; job_status: string; method: string; headers: Record<string, string> | null; timeout: number } {
    return { url: this.url, job_status: this.jobStatus, method: this.method, headers: this.headers === null ? null : { ...this.headers }, timeout: this.timeout };
  }
}

/** `webhooks` option → Webhook objects (plain option objects accepted). */
export function toWebhooks(value: unknown): Webhook[] {
  if (!Array.isArray(value)) throw new InvalidArgumentError('webhooks', value, 'expected an array of Webhook or { url, jobStatus }');
  return value.map((w, i) => (w instanceof Webhook ? w : new Webhook(w as WebhookOptions, `webhooks[${i}]`)));
}

/** Python's `json.dumps` of a JSON value: `", "` and `": "` separators, non-ASCII escaped as `\uXXXX`. */
export function pyJsonDumps(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (typeof value === 'number' || typeof value === 'boolean') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(pyJsonDumps).join(', ')}]`;
  return `{${Object.entries(value as Record<string, unknown>).map(([k, v]) => `${pyJsonDumps(k)}: ${pyJsonDumps(v)}`).join(', ')}}`;
}
