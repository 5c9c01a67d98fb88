/**
 * An in-process OpenTelemetry SDK for tests: spans into an in-memory exporter, metrics read on demand,
 * AsyncLocalStorage context so `startActiveSpan` parents what runs inside it.
 */
import { context, metrics, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { AggregationTemporality, MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';

class OnDemandReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

export interface TestTelemetry {
  spans(): ReadableSpan[];
  /** The sum of a counter, or the count of a histogram, over points whose attributes include `where`. */
  metric(name: string, where?: Record<string, unknown>): Promise<number>;
  reset(): void;
}

/** Install global tracer and meter providers (once per test file: vitest isolates files). */
export function installTelemetry(): TestTelemetry {
  const exporter = new InMemorySpanExporter();
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
  const reader = new OnDemandReader();
  metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
  return {
    spans: () => exporter.getFinishedSpans(),
    reset: () => exporter.reset(),
    async metric(name, where = {}) {
      const { resourceMetrics } = await reader.collect();
      return sumPoints(resourceMetrics, name, where);
    },
  };
}

function sumPoints(rm: ResourceMetrics, name: string, where: Record<string, unknown>): number {
  let total = 0;
  for (const scope of rm.scopeMetrics) {
    for (const m of scope.metrics) {
      if (m.descriptor.name !== name) continue;
      for (const point of m.dataPoints as { attributes: Record<string, unknown>; value: unknown }[]) {
        if (!Object.entries(where).every(([k, v]) => point.attributes[k] === v)) continue;
        const v = point.value;
        total += typeof v === 'number' ? v : (v as { count: number }).count;
      }
    }
  }
  return total;
}
