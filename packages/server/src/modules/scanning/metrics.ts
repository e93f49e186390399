/** Scanning metrics: what each decode pass finds and costs, and how scans are classified. */
import { Counter, Histogram, type Registry } from 'prom-client';

export interface ScanMetrics {
  images: Counter<'attempt'>;
  decodeSeconds: Histogram;
  scans: Counter<'result'>;
}

export function scanMetrics(registry: Registry): ScanMetrics {
  return {
    images: new Counter({
      name: 'scan_images_total',
      help: 'Images decoded, by the pass that found their codes (none: no code found).',
      labelNames: ['attempt'] as const,
      registers: [registry],
    }),
    decodeSeconds: new Histogram({
      name: 'scan_decode_duration_seconds',
      help: 'Time to decode one image in a worker thread, every pass included.',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    scans: new Counter({
      name: 'scans_total',
      help: 'Scans answered in scan sessions, by classification (a resent scan counts again).',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
  };
}
