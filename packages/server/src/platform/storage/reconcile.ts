/**
 * `qrforge storage reconcile`: makes the primary and the backup hold the same objects. Every key
 * on either side is compared by its recorded SHA-256; a key missing on one side is copied from
 * the other, a key that differs is copied from the primary. With `deep`, both copies are read in
 * full and checked against their recorded SHA-256 first, and a corrupt copy is replaced by the
 * good one (from the backup too, when the primary's is the corrupt one).
 *
 * Keys with a pending delete in the outbox are deletes in progress, not objects to restore.
 */
import { finished } from 'node:stream/promises';
import { copyObject } from './copy.js';
import type { ReplicatedStore } from './replicated.js';
import { IntegrityError, type ObjectStore } from './storage.js';

export interface ReconcileReport {
  checked: number;
  copiedToBackup: number;
  copiedToPrimary: number;
  corrupt: number;
  failed: { key: string; error: string }[];
}

export async function reconcile(
  store: ReplicatedStore,
  options: { deep?: boolean } = {},
): Promise<ReconcileReport> {
  const { primary, backup, outbox } = store;
  await outbox.expedite();
  await store.drain();
  const deleting = await outbox.pendingDeletes();
  const keys = new Set<string>();
  for await (const key of primary.list()) keys.add(key);
  for await (const key of backup.list()) keys.add(key);
  const report: ReconcileReport = {
    checked: 0,
    copiedToBackup: 0,
    copiedToPrimary: 0,
    corrupt: 0,
    failed: [],
  };
  for (const key of [...keys].sort()) {
    if (deleting.has(key)) continue;
    report.checked++;
    try {
      const [onPrimary, onBackup] = await Promise.all([primary.head(key), backup.head(key)]);
      let primaryGood = !!onPrimary;
      let backupGood = !!onBackup;
      if (options.deep) {
        if (primaryGood && !(await intact(primary, key))) {
          primaryGood = false;
          report.corrupt++;
        }
        if (backupGood && !(await intact(backup, key))) {
          backupGood = false;
          report.corrupt++;
        }
      }
      const same = primaryGood && backupGood && onPrimary!.sha256 === onBackup!.sha256;
      if (same) continue;
      if (primaryGood) {
        await copyObject(primary, backup, key);
        report.copiedToBackup++;
      } else if (backupGood) {
        await copyObject(backup, primary, key);
        report.copiedToPrimary++;
      } else throw new Error('no intact copy on either store');
    } catch (error) {
      report.failed.push({ key, error: error instanceof Error ? error.message : String(error) });
    }
  }
  return report;
}

/** Reads the whole object; false when its bytes do not match the recorded SHA-256. */
async function intact(store: ObjectStore, key: string): Promise<boolean> {
  const object = await store.get(key);
  if (!object) return false;
  object.body.resume();
  try {
    await finished(object.body);
    return true;
  } catch (error) {
    if (error instanceof IntegrityError) return false;
    throw error;
  }
}
