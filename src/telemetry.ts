/**
 * OpenTelemetry for rqts, when the application has `@opentelemetry/api` installed (an optional peer
 * dependency): a producer span per enqueue call with the W3C trace context written into the job's `meta`
 * exactly where `opentelemetry-instrumentation-rq` reads it (`traceparent`, `tracestate`), a span around
 * `job.wait()`, a consumer span per job in the Node worker, and a few metrics.
 *
 * The package is looked for once, lazily, with a dynamic `import()`: when it is absent nothing is loaded and
 * every hook below returns at its first check. Spans are named and attributed as the Python instrumentation
 * names them, so both sides of one trace read alike.
 */
import type { Attributes, Counter, Histogram, Link, Meter, Span, SpanContext, Tracer } from '@opentelemetry/api';

type Api = typeof import('@opentelemetry/api');
/** The OpenTelemetry API package, once loaded. */
export type OtelApi = Api;

/** `messaging.system` as opentelemetry-instrumentation-rq sets it, so spans of both languages group together. */
export const MESSAGING_SYSTEM = 'Python RQ';
/** The `meta` keys the Python instrumentation extracts the parent context from (W3C trace context). */
export const TRACEPARENT = 'traceparent';
export const TRACESTATE = 'tracestate';

/** Attribute names: OpenTelemetry messaging conventions, plus the two the Python instrumentation adds. */
export const Attr = {
  SYSTEM: 'messaging.system',
  OPERATION_TYPE: 'messaging.operation.type',
  OPERATION_NAME: 'messaging.operation.name',
  DESTINATION: 'messaging.destination.name',
  MESSAGE_ID: 'messaging.message.id',
  BATCH_COUNT: 'messaging.batch.message_count',
  CONSUMER_GROUP: 'messaging.consumer.group.name',
  ERROR_TYPE: 'error.type',
  JOB_ID: 'rq.job.id',
  JOB_FUNCTION: 'rq.job.function',
} as const;

import { settings } from './telemetry-config.js';

// ---- loading --------------------------------------------------------------------------------------------

/** undefined: not looked for yet; null: not installed. */
let api: Api | null | undefined;
let loading: Promise<Api | null> | undefined;

function load(): Promise<Api | null> {
  loading ??= import('@opentelemetry/api').then(
    // The ESM build's default export is a smaller object (no SpanKind): take the namespace when it is whole.
    (mod) => (api = ('SpanKind' in mod ? mod : (mod as { default: Api }).default) as Api),
    () => (api = null),
  );
  return loading;
}

/**
 * The OpenTelemetry API when it is installed, telemetry is on and the application installed a tracer or
 * meter provider ({@link observing}), else null. Synchronous after the first call, so the enqueue path and
 * the worker's every job pay one check when nothing would record what they do.
 */
export function otel(enabledHere = true): Api | null | Promise<Api | null> {
  if (!settings.enabled || !enabledHere) return null;
  if (api !== undefined) return api && observing(api) ? api : null;
  return load().then((a) => (settings.enabled && a && observing(a) ? a : null));
}

// ---- W3C trace context in job.meta ---------------------------------------------------------------------

const TRACEPARENT_PATTERN = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/** `00-<trace id>-<span id>-<flags>`, the W3C `traceparent` header value. */
export function formatTraceparent(sc: Pick<SpanContext, 'traceId' | 'spanId' | 'traceFlags'>): string {
  return `00-${sc.traceId}-${sc.spanId}-${(sc.traceFlags & 0xff).toString(16).padStart(2, '0')}`;
}

/** Parse a `traceparent`; null for anything malformed (as W3C says: then start a new trace). */
export function parseTraceparent(value: unknown): { traceId: string; spanId: string; traceFlags: number } | null {
  if (typeof value !== 'string') return null;
  const m = TRACEPARENT_PATTERN.exec(value.trim());
  if (!m || m[1] === 'ff' || (m[1] === '00' && m[5] !== undefined)) return null;
  const [, , traceId, spanId, flags] = m as unknown as [string, string, string, string, string];
  if (/^0+$/.test(traceId) || /^0+$/.test(spanId)) return null;
  return { traceId, spanId, traceFlags: parseInt(flags, 16) };
}

/**
 * The meta entries that carry `span`'s context, or null when there is nothing to carry (no SDK, so the
 * span context is invalid). A user's own `traceparent` wins: then nothing is added.
 */
export function traceMeta(a: Api, span: Span, meta: Record<string, unknown> | undefined): Record<string, unknown> | null {
  if (meta && Object.hasOwn(meta, TRACEPARENT)) return null;
  const sc = span.spanContext();
  if (!a.trace.isSpanContextValid(sc)) return null;
  const out: Record<string, unknown> = { ...meta, [TRACEPARENT]: formatTraceparent(sc) };
  const state = sc.traceState?.serialize();
  if (state) out[TRACESTATE] = state;
  return out;
}

