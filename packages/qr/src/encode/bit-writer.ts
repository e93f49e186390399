/** Appends big-endian bit fields to a growable byte buffer (clause 7.4: data bit stream). */
export class BitWriter {
  bytes: Uint8Array;
  length = 0;

  constructor(capacityBytes = 64) {
    this.bytes = new Uint8Array(capacityBytes);
  }

  /** Appends the low `count` bits of `value`, most significant first (count <= 31). */
  write(value: number, count: number): void {
    const needed = (this.length + count + 7) >> 3;
    if (needed > this.bytes.length) this.grow(needed);
    for (let i = count - 1; i >= 0; i--) {
      if ((value >>> i) & 1) this.bytes[this.length >> 3] |= 0x80 >>> (this.length & 7);
      this.length++;
    }
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
