/**
 * Public item pages: what a customer sees when scanning a part's code — its type, manufacturing
 * date, warranty status, a recall notice when its lot is recalled, the maker's name and contact.
 * Only the fields the tenant chose, never its location, attributes, status or history. Signed
 * codes are checked: a URL whose signature does not match (or a UID never issued) is refused and
 * reported. Owners may register their warranty from the page.
 */
import { and, eq, gte, isNull, lte, or, sql } from 'drizzle-orm';
import { recordEvents } from '../../platform/events/events.js';
import type { Database } from '../../platform/db/database.js';
import { tenants } from '../../platform/db/schema.js';
import type { ItemSigner } from '../inventory/item-signature.js';
import { componentTypes, idSchemas, itemEvents, items } from '../inventory/schema.js';
import { PUBLIC_FIELDS, publicPages, recalls, warrantyRegistrations } from './schema.js';

export type PublicField = (typeof PUBLIC_FIELDS)[number];
export const DEFAULT_FIELDS: PublicField[] = ['type', 'manufacturingDate', 'warranty'];

export interface PublicPageSettings {
  fields: PublicField[];
  brandName: string | null;
  contactEmail: string | null;
  contactUrl: string | null;
  warrantyRegistration: boolean;
}

export type ItemLookup =
  { kind: 'uid'; uid: string } | { kind: 'gs1'; gtin: string; lot: string; serial: number };

export type PageResult =
  | { result: 'not-found' }
  | { result: 'forged'; uid: string | null }
  | {
      result: 'shown';
      page: PublicItemPage;
    };

export interface PublicItemPage {
  tenantId: string;
  itemId: string;
  uid: string;
  lot: string;
  maker: string;
  settings: PublicPageSettings;
  fields: { label: string; value: string }[];
  warranty: { expires: string | null; valid: boolean };
  recall: { message: string; since: string } | null;
  registeredAt: string | null;
}

export class PublicItems {
  constructor(
    private readonly db: Database,
    private readonly signer: ItemSigner,
  ) {}

  async settings(tenantId: string): Promise<PublicPageSettings> {
    const [row] = await this.db
      .select()
      .from(publicPages)
      .where(eq(publicPages.tenantId, tenantId));
    return row
      ? {
          fields: row.fields as PublicField[],
          brandName: row.brandName,
          contactEmail: row.contactEmail,
          contactUrl: row.contactUrl,
          warrantyRegistration: row.warrantyRegistration,
        }
      : {
          fields: DEFAULT_FIELDS,
          brandName: null,
          contactEmail: null,
          contactUrl: null,
          warrantyRegistration: true,
        };
  }

  async saveSettings(tenantId: string, settings: PublicPageSettings) {
    const values = { ...settings, updatedAt: new Date() };
    await this.db
      .insert(publicPages)
      .values({ tenantId, ...values })
      .onConflictDoUpdate({ target: publicPages.tenantId, set: values });
  }

