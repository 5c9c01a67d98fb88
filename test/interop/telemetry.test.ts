/**
 * OpenTelemetry: rqts's producer spans and the W3C trace context it writes into `meta`, continued by the real
 * Python instrumentation (`opentelemetry-instrumentation-rq` in a real `rq worker` of RQ 2.12) into one trace;
 * the wait span, the off switches and the metrics.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { DuplicateJobError, JobFailedError, Queue, Worker } from '../../src/index.js';
import { configureTelemetry } from '../../src/telemetry-config.js';
import { MESSAGING_SYSTEM } from '../../src/telemetry.js';
import { privateRedis, REPO_ROOT, rqVersion, rqVersions, runPython, runPythonJson, runWorker, uniqueName } from '../helpers/index.js';
import { installTelemetry } from '../helpers/otel.js';
import { pyPrelude } from '../helpers/python.js';

const env = privateRedis();
const otel = installTelemetry();
const tracer = trace.getTracer('test');
/** The traced Python worker of examples/ (the real `rq worker` CLI with the Python instrumentation). */
const TRACED_WORKER = join(REPO_ROOT, 'examples', 'traced_worker.py');
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/;

beforeEach(() => {
  otel.reset();
  configureTelemetry({ enabled: true });
});

/** Run `fn` inside an active span of this test, the way a request handler would enqueue. */
function inRequestSpan<T>(fn: () => Promise<T>): Promise<{ value: T; traceId: string; spanId: string }> {
  return tracer.startActiveSpan('request', async (span) => {
    try {
      const value = await fn();
      return { value, traceId: span.spanContext().traceId, spanId: span.spanContext().spanId };
    } finally {
      span.end();
    }
  });
}

function producerSpans(queue: string) {
  return otel.spans().filter((s) => s.kind === SpanKind.PRODUCER && s.attributes['messaging.destination.name'] === queue);
}

describe.each(['pickle', 'json'] as const)('producer (%s)', (serializer) => {
  it('starts a producer span under the caller’s span and writes its context into meta, keeping the user’s keys', async () => {
    const queue = new Queue(uniqueName('otel'), { connection: env.connection, serializer });
    const { value: job, traceId, spanId } = await inRequestSpan(() =>
      queue.enqueueCall<number>('mylib.add', { args: [1, 2], meta: { owner: 'alice' } }),
    );

    const [span, ...others] = producerSpans(queue.name);
    expect(others).toEqual([]);
    expect(span!.name).toBe(`publish ${queue.name}`);
    expect(span!.spanContext().traceId).toBe(traceId);
    expect(span!.parentSpanContext?.spanId).toBe(spanId);
    expect(span!.status.code).toBe(SpanStatusCode.OK);
    expect(span!.attributes).toMatchObject({
      'messaging.system': MESSAGING_SYSTEM,
      'messaging.operation.type': 'send',
      'messaging.operation.name': 'publish',
      'rq.job.id': job.id,
      'rq.job.function': 'mylib.add',
    });

    const meta = await job.meta;
    expect(meta).toEqual({ owner: 'alice', traceparent: `00-${traceId}-${span!.spanContext().spanId}-01` });

    // Python reads the same entries back from the stored meta.
    const rq = rqVersions()[0]!;
    const python = await runPythonJson<Record<string, unknown>>(
      rq,
      `${pyPrelude(serializer)}
print(json.dumps(fetch(${JSON.stringify(job.id)}).meta))`,
      { url: env.redis.url },
    );
    expect(python).toEqual(meta);
  });

  it('one span for an enqueueMany batch, carried by every job; `schedule` for enqueueIn', async () => {
    const queue = new Queue(uniqueName('otel'), { connection: env.connection, serializer });
    const jobs = await queue.enqueueMany([Queue.prepareData('mylib.add', [1, 2]), Queue.prepareData('mylib.add', [3, 4])]);
    const [batch] = producerSpans(queue.name);
    expect(batch!.attributes['messaging.batch.message_count']).toBe(2);
    expect(batch!.attributes['rq.job.id']).toBeUndefined();
    const expected = `00-${batch!.spanContext().traceId}-${batch!.spanContext().spanId}-01`;
    for (const job of jobs) expect(await job.meta).toEqual({ traceparent: expected });

    otel.reset();
    const scheduled = await queue.enqueueIn(60, 'mylib.add', 5, 6);
    const [schedule] = producerSpans(queue.name);
    expect(schedule!.name).toBe(`schedule ${queue.name}`);
    expect(schedule!.attributes['messaging.operation.type']).toBe('create');
    expect((await scheduled.meta).traceparent).toMatch(TRACEPARENT);
  });
});

