/**
 * Feature flags through OpenFeature, the CNCF standard API, so a flag service (flagd, LaunchDarkly,
 * Unleash…) can replace the providers here without touching a call site. Providers, first answer
 * wins: the environment (`QRFORGE_FLAG_DYNAMIC_CODES=false`, for one deployment), then the JSON
 * file at QRFORGE_FLAGS_FILE (per-tenant values, changed without a restart), then the default in
 * definitions.ts. Each app gets its own OpenFeature domain, so apps in one process (tests) do
 * not share providers.
 */
import { randomUUID } from 'node:crypto';
import { EnvVarProvider } from '@openfeature/env-var-provider';
import {
  FirstMatchStrategy,
  MultiProvider,
  OpenFeature,
  type Client,
  type Provider,
} from '@openfeature/server-sdk';
import { FLAG_KEYS, FLAGS, flagVariable, type FlagKey } from './definitions.js';
import { JsonFileProvider } from './file-provider.js';

/** Whom a flag is evaluated for: a tenant (per-tenant values in the flags file). */
export interface FlagScope {
  tenantId?: string;
}

export class Flags {
  private constructor(
    private readonly client: Client,
    private readonly provider: Provider,
  ) {}

  static async open(
    options: { file?: string; log?: (message: string) => void } = {},
  ): Promise<Flags> {
    const providers: Provider[] = [new PrefixedEnvProvider()];
    if (options.file) {
      const log = options.log ?? (() => {});
      providers.push(
        new JsonFileProvider(options.file, (m) => log(`flags file not reloaded: ${m}`)),
      );
    }
    const provider = new MultiProvider(
      providers.map((p) => ({ provider: p })),
      new FirstMatchStrategy(),
    );
    const domain = `qrforge-${randomUUID()}`;
    await OpenFeature.setProviderAndWait(domain, provider);
    return new Flags(OpenFeature.getClient(domain), provider);
  }

  async isOn(key: FlagKey, scope: FlagScope = {}): Promise<boolean> {
    return this.client.getBooleanValue(
      key,
      FLAGS[key].default,
      scope.tenantId ? { targetingKey: scope.tenantId } : {},
    );
  }

  /** Every flag's value for a scope (the web page hides what is off). */
  async all(scope: FlagScope = {}): Promise<Record<FlagKey, boolean>> {
    const values = await Promise.all(FLAG_KEYS.map((key) => this.isOn(key, scope)));
    return Object.fromEntries(FLAG_KEYS.map((key, i) => [key, values[i]])) as Record<
      FlagKey,
      boolean
    >;
  }

  async close(): Promise<void> {
    await this.provider.onClose?.();
  }
}

/**
 * OpenFeature's environment provider, asked for `QRFORGE_FLAG_<NAME>`: its flag key is the
 * variable name, and the config's check of QRFORGE_* names catches a misspelt flag at start-up.
 */
class PrefixedEnvProvider extends EnvVarProvider {
  override readonly metadata = { name: 'environment variable (QRFORGE_FLAG_*)' };
  constructor() {
    super({ disableConstantCase: true });
  }
  override resolveBooleanEvaluation(flagKey: string) {
    return super.resolveBooleanEvaluation(flagVariable(flagKey));
  }
}
