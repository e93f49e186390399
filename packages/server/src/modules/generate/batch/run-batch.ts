/**
 * The batch job: reads the stored input, renders the rows on the worker-thread pool in order,
 * streams the ZIP and the label sheet into storage as they grow, writes the report CSV, and
 * records the outcome. Memory stays flat: only a few chunks are in flight, and the streams wait
 * for storage (backpressure) before more rows are rendered.
 */
import { PassThrough, type Readable } from 'node:stream';
import { and, eq } from 'drizzle-orm';
import { PermanentJobError } from '../../../platform/queue/job-store.js';
import type { JobContext } from '../../../platform/queue/queue.js';
import type { ObjectInfo, ObjectStore } from '../../../platform/storage/storage.js';
import type { AuditContext } from '../../../platform/audit/audit.js';
import type { ModuleContext } from '../../registry.js';
import { batchDynamicCodes, shortUrl } from '../../links/short-urls.js';
import type { PdfLayout } from '../render.js';
import type { CodeFormat, CodeStyle } from '../schemas.js';
import { batches } from '../schema.js';
import { parseInput, type BatchRow, type ColumnMapping, type InputKind } from './input.js';
import { labelSheet, type SheetLayout } from './label-sheet.js';
import { fileName, UniqueNames } from './names.js';
import { renderPool } from './pool.js';
import { unpack, type RenderedChunk } from './render-worker.js';
import { ZipWriter, type ZipEntry } from './zip-writer.js';

export interface BatchOptions {
  kind: InputKind;
  columns: ColumnMapping & { header?: boolean };
  /** Image formats in the ZIP; empty for a sheet only. */
  formats: CodeFormat[];
  style: CodeStyle;
  pdf?: PdfLayout;
  /** File-name template, e.g. `qr-{row:5}` or `{name}`. */
  names: string;
  sheet?: SheetLayout;
  /** Refuse the whole batch when any row fails. */
  allOrNothing: boolean;
  /** Each row's data becomes the target of a dynamic code whose short URL (on `base`) is drawn. */
  dynamic?: { base: string };
}

export interface BatchOutcome {
  ok: number;
  errors: number;
  outputs: Record<string, ObjectInfo>;
}

const CHUNK = 250;

export async function runBatch(
  context: ModuleContext,
  batchId: string,
  job: JobContext,
): Promise<BatchOutcome> {
  const db = context.database.db;
  const [batch] = await db
    .select()
    .from(batches)
    .where(and(eq(batches.id, batchId), eq(batches.tenantId, job.tenantId!)));
  if (!batch) throw new Error(`Batch ${batchId} is not recorded yet`);
  const options = batch.options as BatchOptions;
  const input = await context.storage.get(batch.inputKey);
  if (!input) throw new PermanentJobError(`The input of batch ${batchId} is missing from storage`);
  const rows = parseInput(await text(input.body), options.kind, options.columns, {
    maxRows: context.config.batchMaxRows,
    maxFieldLength: context.config.batchMaxFieldLength,
  });

  const prefix = `${batch.tenantId}/batches/${batchId}`;
  const failures = new Map<number, string>(
    rows.filter((r) => r.error).map((r) => [r.row, r.error!]),
  );
  const outputs: Record<string, ObjectInfo> = {};
  const uploads: Promise<void>[] = [];
  const upload = (kind: string, file: string, stream: Readable, type: string) =>
    uploads.push(
      context.storage.putStream(`${prefix}/${file}`, stream, type).then((info) => {
        outputs[kind] = info;
      }),
    );

  const zip = options.formats.length ? zipStream() : undefined;
  if (zip) upload('zip', 'codes.zip', zip.stream, 'application/zip');
  const sheet =
    options.sheet && (await labelSheet(options.sheet, options.style, `Batch ${batchId}`));
  if (sheet) upload('sheet', 'labels.pdf', sheet.stream, 'application/pdf');

  let good = rows.filter((r) => !r.error);
  const shortUrls = new Map<number, string>();
  if (options.dynamic) {
    good = await dynamicRows(context, batch, good, options.dynamic.base, failures, shortUrls);
    await job.progress(1);
  }
  const names = new UniqueNames();
  const fileNames = good.map((row) => names.take(fileName(options.names, row)));
  const pool = renderPool();
  const inFlight = Math.max(2, pool.options.maxThreads * 2);
  let done = 0;
  let lastProgress = 0;
  let pending: Promise<RenderedChunk>[] = [];
  try {
    for (const format of options.formats) {
      // Chunks are submitted ahead (up to inFlight) and consumed in order.
      pending = [];
      const submit = (start: number) =>
        pool.run({
          texts: good.slice(start, start + CHUNK).map((r) => r.data),
          format,
          style: options.style,
          pdf: options.pdf,
        });
      let next = 0;
      for (; next < good.length && pending.length < inFlight; next += CHUNK)
        pending.push(submit(next));
      for (let start = 0; start < good.length; start += CHUNK) {
        if (job.signal.aborted) throw new Error('cancelled');
        const chunk = await pending.shift()!;
        const results = unpack(chunk);
        if (next < good.length) {
          pending.push(submit(next));
          next += CHUNK;
        }
        const entries: ZipEntry[] = [];
        for (let i = 0; i < results.length; i++) {
          const row = good[start + i];
          const bytes = results[i];
          if (!bytes) {
            failures.set(row.row, chunk.errors[i]!);
            continue;
          }
          entries.push({
            name: `${fileNames[start + i]}.${format}`,
            data: bytes,
            method: chunk.method,
            crc32: chunk.crcs[i],
            size: chunk.sizes[i],
          });
        }
        await zip!.write(entries);
        done += results.length;
        lastProgress = await report(job, done, good.length * options.formats.length, lastProgress);
      }
    }
    if (sheet) {
      for (const row of good) if (!failures.has(row.row)) sheet.add(row.data, row.label);
      sheet.end();
    }
    zip?.end();
    await Promise.all(uploads);
  } catch (error) {
    for (const p of pending) p.catch(() => undefined); // chunks still rendering
    zip?.abort(error as Error);
    sheet?.stream.destroy(error as Error);
    // A failed upload is the cause worth reporting, not the stream it stopped.
    const failed = (await Promise.allSettled(uploads)).find((r) => r.status === 'rejected');
    throw failed ? failed.reason : error;
  }

  outputs.report = await context.storage.put(
    `${prefix}/report.csv`,
    new TextEncoder().encode(reportCsv(rows, failures, options.dynamic && shortUrls)),
    'text/csv; charset=utf-8',
  );
  const errors = failures.size;
  if (errors > 0 && options.allOrNothing) {
    await removeOutputs(context.storage, outputs);
    await finish(context, batchId, { ok: 0, errors, outputs: { report: outputs.report } });
    throw new PermanentJobError(
      `${errors} of ${rows.length} rows failed, so nothing was produced (allOrNothing); see the report`,
    );
  }
  const outcome = { ok: rows.length - errors, errors, outputs };
  await finish(context, batchId, outcome);
  return outcome;
}

