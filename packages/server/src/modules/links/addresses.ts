/**
 * Which tenant a public item URL belongs to: the host and path prefix of the tenant's code base
 * URL (`PUT /api/v1/inventory/code-content`), e.g. `https://parts.example.com` or
 * `https://qr.example.com/acme`. Item URLs carry no tenant ID of their own, so the address is the
 * tenant's — as a custom domain is. Kept for `cacheMs`.
 */
import { eq, isNotNull } from 'drizzle-orm';
import type { Database } from '../../platform/db/database.js';
import { idSchemas } from '../inventory/schema.js';

export class TenantAddresses {
  private map?: { byAddress: Map<string, string>; until: number };

  constructor(
    private readonly db: Database,
    private readonly cacheMs: number,
  ) {}

  /** The tenant whose code base URL is `host` + `prefix` (prefix '' or '/path'). */
  async tenantFor(host: string, prefix: string): Promise<string | undefined> {
    return (await this.load()).byAddress.get(addressKey(host, prefix));
  }

  /**
   * The tenant's own address (custom domain and/or prefix), if it chose one; read fresh, as codes
   * are made seldom and must carry the address chosen a moment ago.
   */
  async baseOf(tenantId: string): Promise<string | undefined> {
    const [row] = await this.db
      .select({ base: idSchemas.codeBaseUrl })
      .from(idSchemas)
      .where(eq(idSchemas.tenantId, tenantId));
    return row?.base?.replace(/\/+$/, '') || undefined;
  }

  private async load() {
    const now = Date.now();
    if (!this.map || this.map.until <= now) {
      const rows = await this.db
        .select({ tenantId: idSchemas.tenantId, base: idSchemas.codeBaseUrl })
        .from(idSchemas)
        .where(isNotNull(idSchemas.codeBaseUrl));
      const byAddress = new Map<string, string>();
      for (const row of rows) {
        try {
          const url = new URL(row.base!);
          byAddress.set(addressKey(url.host, url.pathname), row.tenantId);
        } catch {
          // A base URL is checked when saved; a bad old one simply matches nothing.
        }
      }
      this.map = { byAddress, until: now + this.cacheMs };
    }
    return this.map;
  }

  forget() {
    this.map = undefined;
  }
}

const addressKey = (host: string, path: string) =>
  `${host.toLowerCase()}${path.replace(/\/+$/, '')}`;