/** The remote span context a job's meta carries, if any. */
export function contextFromMeta(a: Api, meta: Record<string, unknown> | null | undefined): SpanContext | null {
  const parsed = parseTraceparent(meta?.[TRACEPARENT]);
  if (!parsed) return null;
  const sc: SpanContext = { ...parsed, isRemote: true };
  const state = meta?.[TRACESTATE];
  if (typeof state === 'string' && state) {
    try {
      sc.traceState = a.createTraceState(state);
    } catch {
      // A malformed tracestate is dropped, as W3C asks; the parent still holds.
    }
  }
  return sc;
}

// ---- tracer and instruments ------------------------------------------------------------------------------

let cachedTracer: { provider: unknown; tracer: Tracer } | undefined;
/** rqts's tracer, fetched again only when the application replaces the global provider. */
function tracer(a: Api): Tracer {
  const provider = a.trace.getTracerProvider();
  if (cachedTracer?.provider !== provider) cachedTracer = { provider, tracer: provider.getTracer('rqts') };
  return cachedTracer.tracer;
}

let observed: { tracing: unknown; metering: unknown; yes: boolean } | undefined;
/**
 * Whether the application installed a tracer or meter provider. Without one every span and instrument is a
 * no-op, and skipping them spares the hot paths (a worker's every job) their cost. Re-checked when either
 * global provider changes.
 */
function observing(a: Api): boolean {
  const tracing = a.trace.getTracerProvider();
  const delegate = tracing instanceof a.ProxyTracerProvider ? tracing.getDelegate() : tracing;
  const metering = a.metrics.getMeterProvider();
  if (observed?.tracing !== delegate || observed.metering !== metering) {
    const traced = !(tracing instanceof a.ProxyTracerProvider) || tracing.getDelegateTracer('rqts') !== undefined;
    const metered = metering.getMeter('rqts').constructor !== a.createNoopMeter().constructor;
    observed = { tracing: delegate, metering, yes: traced || metered };
  }
  return observed.yes;
}

interface Instruments {
  provider: unknown;
  sent: Counter;
  consumed: Counter;
  processDuration: Histogram;
  waitDuration: Histogram;
}
let instruments: Instruments | undefined;

/**
 * The metric instruments, re-created when the application installs its MeterProvider after rqts first
 * looked (the metrics API has no proxy provider, unlike tracing).
 */
function metricsOf(a: Api): Instruments {
  const provider = a.metrics.getMeterProvider();
  if (instruments?.provider === provider) return instruments;
  const meter: Meter = provider.getMeter('rqts');
  instruments = {
    provider,
    sent: meter.createCounter('messaging.client.sent.messages', { unit: '{message}', description: 'Jobs enqueued' }),
    consumed: meter.createCounter('messaging.client.consumed.messages', {
      unit: '{message}',
      description: 'Jobs a Node worker ran (error.type is set on failures)',
    }),
    processDuration: meter.createHistogram('messaging.process.duration', { unit: 's', description: 'Node worker handler duration' }),
    waitDuration: meter.createHistogram('rqts.job.wait.duration', { unit: 's', description: 'Time job.wait() took to settle' }),
  };
  return instruments;
}

// ---- producer ------------------------------------------------------------------------------------------

/** What a producer span is about. */
export interface PublishInfo {
  queue: string;
  /** 'publish' for jobs queued or deferred, 'schedule' for enqueueAt/In (the Python instrumentation's names). */
  operation: 'publish' | 'schedule';
  jobs: readonly { id: string; funcName: string }[];
}

/** Start the producer span of one enqueue call (one span for a whole enqueueMany batch, as messaging conventions say). */
export function startPublishSpan(a: Api, info: PublishInfo): Span {
  const attributes: Attributes = {
    [Attr.SYSTEM]: MESSAGING_SYSTEM,
    [Attr.OPERATION_TYPE]: info.operation === 'schedule' ? 'create' : 'send',
    [Attr.OPERATION_NAME]: info.operation,
    [Attr.DESTINATION]: info.queue,
  };
  if (info.jobs.length === 1) {
    const [only] = info.jobs;
    attributes[Attr.JOB_ID] = only!.id;
    attributes[Attr.MESSAGE_ID] = only!.id;
    attributes[Attr.JOB_FUNCTION] = only!.funcName;
  } else {
    attributes[Attr.BATCH_COUNT] = info.jobs.length;
  }
  return tracer(a).startSpan(`${info.operation} ${info.queue}`, { kind: a.SpanKind.PRODUCER, attributes });
}

/** End a producer span and count what was sent. */
export function endPublishSpan(a: Api, span: Span, info: PublishInfo, error?: unknown): void {
  if (error === undefined) {
    span.setStatus({ code: a.SpanStatusCode.OK });
    metricsOf(a).sent.add(info.jobs.length, {
      [Attr.SYSTEM]: MESSAGING_SYSTEM,
      [Attr.DESTINATION]: info.queue,
      [Attr.OPERATION_NAME]: info.operation,
    });
  } else {
    recordError(a, span, error);
  }
  span.end();
}

