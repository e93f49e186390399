/**
 * The feature flags this build reads, with their defaults. A flag turns a finished feature off (or
 * on for some tenants) without a release: a kill switch during an incident, or a gradual rollout.
 * Values come from OpenFeature providers (see flags.ts); the defaults here apply when none answers.
 */
export const FLAGS = {
  'dynamic-codes': {
    default: true,
    description:
      'Making dynamic codes (generator, batches). Off: `dynamic: true` answers 403 FEATURE_ERR_OFF; existing codes keep redirecting.',
  },
  'scan-quality-report': {
    default: true,
    description:
      'The print-quality report on decoded codes. Off: `quality` is null, as with `?quality=false` (saves CPU under load).',
  },
} as const satisfies Record<string, { default: boolean; description: string }>;

export type FlagKey = keyof typeof FLAGS;

export const FLAG_KEYS = Object.keys(FLAGS) as FlagKey[];

/** The environment variable that sets a flag: `dynamic-codes` → `QRFORGE_FLAG_DYNAMIC_CODES`. */
export function flagVariable(key: string): string {
  return `QRFORGE_FLAG_${key.replace(/[^A-Za-z0-9]+/g, '_').toUpperCase()}`;
}
