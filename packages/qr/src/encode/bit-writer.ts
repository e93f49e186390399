/** Appends big-endian bit fields to a growable byte buffer (clause 7.4: data bit stream). */
export class BitWriter {
  bytes: Uint8Array;
  length = 0;

  constructor(capacityBytes = 64) {
    this.bytes = new Uint8Array(capacityBytes);
  }

  /** Appends the low `count` bits of `value`, most significant first (count <= 24). */
  write(value: number, count: number): void {
    if (count === 0) return;
    const needed = ((this.length + count + 7) >> 3) + 1;
    if (needed > this.bytes.length) this.grow(needed);
    // Place the field in a 32-bit window starting at the current byte, then OR in its bytes.
    const offset = this.length & 7;
    let index = this.length >> 3;
    const window = ((value & ((1 << count) - 1)) << (32 - count)) >>> offset;
    const end = offset + count;
    this.bytes[index] |= window >>> 24;
    for (let shift = 16, filled = 8; filled < end; shift -= 8, filled += 8) {
      this.bytes[++index] |= (window >>> shift) & 0xff;
    }
    this.length += count;
  }

  /** Appends whole bytes; byte-aligned writes (the common case in byte mode) skip the bit loop. */
  writeBytes(data: Uint8Array): void {
    if ((this.length & 7) !== 0) {
      for (const byte of data) this.write(byte, 8);
      return;
    }
    const needed = (this.length >> 3) + data.length;
    if (needed > this.bytes.length) this.grow(needed);
    this.bytes.set(data, this.length >> 3);
    this.length += data.length * 8;
  }

  private grow(minBytes: number): void {
    const next = new Uint8Array(Math.max(minBytes, this.bytes.length * 2));
    next.set(this.bytes);
    this.bytes = next;
  }
}
