"""A traced Python worker: the real `rq worker` CLI with opentelemetry-instrumentation-rq and the OpenTelemetry
SDK set up, as a Python deployment would run it, so jobs a Node service enqueued with rqts continue its trace.

    pip install rq opentelemetry-sdk opentelemetry-instrumentation-rq
    OTEL_SPANS_FILE=spans.jsonl python examples/traced_worker.py -u redis://127.0.0.1:6379/0 --burst traced

Every finished span is appended as one JSON line to $OTEL_SPANS_FILE (appending, so the forked work horses
write theirs too); a real deployment would use an OTLP exporter instead. examples/telemetry.ts reads the file
to print the whole trace, and test/interop/telemetry.test.ts checks it.
"""
import json
import os
import sys

from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor, SpanExporter, SpanExportResult
from opentelemetry_instrumentation_rq import RQInstrumentor


class JsonLinesExporter(SpanExporter):
    def __init__(self, path):
        self.path = path

    def export(self, spans):
        with open(self.path, 'a', encoding='utf-8') as out:
            for span in spans:
                ctx = span.get_span_context()
                parent = span.parent
                out.write(json.dumps({
                    'name': span.name,
                    'kind': span.kind.name,
                    'traceId': format(ctx.trace_id, '032x'),
                    'spanId': format(ctx.span_id, '016x'),
                    'parentSpanId': format(parent.span_id, '016x') if parent else None,
                    'attributes': dict(span.attributes or {}),
                    'status': span.status.status_code.name,
                    'links': [format(link.context.span_id, '016x') for link in span.links],
                }) + '\n')
        return SpanExportResult.SUCCESS


def run(worker_args):
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(JsonLinesExporter(os.environ['OTEL_SPANS_FILE'])))
    trace.set_tracer_provider(provider)
    RQInstrumentor().instrument()

    from rq.cli import main  # imported after instrumenting, as an application would

    sys.argv = ['rq', 'worker', *worker_args]
    main()


if __name__ == '__main__':
    run(sys.argv[1:])