// ---- wait ----------------------------------------------------------------------------------------------

/** Run `job.wait()` inside a span and record how long it took. */
export async function traceWait<T>(a: Api, job: { id: string; origin: string; funcName: string }, fn: () => Promise<T>): Promise<T> {
  const attributes: Attributes = {
    [Attr.SYSTEM]: MESSAGING_SYSTEM,
    [Attr.DESTINATION]: job.origin,
    [Attr.JOB_ID]: job.id,
    [Attr.JOB_FUNCTION]: job.funcName,
  };
  const started = performance.now();
  return tracer(a).startActiveSpan(`wait ${job.origin}`, { kind: a.SpanKind.INTERNAL, attributes }, async (span) => {
    let error: unknown;
    try {
      return await fn();
    } catch (e) {
      error = e;
      throw e;
    } finally {
      const metricAttrs: Attributes = { [Attr.SYSTEM]: MESSAGING_SYSTEM, [Attr.DESTINATION]: job.origin };
      if (error !== undefined) metricAttrs[Attr.ERROR_TYPE] = errorType(error);
      metricsOf(a).waitDuration.record((performance.now() - started) / 1000, metricAttrs);
      if (error === undefined) span.setStatus({ code: a.SpanStatusCode.OK });
      else recordError(a, span, error);
      span.end();
    }
  });
}

// ---- consumer (the Node worker) -------------------------------------------------------------------------

/** What a consumer span is about. */
export interface ConsumeInfo {
  queue: string;
  workerName: string;
  job: { id: string; funcName: string };
  /** The job's meta (its `traceparent` is the parent). */
  meta: Record<string, unknown> | null;
  /** The metas of the jobs it depended on, whose spans are linked (as the Python instrumentation links them). */
  dependencyMetas?: readonly (Record<string, unknown> | null)[];
}

/**
 * Run a job's handler inside a consumer span that continues the producer's trace; the span's status is
 * the job's outcome. Also counts the job and records its duration.
 */
export async function traceConsume<T>(a: Api, info: ConsumeInfo, fn: () => Promise<T>): Promise<T> {
  const parent = contextFromMeta(a, info.meta);
  const parentContext = parent ? a.trace.setSpanContext(a.ROOT_CONTEXT, parent) : a.ROOT_CONTEXT;
  const links: Link[] = [];
  for (const meta of info.dependencyMetas ?? []) {
    const sc = contextFromMeta(a, meta);
    if (sc) links.push({ context: sc });
  }
  const attributes: Attributes = {
    [Attr.SYSTEM]: MESSAGING_SYSTEM,
    [Attr.OPERATION_TYPE]: 'process',
    [Attr.OPERATION_NAME]: 'consume',
    [Attr.DESTINATION]: info.queue,
    [Attr.CONSUMER_GROUP]: info.workerName,
    [Attr.JOB_ID]: info.job.id,
    [Attr.MESSAGE_ID]: info.job.id,
    [Attr.JOB_FUNCTION]: info.job.funcName,
  };
  const started = performance.now();
  const span = tracer(a).startSpan(`consume ${info.queue}`, { kind: a.SpanKind.CONSUMER, attributes, links }, parentContext);
  let error: unknown;
  try {
    return await a.context.with(a.trace.setSpan(parentContext, span), fn);
  } catch (e) {
    error = e;
    throw e;
  } finally {
    const metricAttrs: Attributes = {
      [Attr.SYSTEM]: MESSAGING_SYSTEM,
      [Attr.DESTINATION]: info.queue,
      [Attr.OPERATION_NAME]: 'consume',
    };
    if (error !== undefined) metricAttrs[Attr.ERROR_TYPE] = errorType(error);
    const m = metricsOf(a);
    m.consumed.add(1, metricAttrs);
    m.processDuration.record((performance.now() - started) / 1000, metricAttrs);
    if (error === undefined) span.setStatus({ code: a.SpanStatusCode.OK });
    else recordError(a, span, error);
    span.end();
  }
}

// ---- helpers -------------------------------------------------------------------------------------------

/** The exception type: a Python one for job failures (`excType`, or the last traceback line), else the JS name. */
function errorType(error: unknown): string {
  if (!(error instanceof Error)) return typeof error;
  const { excType, excString } = error as { excType?: unknown; excString?: unknown };
  if (typeof excType === 'string' && excType) return excType;
  if (typeof excString === 'string') {
    const last = excString.trimEnd().split('\n').pop() ?? '';
    const m = /^([A-Za-z_][\w.]*)(?::|$)/.exec(last);
    if (m) return m[1]!;
  }
  return error.name;
}

function recordError(a: Api, span: Span, error: unknown): void {
  span.setStatus({ code: a.SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
  if (error instanceof Error) span.recordException(error);
  span.setAttribute(Attr.ERROR_TYPE, errorType(error));
}
