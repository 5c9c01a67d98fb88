/**
 * One trace from a Node request into a Python worker. With `@opentelemetry/api` installed and an SDK set up,
 * rqts starts a producer span for each enqueue and writes its W3C trace context into the job's `meta`;
 * a Python `rq worker` with opentelemetry-instrumentation-rq continues that trace.
 *
 *   RQ_PYTHON=.venv/rq-2.12/bin/python npx tsx examples/telemetry.ts
 *
 * With RQ_PYTHON set, this example runs the traced Python worker itself (examples/traced_worker.py, burst
 * mode, on the queue `traced`) and prints the whole span tree, Node and Python spans together. Without it,
 * start that worker yourself (its header says how) and the tree shows the Node side only.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { context, SpanKind, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { connect, Queue } from '../src/index.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0';

/** A span of either side, as the tree below prints it. */
interface Node {
  name: string;
  kind: string;
  side: 'node' | 'python';
  spanId: string;
  parentSpanId: string | null;
  traceId: string;
}

// ---- running the traced Python worker (examples/traced_worker.py) -------------------------------------------
let pythonSpans: Node[] = [];
async function runTracedPythonWorker(): Promise<void> {
  const python = process.env.RQ_PYTHON;
  if (!python) {
    console.log('RQ_PYTHON is not set: waiting for a traced worker on `traced` (examples/traced_worker.py)');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'rqts-trace-'));
  const spansFile = join(dir, 'spans.jsonl');
  const here = fileURLToPath(new URL('.', import.meta.url));
  try {
    await promisify(execFile)(python, [join(here, 'traced_worker.py'), '-u', REDIS_URL, '--burst', 'traced'], {
      env: { ...process.env, OTEL_SPANS_FILE: spansFile, PYTHONPATH: join(here, '..', 'test', 'python') },
    });
    pythonSpans = readFileSync(spansFile, 'utf8')
      .trim()
      .split('\n')
      .map((line) => ({ ...(JSON.parse(line) as Omit<Node, 'side'>), side: 'python' as const }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}


// #region setup
// The application's OpenTelemetry setup (here: spans kept in memory). rqts needs nothing else: it finds
// @opentelemetry/api and uses the global tracer provider.
const exporter = new InMemorySpanExporter();
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));

await using connection = await connect(REDIS_URL);
const queue = new Queue('traced', { connection });

const sum = await trace.getTracer('shop').startActiveSpan('POST /orders', async (request) => {
  const job = await queue.enqueue<number>('mylib.add', 2, 3); // span "publish traced"; meta.traceparent set
  console.log(`meta: ${JSON.stringify(await job.meta)}`);     // {"traceparent":"00-<trace id>-<span id>-01"}
  const waiting = job.wait({ timeout: 60_000 });              // span "wait traced"
  await runTracedPythonWorker();
  const value = await waiting;
  request.end();
  return value;
});
// #endregion setup
assert.equal(sum, 5);
console.log(`mylib.add(2, 3) = ${sum}`);

// ---- the span tree ----------------------------------------------------------------------------------------
const nodeSpans: Node[] = exporter.getFinishedSpans().map((s) => ({
  name: s.name,
  kind: SpanKind[s.kind],
  side: 'node',
  spanId: s.spanContext().spanId,
  parentSpanId: s.parentSpanContext?.spanId ?? null,
  traceId: s.spanContext().traceId,
}));
const all = [...nodeSpans, ...pythonSpans];
const traceIds = new Set(all.map((s) => s.traceId));
assert.equal(traceIds.size, 1, 'every span is in one trace');
console.log(`trace ${[...traceIds][0]}`);
const print = (parent: string | null, indent: string): void => {
  for (const s of all.filter((x) => x.parentSpanId === parent)) {
    console.log(`${indent}${s.name} [${s.kind}, ${s.side}]`);
    print(s.spanId, `${indent}  `);
  }
};
print(null, '');
if (pythonSpans.length > 0) {
  const consume = pythonSpans.find((s) => s.name === 'consume traced');
  const publish = nodeSpans.find((s) => s.name === 'publish traced');
  assert.equal(consume?.parentSpanId, publish?.spanId, 'the Python consume span is a child of the Node publish span');
}
