/**
 * An OpenFeature provider reading flags from a JSON file, re-read when the file changes (a mounted
 * ConfigMap in Kubernetes is updated in place), so a flag flips without a restart:
 *
 *   { "dynamic-codes": false,
 *     "scan-quality-report": { "default": true, "tenants": { "<tenant ID>": false } } }
 *
 * A tenant is matched by its ID, the evaluation context's targetingKey.
 * A file that cannot be read at start stops start-up; a bad edit later keeps the last good flags
 * and is logged, so a typo in production turns nothing off.
 */
import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import {
  ErrorCode,
  OpenFeatureEventEmitter,
  ProviderEvents,
  StandardResolutionReasons,
  type EvaluationContext,
  type JsonValue,
  type Provider,
  type ResolutionDetails,
} from '@openfeature/server-sdk';

type Entry = boolean | { default?: boolean; tenants?: Record<string, boolean> };

export class JsonFileProvider implements Provider {
  readonly metadata = { name: 'json file' };
  readonly runsOn = 'server';
  readonly events = new OpenFeatureEventEmitter();
  private flags: Record<string, Entry>;

  constructor(
    private readonly path: string,
    private readonly onBadReload: (message: string) => void = () => {},
    private readonly pollMs = 1000,
  ) {
    this.flags = parseFlagsFile(path, readFileSync(path, 'utf8'));
  }

  async initialize(): Promise<void> {
    watchFile(this.path, { interval: this.pollMs, persistent: false }, () => this.reload());
  }

  async onClose(): Promise<void> {
    unwatchFile(this.path);
  }

  reload(): void {
    try {
      this.flags = parseFlagsFile(this.path, readFileSync(this.path, 'utf8'));
      this.events.emit(ProviderEvents.ConfigurationChanged, {
        flagsChanged: Object.keys(this.flags),
      });
    } catch (error) {
      this.onBadReload((error as Error).message);
    }
  }

  async resolveBooleanEvaluation(
    flagKey: string,
    defaultValue: boolean,
    context: EvaluationContext,
  ): Promise<ResolutionDetails<boolean>> {
    const entry = this.flags[flagKey];
    if (entry === undefined)
      return {
        value: defaultValue,
        reason: StandardResolutionReasons.ERROR,
        errorCode: ErrorCode.FLAG_NOT_FOUND,
      };
    if (typeof entry === 'boolean')
      return { value: entry, reason: StandardResolutionReasons.STATIC };
    const tenants = entry.tenants ?? {};
    const tenant = context.targetingKey;
    if (tenant && Object.hasOwn(tenants, tenant))
      return { value: tenants[tenant], reason: StandardResolutionReasons.TARGETING_MATCH };
    if (entry.default === undefined)
      return {
        value: defaultValue,
        reason: StandardResolutionReasons.ERROR,
        errorCode: ErrorCode.FLAG_NOT_FOUND,
      };
    return { value: entry.default, reason: StandardResolutionReasons.DEFAULT };
  }

  // Only boolean flags exist; other kinds are type mismatches.
  async resolveStringEvaluation(
    _: string,
    defaultValue: string,
  ): Promise<ResolutionDetails<string>> {
    return mismatch(defaultValue);
  }
  async resolveNumberEvaluation(
    _: string,
    defaultValue: number,
  ): Promise<ResolutionDetails<number>> {
    return mismatch(defaultValue);
  }
  async resolveObjectEvaluation<T extends JsonValue>(
    _: string,
    defaultValue: T,
  ): Promise<ResolutionDetails<T>> {
    return mismatch(defaultValue);
  }
}

function mismatch<T>(value: T): ResolutionDetails<T> {
  return { value, reason: StandardResolutionReasons.ERROR, errorCode: ErrorCode.TYPE_MISMATCH };
}

/** Parses and checks a flags file; the error names the file and the entry. */
export function parseFlagsFile(path: string, text: string): Record<string, Entry> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`${path}: not JSON (${(error as Error).message})`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new Error(`${path}: must be an object of flag names`);
  for (const [key, entry] of Object.entries(parsed as Record<string, unknown>)) {
    if (!isEntry(entry))
      throw new Error(
        `${path}: "${key}" must be true, false or { "default": bool, "tenants": { "<tenant ID>": bool } }`,
      );
  }
  return parsed as Record<string, Entry>;
}

function isEntry(entry: unknown): entry is Entry {
  if (typeof entry === 'boolean') return true;
  if (!entry || typeof entry !== 'object' || Array.isArray(entry)) return false;
  const { default: fallback, tenants, ...rest } = entry as Record<string, unknown>;
  if (Object.keys(rest).length) return false;
  if (fallback !== undefined && typeof fallback !== 'boolean') return false;
  if (tenants === undefined) return true;
  return (
    !!tenants &&
    typeof tenants === 'object' &&
    Object.values(tenants).every((value) => typeof value === 'boolean')
  );
}