  /** The page for a scanned item URL, or why there is none; a forged code is reported. */
  async page(tenantId: string, lookup: ItemLookup, signature: string | undefined, now: Date) {
    const [schema] = await this.db
      .select({ signed: idSchemas.codeSigned })
      .from(idSchemas)
      .where(eq(idSchemas.tenantId, tenantId));
    const signed = schema?.signed ?? false;
    const item = await this.find(tenantId, lookup);
    const uid = item?.uid ?? (lookup.kind === 'uid' ? lookup.uid : null);
    if (signed && (!item || !signature || !this.signer.verify(tenantId, item.uid, signature))) {
      await recordEvents(this.db, tenantId, [
        {
          type: 'item.code.forged',
          subject: uid ?? undefined,
          data: { uid, lookup, known: !!item, signature: signature ?? null },
        },
      ]);
      return { result: 'forged', uid } satisfies PageResult;
    }
    if (!item) return { result: 'not-found' } satisfies PageResult;
    const settings = await this.settings(tenantId);
    const [tenant] = await this.db
      .select({ name: tenants.name })
      .from(tenants)
      .where(eq(tenants.id, tenantId));
    const [recall] = await this.db
      .select({ message: recalls.message, since: recalls.createdAt })
      .from(recalls)
      .where(
        and(
          eq(recalls.tenantId, tenantId),
          eq(recalls.lot, item.lotNumber),
          isNull(recalls.closedAt),
          or(isNull(recalls.typeCode), eq(recalls.typeCode, item.typeCode)),
          or(isNull(recalls.serialFrom), lte(recalls.serialFrom, item.serial)),
          or(isNull(recalls.serialTo), gte(recalls.serialTo, item.serial)),
        ),
      )
      .limit(1);
    const [registration] = await this.db
      .select({ at: warrantyRegistrations.registeredAt })
      .from(warrantyRegistrations)
      .where(eq(warrantyRegistrations.itemId, item.id));
    const today = now.toISOString().slice(0, 10);
    const warranty = {
      expires: item.warrantyExpires,
      valid: !!item.warrantyExpires && item.warrantyExpires >= today,
    };
    const shown: Record<PublicField, { label: string; value: string }> = {
      type: {
        label: 'Part',
        value: item.typeName ? `${item.typeName} (${item.typeCode})` : item.typeCode,
      },
      manufacturingDate: { label: 'Made on', value: item.manufacturingDate },
      warranty: {
        label: 'Warranty',
        value: !warranty.expires
          ? 'No warranty'
          : warranty.valid
            ? `Under warranty until ${warranty.expires}`
            : `Warranty ended on ${warranty.expires}`,
      },
      lot: { label: 'Lot', value: item.lotNumber },
      serial: { label: 'Serial', value: String(item.serial) },
    };
    return {
      result: 'shown',
      page: {
        tenantId,
        itemId: item.id,
        uid: item.uid,
        lot: item.lotNumber,
        maker: settings.brandName ?? tenant?.name ?? '',
        settings,
        fields: settings.fields.map((f) => shown[f]),
        warranty,
        recall: recall ? { message: recall.message, since: recall.since.toISOString() } : null,
        registeredAt: registration?.at.toISOString() ?? null,
      },
    } satisfies PageResult;
  }

  /**
   * Registers the owner's warranty, once per item, into the item's timeline; false when it was
   * registered before.
   */
  async registerWarranty(
    page: PublicItemPage,
    owner: { email: string; purchaseDate: string },
  ): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const [row] = await tx
        .insert(warrantyRegistrations)
        .values({ tenantId: page.tenantId, itemId: page.itemId, ...owner })
        .onConflictDoNothing()
        .returning({ id: warrantyRegistrations.id });
      if (!row) return false;
      await tx.insert(itemEvents).values({
        tenantId: page.tenantId,
        itemId: page.itemId,
        kind: 'warranty.registered',
        actorType: 'public',
        details: { email: owner.email, purchaseDate: owner.purchaseDate },
      });
      await recordEvents(tx, page.tenantId, [
        {
          type: 'item.warranty.registered',
          subject: page.uid,
          data: { uid: page.uid, purchaseDate: owner.purchaseDate },
        },
      ]);
      return true;
    });
  }

  private async find(tenantId: string, lookup: ItemLookup) {
    const columns = {
      id: items.id,
      uid: items.uid,
      typeCode: items.typeCode,
      typeName: componentTypes.name,
      lotNumber: items.lotNumber,
      serial: items.serial,
      manufacturingDate: items.manufacturingDate,
      warrantyExpires: items.warrantyExpires,
    };
    const query = this.db
      .select(columns)
      .from(items)
      .leftJoin(
        componentTypes,
        and(eq(componentTypes.tenantId, items.tenantId), eq(componentTypes.code, items.typeCode)),
      );
    const [item] =
      lookup.kind === 'uid'
        ? await query.where(and(eq(items.tenantId, tenantId), eq(items.uid, lookup.uid)))
        : await query.where(
            and(
              eq(items.tenantId, tenantId),
              eq(items.lotNumber, lookup.lot),
              eq(items.serial, lookup.serial),
              // The GTIN is stored as given (8-14 digits); the link carries it as 14.
              sql`lpad(${componentTypes.gtin}, 14, '0') = ${lookup.gtin}`,
            ),
          );
    return item;
  }
}