describe('switches and errors', () => {
  it('a user-supplied traceparent wins', async () => {
    const queue = new Queue(uniqueName('otel'), { connection: env.connection });
    const own = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const job = await queue.enqueueCall('mylib.add', { args: [1, 2], meta: { traceparent: own, tracestate: 'k=v' } });
    expect(await job.meta).toEqual({ traceparent: own, tracestate: 'k=v' });
    expect(producerSpans(queue.name)).toHaveLength(1);
  });

  it('telemetry: false on a queue, and configureTelemetry({ enabled: false }), write no span and no meta', async () => {
    const off = new Queue(uniqueName('otel'), { connection: env.connection, telemetry: false });
    const a = await off.enqueue('mylib.add', 1, 2);
    expect(await a.meta).toEqual({});
    expect(producerSpans(off.name)).toEqual([]);

    configureTelemetry({ enabled: false });
    const on = new Queue(uniqueName('otel'), { connection: env.connection });
    const b = await on.enqueue('mylib.add', 1, 2);
    expect(await b.meta).toEqual({});
    expect(otel.spans()).toEqual([]);
    expect(() => new Queue('x', { connection: env.connection, telemetry: 'no' as unknown as boolean })).toThrow(/telemetry/);
  });

  it('a failed enqueue ends its span with an error status and counts nothing', async () => {
    const queue = new Queue(uniqueName('otel'), { connection: env.connection });
    const jobId = uniqueName('dup');
    await queue.enqueueCall('mylib.add', { args: [1, 2], jobId });
    const sentBefore = await otel.metric('messaging.client.sent.messages', { 'messaging.destination.name': queue.name });
    expect(sentBefore).toBe(1);
    await expect(queue.enqueueCall('mylib.add', { args: [1, 2], jobId, unique: true })).rejects.toBeInstanceOf(DuplicateJobError);
    const [, failed] = producerSpans(queue.name);
    expect(failed!.status.code).toBe(SpanStatusCode.ERROR);
    expect(failed!.attributes['error.type']).toBe('DuplicateJobError');
    expect(await otel.metric('messaging.client.sent.messages', { 'messaging.destination.name': queue.name })).toBe(1);
  });
});

/** The bootstrap installs the Python instrumentation into the 2.12 venv (it needs RQ >= 1.15). */
const rq212 = rqVersion('rq-2.12');

describe('one trace into a Python worker (rq 2.12 + opentelemetry-instrumentation-rq)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rqts-otel-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(['pickle', 'json'] as const)('the worker’s consume span continues the producer span (%s)', async (serializer) => {
    const queue = new Queue(uniqueName('otel'), { connection: env.connection, serializer });
    const { value: job, traceId } = await inRequestSpan(() => queue.enqueue<number>('mylib.add', 20, 22));
    const [producer] = producerSpans(queue.name);

    const spansFile = join(dir, `${serializer}.jsonl`);
    const args = ['-u', env.redis.url, '--burst', ...(serializer === 'json' ? ['--serializer', 'rq.serializers.JSONSerializer'] : []), queue.name];
    const run = await runPython(
      rq212,
      `import runpy, sys\nsys.argv = ['traced_worker', *${JSON.stringify(args)}]\nrunpy.run_path(${JSON.stringify(TRACED_WORKER)}, run_name='__main__')`,
      { env: { OTEL_SPANS_FILE: spansFile } },
    );
    expect(run.exitCode, run.stderr).toBe(0);
    expect(await job.result).toBe(42);

    type PySpan = { name: string; kind: string; traceId: string; spanId: string; parentSpanId: string | null; attributes: Record<string, unknown>; status: string };
    const spans = readFileSync(spansFile, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as PySpan);
    const consume = spans.find((s) => s.name === `consume ${queue.name}`);
    expect(consume, JSON.stringify(spans, null, 1)).toBeDefined();
    expect(consume!.kind).toBe('CONSUMER');
    expect(consume!.traceId).toBe(traceId);
    expect(consume!.parentSpanId).toBe(producer!.spanContext().spanId);
    expect(consume!.attributes['rq.job.id']).toBe(job.id);
    expect(consume!.status).toBe('OK');
    const perform = spans.find((s) => s.name === 'perform');
    expect(perform?.parentSpanId).toBe(consume!.spanId);
  });
});

