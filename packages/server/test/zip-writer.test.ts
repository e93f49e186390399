/**
 * The batch ZIP writer: what it writes is read back by an independent reader (fflate's unzip)
 * with the right names, bytes and checksums, and a ZIP of more than 65,535 files carries the
 * ZIP64 end records with the true count.
 */
import { crc32, deflateRawSync } from 'node:zlib';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { ZipWriter, type ZipEntry } from '../src/modules/generate/batch/zip-writer.js';

const stored = (name: string, text: string): ZipEntry => {
  const data = Buffer.from(text);
  return { name, data, method: 0, crc32: crc32(data), size: data.length };
};
const deflated = (name: string, text: string): ZipEntry => {
  const raw = Buffer.from(text);
  return { name, data: deflateRawSync(raw), method: 8, crc32: crc32(raw), size: raw.length };
};

describe('ZipWriter', () => {
  it('writes stored and deflated files that read back exactly, UTF-8 names included', () => {
    const zip = new ZipWriter();
    const bytes = Buffer.concat([
      ...zip.add([stored('a.png', 'PNG bytes'), deflated('b.svg', '<svg>'.repeat(100))]),
      ...zip.add([stored('ünïcode-✓.txt', 'text')]),
      zip.finish(),
    ]);
    const files = unzipSync(bytes);
    expect(Object.keys(files)).toEqual(['a.png', 'b.svg', 'ünïcode-✓.txt']);
    expect(Buffer.from(files['b.svg']).toString()).toBe('<svg>'.repeat(100));
    expect(Buffer.from(files['a.png']).toString()).toBe('PNG bytes');
    expect(bytes.includes(Buffer.from([0x50, 0x4b, 0x06, 0x06]))).toBe(false); // no ZIP64 needed
  });

  it('writes ZIP64 end records beyond 65,535 files', () => {
    const zip = new ZipWriter();
    const count = 70_000;
    const parts: Uint8Array[] = [];
    for (let i = 0; i < count; i += 1000)
      parts.push(
        ...zip.add(Array.from({ length: 1000 }, (_, j) => stored(`f${i + j}.txt`, String(i + j)))),
      );
    parts.push(zip.finish());
    const bytes = Buffer.concat(parts);
    const at = bytes.lastIndexOf(Buffer.from([0x50, 0x4b, 0x06, 0x06]));
    expect(at).toBeGreaterThan(0);
    expect(Number(bytes.readBigUInt64LE(at + 32))).toBe(count); // total entries
    const end = bytes.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    expect(bytes.readUInt16LE(end + 10)).toBe(0xffff); // "see the ZIP64 record"
    const files = unzipSync(bytes);
    expect(Object.keys(files)).toHaveLength(count);
    expect(Buffer.from(files['f69999.txt']).toString()).toBe('69999');
  });
});
