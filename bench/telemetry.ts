/**
 * `npm run bench:telemetry`: what OpenTelemetry support costs on the enqueue path. Sequential
 * `await queue.enqueue` on one private Redis, in rounds that alternate three setups:
 *   off      configureTelemetry({ enabled: false }), the same first check as when @opentelemetry/api is absent
 *   api      @opentelemetry/api loaded, no SDK registered (spans are non-recording; nothing is written to meta)
 *   sdk      a BasicTracerProvider recording every span (BatchSpanProcessor, exporter that drops them) and
 *            a MeterProvider: a producer span per job and a traceparent in each job's meta
 */
import { metrics, trace } from '@opentelemetry/api';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { pathToFileURL } from 'node:url';
import type * as Rqts from '../src/index.js';
import { startRedis } from '../test/helpers/redis-server.js';
import { builtPath, transpileForChild } from './lib/transpile.js';
import { median } from './lib/stats.js';

transpileForChild([]);
const rqts = (await import(pathToFileURL(builtPath('src/index.ts')).href)) as typeof Rqts;

const JOBS = Number(process.env.BENCH_TELEMETRY_JOBS ?? 5_000);
const ROUNDS = Number(process.env.BENCH_TELEMETRY_ROUNDS ?? 5);
const dropAll: SpanExporter = { export: (_spans, done) => done({ code: 0 }), shutdown: async () => {} };
const tracerProvider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(dropAll)] });
const meterProvider = new MeterProvider();

type Mode = 'off' | 'api' | 'sdk';
function setMode(mode: Mode): void {
  rqts.configureTelemetry({ enabled: mode !== 'off' });
  trace.disable();
  metrics.disable();
  if (mode === 'sdk') {
    trace.setGlobalTracerProvider(tracerProvider);
    metrics.setGlobalMeterProvider(meterProvider);
  }
}

const redis = await startRedis();
const connection = await rqts.Connection.from(redis.url).open();
const queue = new rqts.Queue('bench-telemetry', { connection });
const rates: Record<Mode, number[]> = { off: [], api: [], sdk: [] };
/** Client CPU (user + system) per job, µs: steadier than the rate on a shared machine. */
const cpu: Record<Mode, number[]> = { off: [], api: [], sdk: [] };
try {
  for (let round = 0; round < ROUNDS + 1; round++) {
    for (const mode of ['off', 'api', 'sdk'] as const) {
      setMode(mode);
      const started = performance.now();
      const cpuStart = process.cpuUsage();
      for (let i = 0; i < JOBS; i++) await queue.enqueue('mylib.add', i, 2);
      const used = process.cpuUsage(cpuStart);
      const seconds = (performance.now() - started) / 1000;
      if (round > 0) {
        // round 0 warms up
        rates[mode].push(JOBS / seconds);
        cpu[mode].push((used.user + used.system) / JOBS);
      }
      await connection.command(['FLUSHALL']);
    }
  }
} finally {
  await connection.close();
  await tracerProvider.shutdown();
  await redis.stop();
}

const off = median(rates.off);
const offCpu = median(cpu.off);
process.stdout.write(`sequential enqueue, ${JOBS} jobs × ${ROUNDS} rounds (medians)\n`);
process.stdout.write(`  setup   jobs/s  vs off   client CPU µs/job  vs off\n`);
for (const mode of ['off', 'api', 'sdk'] as const) {
  const rate = median(rates[mode]);
  const perJob = median(cpu[mode]);
  process.stdout.write(
    `  ${mode.padEnd(4)} ${rate.toFixed(0).padStart(8)}  ${((rate / off) * 100).toFixed(0).padStart(5)}%  ${perJob.toFixed(1).padStart(17)}  ${(perJob - offCpu >= 0 ? '+' : '') + (perJob - offCpu).toFixed(1)}\n`,
  );
}