describe('wait', () => {
  it('job.wait() runs in a span and records its duration, failures included', async () => {
    const queue = new Queue(uniqueName('otel'), { connection: env.connection });
    const ok = await queue.enqueue<number>('mylib.add', 1, 2);
    const bad = await queue.enqueue('mylib.fail');
    const waits = [ok.wait({ timeout: 30_000 }), bad.wait({ timeout: 30_000 }).catch((e: unknown) => e)];
    const run = await runWorker({ rq: rqVersions()[0]!, url: env.redis.url, queues: [queue.name] });
    expect(run.exitCode, run.log).toBe(0);
    const [value, failure] = await Promise.all(waits);
    expect(value).toBe(3);
    expect(failure).toBeInstanceOf(JobFailedError);

    const waitSpans = otel.spans().filter((s) => s.name === `wait ${queue.name}`);
    expect(waitSpans.map((s) => [s.attributes['rq.job.id'], s.status.code]).sort()).toEqual(
      [[ok.id, SpanStatusCode.OK], [bad.id, SpanStatusCode.ERROR]].sort(),
    );
    expect(waitSpans.find((s) => s.attributes['rq.job.id'] === bad.id)!.attributes['error.type']).toBe('ValueError');
    const where = { 'messaging.destination.name': queue.name };
    expect(await otel.metric('rqts.job.wait.duration', where)).toBe(2);
    expect(await otel.metric('rqts.job.wait.duration', { ...where, 'error.type': 'ValueError' })).toBe(1);
  });
});

describe('the Node worker', () => {
  it('runs each job in a consumer span that continues the producer span, links dependency parents, and counts jobs', async () => {
    const queue = new Queue(uniqueName('otel'), { connection: env.connection });
    const { value: jobs, traceId } = await inRequestSpan(async () => {
      const first = await queue.enqueue<number>('js.add', 1, 2);
      const second = await queue.enqueueCall<number>('js.add', { args: [3, 4], dependsOn: first });
      const broken = await queue.enqueue('js.fail');
      return { first, second, broken };
    });
    const publish = new Map(producerSpans(queue.name).map((s) => [s.attributes['rq.job.id'], s.spanContext().spanId]));

    const worker = new Worker({
      connection: env.connection,
      queues: [queue.name],
      burst: true,
      handleSignals: false,
      handlers: {
        'js.add': (a: number, b: number) => a + b,
        'js.fail': () => {
          throw new TypeError('no luck');
        },
      },
      logger: { info() {}, warn() {}, error() {} },
    });
    await worker.work();
    expect(await jobs.first.result).toBe(3);
    expect(await jobs.second.result).toBe(7);

    const consumed = otel.spans().filter((s) => s.kind === SpanKind.CONSUMER && s.name === `consume ${queue.name}`);
    const byJob = new Map(consumed.map((s) => [s.attributes['rq.job.id'], s]));
    expect([...byJob.keys()].sort()).toEqual([jobs.first.id, jobs.second.id, jobs.broken.id].sort());
    for (const [id, span] of byJob) {
      expect(span.spanContext().traceId).toBe(traceId);
      expect(span.parentSpanContext?.spanId).toBe(publish.get(id));
      expect(span.attributes['messaging.consumer.group.name']).toBe(worker.name);
    }
    expect(byJob.get(jobs.first.id)!.status.code).toBe(SpanStatusCode.OK);
    expect(byJob.get(jobs.second.id)!.links.map((l) => l.context.spanId)).toEqual([publish.get(jobs.first.id)]);
    expect(byJob.get(jobs.first.id)!.links).toEqual([]);
    const failed = byJob.get(jobs.broken.id)!;
    expect(failed.status.code).toBe(SpanStatusCode.ERROR);
    expect(failed.attributes['error.type']).toBe('TypeError');

    const where = { 'messaging.destination.name': queue.name };
    expect(await otel.metric('messaging.client.consumed.messages', where)).toBe(3);
    expect(await otel.metric('messaging.process.duration', where)).toBe(3);
    expect(await otel.metric('messaging.client.consumed.messages', { ...where, 'error.type': failed.attributes['error.type'] })).toBe(1);
  });

  it('telemetry: false on the worker starts no span', async () => {
    const queue = new Queue(uniqueName('otel'), { connection: env.connection });
    const job = await queue.enqueue<number>('js.add', 1, 2);
    otel.reset();
    const worker = new Worker({
      connection: env.connection,
      queues: [queue.name],
      burst: true,
      handleSignals: false,
      telemetry: false,
      handlers: { 'js.add': (a: number, b: number) => a + b },
      logger: { info() {}, warn() {}, error() {} },
    });
    await worker.work();
    expect(await job.result).toBe(3);
    expect(otel.spans().filter((s) => s.kind === SpanKind.CONSUMER)).toEqual([]);
  });
});
