/**
 * OpenTelemetry tracing, on only when OTEL_EXPORTER_OTLP_ENDPOINT is set: HTTP server and client
 * spans exported over OTLP/HTTP (e.g. to Jaeger's :4318). It must start before Fastify loads so the
 * http module is instrumented; main.ts therefore imports the app after calling this.
 * Version 0.223 is the last SDK line that supports Node 20.
 */
export async function startTracing(
  endpoint: string,
  serviceName = 'qrforge',
): Promise<() => Promise<void>> {
  const { NodeSDK } = await import('@opentelemetry/sdk-node');
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
  const { HttpInstrumentation } = await import('@opentelemetry/instrumentation-http');
  const sdk = new NodeSDK({
    serviceName,
    traceExporter: new OTLPTraceExporter({ url: new URL('/v1/traces', endpoint).href }),
    instrumentations: [
      new HttpInstrumentation({
        // Scrapes and probes would drown the traces that matter.
        ignoreIncomingRequestHook: (request) =>
          ['/metrics', '/health', '/ready'].includes(request.url?.split('?')[0] ?? ''),
      }),
    ],
  });
  sdk.start();
  // Flushes the spans still buffered.
  return () => sdk.shutdown();
}