async function finish(context: ModuleContext, batchId: string, outcome: BatchOutcome) {
  await context.database.db
    .update(batches)
    .set({
      okCount: outcome.ok,
      errorCount: outcome.errors,
      outputs: outcome.outputs,
      finishedAt: new Date(),
    })
    .where(eq(batches.id, batchId));
}

async function removeOutputs(store: ObjectStore, outputs: Record<string, ObjectInfo>) {
  for (const [kind, info] of Object.entries(outputs))
    if (kind !== 'report') await store.delete(info.key);
}

async function report(job: JobContext, done: number, total: number, last: number) {
  const percent = Math.floor((done / Math.max(1, total)) * 99);
  if (percent > last) await job.progress(percent);
  return Math.max(percent, last);
}

/**
 * The rows of a dynamic batch, their data replaced by the short URLs of their dynamic codes (made
 * in chunks, found again on a rerun); rows whose data is no usable target join the failures.
 */
async function dynamicRows(
  context: ModuleContext,
  batch: typeof batches.$inferSelect,
  rows: BatchRow[],
  base: string,
  failures: Map<number, string>,
  shortUrls: Map<number, string>,
): Promise<BatchRow[]> {
  const audit: AuditContext = {
    actorType: batch.createdByApiKey ? 'api-key' : batch.createdByUser ? 'user' : 'system',
    actorId: batch.createdByApiKey ?? batch.createdByUser,
    tenantId: batch.tenantId,
    requestId: null,
    ip: null,
  };
  const out: BatchRow[] = [];
  for (let start = 0; start < rows.length; start += 1000) {
    const chunk = rows.slice(start, start + 1000);
    const made = await batchDynamicCodes(
      context.database.db,
      batch,
      chunk.map((r) => ({ row: r.row, target: r.data, name: r.name })),
      audit,
      base,
    );
    for (const row of chunk) {
      const result = made.get(row.row);
      if (!result || 'error' in result) {
        failures.set(row.row, result?.error ?? 'the dynamic code was not made');
        continue;
      }
      const url = shortUrl(base, result.slug);
      shortUrls.set(row.row, url);
      out.push({ ...row, data: url });
    }
  }
  return out;
}

/** row,status,error — formula-looking cells are quoted so spreadsheets do not run them. */
function reportCsv(
  rows: BatchRow[],
  failures: Map<number, string>,
  shortUrls?: Map<number, string>,
): string {
  const cell = (value: string) => {
    const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
    return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
  };
  const lines = [shortUrls ? 'row,status,data,short_url,error' : 'row,status,data,error'];
  for (const row of rows) {
    const error = failures.get(row.row);
    lines.push(
      [
        String(row.row),
        error ? 'error' : 'ok',
        cell(row.data.slice(0, 200)),
        ...(shortUrls ? [error ? '' : (shortUrls.get(row.row) ?? '')] : []),
        cell(error ?? ''),
      ].join(','),
    );
  }
  return lines.join('\n') + '\n';
}

async function text(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** A ZIP written as a stream, one write per rendered chunk, waiting while the reader is behind. */
function zipStream() {
  const stream = new PassThrough({ highWaterMark: 1 << 20 });
  const zip = new ZipWriter();
  return {
    stream,
    async write(entries: ZipEntry[]) {
      if (stream.destroyed) throw new Error('the ZIP upload stopped');
      // Corked: the many small parts of a chunk reach storage as one write (writev).
      stream.cork();
      let room = true;
      for (const part of zip.add(entries)) room = stream.write(part);
      stream.uncork();
      if (room) return;
      await new Promise<void>((resolve) => {
        const go = () => {
          stream.off('drain', go).off('close', go);
          resolve();
        };
        stream.once('drain', go).once('close', go);
      });
    },
    end: () => stream.end(zip.finish()),
    abort: (error: Error) => stream.destroy(error),
  };
}
