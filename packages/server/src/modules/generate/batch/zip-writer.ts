/**
 * A streaming ZIP writer (APPNOTE 6.3.10) for batch outputs, with ZIP64 records when a batch has
 * more than 65,535 files or passes 4 GiB.
 *
 * Why by hand: fflate's Zip (used first) writes no ZIP64 records, so a 100,000-file batch carried
 * a wrapped entry count (34,464) that strict readers reject; and the libraries that do write
 * ZIP64 (archiver, yazl) compute CRC-32 on the main thread, which competes with the render
 * threads on a 2-core machine. Here the render threads compress and checksum each file
 * (zlib.crc32), and this writer only frames them: headers per chunk, one write per chunk.
 */

export interface ZipEntry {
  name: string;
  /** Bytes as stored: the file itself (method 0) or raw deflate (method 8). */
  data: Uint8Array;
  method: 0 | 8;
  crc32: number;
  /** Uncompressed size. */
  size: number;
}

interface Written {
  name: Buffer;
  method: number;
  crc32: number;
  compressed: number;
  size: number;
  offset: number;
}

const UTF8_NAMES = 0x0800;
const MAX16 = 0xffff;
const MAX32 = 0xffffffff;

export class ZipWriter {
  private readonly entries: Written[] = [];
  private offset = 0;
  private readonly time: number;
  private readonly date: number;

  constructor(now = new Date()) {
    // MS-DOS date and time, local fields as most unzip tools show them.
    this.time = (now.getHours() << 11) | (now.getMinutes() << 5) | (now.getSeconds() >> 1);
    this.date = ((now.getFullYear() - 1980) << 9) | ((now.getMonth() + 1) << 5) | now.getDate();
  }

  /**
   * Local headers and data of these files, to write in order. The data are the callers' own
   * bytes, not copies: the headers of a call share one buffer, and nothing else is allocated (a
   * copy per chunk left ~10 MB of garbage per 10,000 PNGs in the main thread, raising the export's
   * peak memory, docs/security.md).
   */
  add(files: ZipEntry[]): Uint8Array[] {
    const names = files.map((file) => Buffer.from(file.name, 'utf8'));
    const headers = Buffer.allocUnsafe(names.reduce((n, name) => n + 30 + name.length, 0));
    const parts: Uint8Array[] = [];
    let at = 0;
    files.forEach((file, i) => {
      const name = names[i];
      const header = headers.subarray(at, at + 30 + name.length);
      at += header.length;
      header.writeUInt32LE(0x04034b50, 0);
      header.writeUInt16LE(20, 4); // version needed: sizes fit 32 bits (files are small)
      header.writeUInt16LE(UTF8_NAMES, 6);
      header.writeUInt16LE(file.method, 8);
      header.writeUInt16LE(this.time, 10);
      header.writeUInt16LE(this.date, 12);
      header.writeUInt32LE(file.crc32 >>> 0, 14);
      header.writeUInt32LE(file.data.length, 18);
      header.writeUInt32LE(file.size, 22);
      header.writeUInt16LE(name.length, 26);
      header.writeUInt16LE(0, 28);
      name.copy(header, 30);
      this.entries.push({
        name,
        method: file.method,
        crc32: file.crc32 >>> 0,
        compressed: file.data.length,
        size: file.size,
        offset: this.offset,
      });
      parts.push(header, file.data);
      this.offset += header.length + file.data.length;
    });
    return parts;
  }

  /** The central directory and end records; the ZIP is complete after these bytes. */
  finish(): Buffer {
    const parts: Buffer[] = [];
    const start = this.offset;
    for (const e of this.entries) {
      const zip64 = e.offset > MAX32;
      const extra = zip64 ? Buffer.alloc(12) : Buffer.alloc(0);
      if (zip64) {
        extra.writeUInt16LE(0x0001, 0); // ZIP64 extended information
        extra.writeUInt16LE(8, 2);
        extra.writeBigUInt64LE(BigInt(e.offset), 4);
      }
      const header = Buffer.alloc(46);
      header.writeUInt32LE(0x02014b50, 0);
      header.writeUInt16LE(45, 4); // made by: 4.5 (ZIP64-aware), MS-DOS attributes
      header.writeUInt16LE(zip64 ? 45 : 20, 6);
      header.writeUInt16LE(UTF8_NAMES, 8);
      header.writeUInt16LE(e.method, 10);
      header.writeUInt16LE(this.time, 12);
      header.writeUInt16LE(this.date, 14);
      header.writeUInt32LE(e.crc32, 16);
      header.writeUInt32LE(e.compressed, 20);
      header.writeUInt32LE(e.size, 24);
      header.writeUInt16LE(e.name.length, 28);
      header.writeUInt16LE(extra.length, 30);
      // comment length, disk number, internal and external attributes: 0
      header.writeUInt32LE(zip64 ? MAX32 : e.offset, 42);
      parts.push(header, e.name, extra);
    }
    const directorySize = parts.reduce((n, p) => n + p.length, 0);
    const count = this.entries.length;
    const needs64 = count > MAX16 || start > MAX32 || directorySize > MAX32;
    if (needs64) {
      const record = Buffer.alloc(56);
      record.writeUInt32LE(0x06064b50, 0);
      record.writeBigUInt64LE(44n, 4);
      record.writeUInt16LE(45, 12);
      record.writeUInt16LE(45, 14);
      record.writeBigUInt64LE(BigInt(count), 24);
      record.writeBigUInt64LE(BigInt(count), 32);
      record.writeBigUInt64LE(BigInt(directorySize), 40);
      record.writeBigUInt64LE(BigInt(start), 48);
      const locator = Buffer.alloc(20);
      locator.writeUInt32LE(0x07064b50, 0);
      locator.writeBigUInt64LE(BigInt(start + directorySize), 8);
      locator.writeUInt32LE(1, 16);
      parts.push(record, locator);
    }
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(Math.min(count, MAX16), 8);
    end.writeUInt16LE(Math.min(count, MAX16), 10);
    end.writeUInt32LE(Math.min(directorySize, MAX32), 12);
    end.writeUInt32LE(Math.min(start, MAX32), 16);
    parts.push(end);
    return Buffer.concat(parts);
  }
}
