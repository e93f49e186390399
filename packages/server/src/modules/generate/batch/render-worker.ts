/**
 * Worker thread of the batch pool: renders a chunk of rows and returns the files packed in one
 * buffer.
 */
import { crc32, deflateRawSync } from 'node:zlib';
import type { PdfLayout } from '../render.js';
import { renderCode } from '../render.js';
import type { CodeFormat, CodeStyle } from '../schemas.js';

export interface RenderTask {
  texts: string[];
  format: CodeFormat;
  style: CodeStyle;
  pdf?: PdfLayout;
}

/** Text formats shrink well; PNG and PDF are compressed already and are stored as they are. */
const DEFLATED = new Set(['svg', 'txt']);

/**
 * Files back to back in `buffer`, ready for the ZIP: file i ends at `ends[i]`, stored with
 * `method` (0 stored, 8 deflated), with its CRC-32 and uncompressed size. A failed row has an
 * error instead.
 */
export interface RenderedChunk {
  buffer: ArrayBuffer;
  ends: number[];
  errors: (string | null)[];
  crcs: number[];
  sizes: number[];
  method: 0 | 8;
}

export default async function renderChunk(task: RenderTask): Promise<RenderedChunk> {
  const files: Uint8Array[] = [];
  const errors: (string | null)[] = [];
  const crcs: number[] = [];
  const sizes: number[] = [];
  const method = DEFLATED.has(task.format) ? 8 : 0;
  for (const text of task.texts) {
    try {
      const bytes = (await renderCode(text, task.format, task.style, task.pdf)).bytes;
      crcs.push(crc32(bytes));
      sizes.push(bytes.length);
      files.push(method === 8 ? deflateRawSync(bytes) : bytes);
      errors.push(null);
    } catch (error) {
      files.push(new Uint8Array(0));
      crcs.push(0);
      sizes.push(0);
      errors.push(error instanceof Error ? error.message : String(error));
    }
  }
  const total = files.reduce((n, f) => n + f.length, 0);
  const packed = new Uint8Array(total);
  const ends: number[] = [];
  let offset = 0;
  for (const file of files) {
    packed.set(file, offset);
    offset += file.length;
    ends.push(offset);
  }
  // One buffer per chunk: structured cloning copies it once (~1 ms per 250 PNGs), cheaper than
  // a message per file.
  return { buffer: packed.buffer, ends, errors, crcs, sizes, method };
}

/** The files of a chunk, in order; `null` where the row failed (see errors). */
export function unpack(chunk: RenderedChunk): (Uint8Array | null)[] {
  const bytes = new Uint8Array(chunk.buffer);
  return chunk.ends.map((end, i) =>
    chunk.errors[i] === null ? bytes.subarray(i === 0 ? 0 : chunk.ends[i - 1], end) : null,
  );
}
