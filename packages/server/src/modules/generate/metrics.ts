/** Generation metrics, named as in the seed documents' dashboards. */
import { Counter, Histogram, type Registry } from 'prom-client';

export interface GenerateMetrics {
  generated: Counter<'format'>;
  duration: Histogram;
}

export function generateMetrics(registry: Registry): GenerateMetrics {
  return {
    generated: new Counter({
      name: 'qr_codes_generated_total',
      help: 'QR codes generated, by output format.',
      labelNames: ['format'] as const,
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'qr_generation_duration_seconds',
      help: 'Time to encode and render one QR code.',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers: [registry],
    }),
  };
}
