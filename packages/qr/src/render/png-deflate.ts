/**
 * The zlib stream (RFC 1950 around RFC 1951 deflate) of a QR code's PNG scanlines, written without
 * zlib. Why: a QR image is n distinct pixel rows, each repeated `scale` times. Handing zlib the
 * whole image costs ~20 us of stream set-up plus a scan of every byte (9 KB for a UID at scale 8);
 * here each module row is seen once, the repeats become LZ77 matches, and their Adler-32 is
 * computed in O(1). Measured: a UID PNG at scale 8 in ~25 us instead of ~80 us, at about the same
 * size as zlib level 6 (bench/qr.bench.js, "png").
 *
 * Scanlines (PNG filter byte + packed pixels) come in as the `rows.length / stride` distinct rows;
 * row r stands for pixel rows r*scale .. r*scale+scale-1: the first with filter None (the row
 * itself), the others with filter Up and all-zero bytes.
 */

// RFC 1951 3.2.5: length codes 257-285 and distance codes 0-29, base values and extra bits.
// prettier-ignore
const LENGTH_BASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
// prettier-ignore
const LENGTH_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
// prettier-ignore
const DIST_BASE = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577];
// prettier-ignore
const DIST_EXTRA = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
/** RFC 1951 3.2.7: order in which code length code lengths are sent. */
const CL_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

/** Length code index (0-28) for each match length 3-258. */
const LENGTH_INDEX = new Uint8Array(259);
for (let i = 0; i < 29; i++) {
  const end = i === 28 ? 259 : LENGTH_BASE[i + 1];
  for (let len = LENGTH_BASE[i]; len < end; len++) LENGTH_INDEX[len] = i;
}
LENGTH_INDEX[258] = 28;

const MAX_DISTANCE = 32768;
const FILTER_UP = 2;

/**
 * LZ77 tokens: a literal byte 0-255, or a match as -length followed by its distance. One instance
 * is reused by every call (the work is synchronous), which spares the allocations per image.
 */
class Tokens {
  list: number[] = [];
  length = 0;
  readonly lit = new Uint32Array(286);
  readonly dist = new Uint32Array(30);

  reset(): void {
    this.length = 0;
    this.lit.fill(0);
    this.dist.fill(0);
  }

  literal(byte: number): void {
    this.list[this.length++] = byte;
    this.lit[byte]++;
  }

  /** A copy of `length` >= 3 bytes from `distance` back, split into matches of at most 258. */
  match(distance: number, length: number): void {
    let d = 0;
    while (DIST_BASE[d + 1] <= distance && d < 29) d++;
    while (length > 0) {
      const chunk = length <= 258 ? length : length - 258 < 3 ? length - 3 : 258;
      this.list[this.length++] = -chunk;
      this.list[this.length++] = distance;
      this.lit[257 + LENGTH_INDEX[chunk]]++;
      this.dist[d]++;
      length -= chunk;
    }
  }
}

const tokens = new Tokens();
/** Output buffer reused across calls; every byte is assigned before it is read. */
let sinkBuffer: Uint8Array = new Uint8Array(1 << 16);

export function zlibScanlines(
  rows: Uint8Array,
  stride: number,
  scale: number,
  /** Use the fixed Huffman codes even when a dynamic code can be built (for tests). */
  fixedCodes = false,
): Uint8Array {
  const count = rows.length / stride;
  const rowBytes = stride - 1;
  tokens.reset();
  const groupBytes = stride * scale;
  let a = 1;
  let b = 0;
  for (let r = 0; r < count; r++) {
    const start = r * stride;
    // The row itself: a copy of the previous distinct row when equal, else literals with runs.
    if (r > 0 && groupBytes <= MAX_DISTANCE && equalRows(rows, start - stride, start, stride)) {
      tokens.match(groupBytes, stride);
    } else {
      for (let i = start, end = start + stride; i < end;) {
        const v = rows[i];
        let run = 1;
        while (i + run < end && rows[i + run] === v) run++;
        tokens.literal(v);
        if (run >= 4) tokens.match(1, run - 1);
        else for (let k = 1; k < run; k++) tokens.literal(v);
        i += run;
      }
    }
    for (let i = start, end = start + stride; i < end; i++) {
      a += rows[i];
      b += a;
    }
    if (scale > 1) {
      // First repeat: filter Up, then zeros; later repeats copy it from one scanline back.
      tokens.literal(FILTER_UP);
      if (rowBytes >= 4) {
        tokens.literal(0);
        tokens.match(1, rowBytes - 1);
      } else {
        for (let k = 0; k < rowBytes; k++) tokens.literal(0);
      }
      if (scale > 2) tokens.match(stride, (scale - 2) * stride);
      // Adler-32 of the repeats: each adds the filter byte to `a`, then `a` once per byte to `b`.
      for (let k = 1; k < scale; k++) {
        a += FILTER_UP;
        b += a * stride;
        a %= 65521;
        b %= 65521;
      }
    }
    a %= 65521;
    b %= 65521;
  }
  tokens.lit[256]++; // end of block
  const out = new BitSink(sinkBuffer, tokens.length * 5 + 1024);
  out.bytes[0] = 0x78; // zlib: deflate, 32 KiB window
  out.bytes[1] = 0x01; // no dictionary, fastest; (0x7801 % 31 === 0)
  out.pos = 2;
  writeBlock(out, tokens, fixedCodes);
  out.flush();
  const adler = ((b << 16) | a) >>> 0;
  out.bytes[out.pos++] = adler >>> 24;
  out.bytes[out.pos++] = (adler >>> 16) & 0xff;
  out.bytes[out.pos++] = (adler >>> 8) & 0xff;
  out.bytes[out.pos++] = adler & 0xff;
  // Keep the (possibly grown) buffer for the next call; hand out a copy.
  sinkBuffer = out.bytes;
  return out.bytes.slice(0, out.pos);
}

function equalRows(rows: Uint8Array, p: number, q: number, length: number): boolean {
  for (let i = 0; i < length; i++) if (rows[p + i] !== rows[q + i]) return false;
  return true;
}

/** Writes bits least significant first, as deflate packs them. */
class BitSink {
  bytes: Uint8Array;
  pos = 0;
  private acc = 0;
  private count = 0;

  /** Writes into `buffer`, or a new one when it is smaller than `capacity`. */
  constructor(buffer: Uint8Array, capacity: number) {
    this.bytes = buffer.length >= capacity ? buffer : new Uint8Array(capacity);
  }

  write(value: number, bits: number): void {
    this.acc |= value << this.count;
    this.count += bits;
    while (this.count >= 8) {
      if (this.pos + 8 > this.bytes.length) this.grow();
      this.bytes[this.pos++] = this.acc & 0xff;
      this.acc >>>= 8;
      this.count -= 8;
    }
  }

  flush(): void {
    if (this.pos + 8 > this.bytes.length) this.grow();
    if (this.count > 0) this.bytes[this.pos++] = this.acc & 0xff;
    this.acc = 0;
    this.count = 0;
  }

  private grow(): void {
    const next = new Uint8Array(this.bytes.length * 2);
    next.set(this.bytes);
    this.bytes = next;
  }
}

/** One final block with a dynamic Huffman code (BTYPE 10), or fixed codes when that fails. */
function writeBlock(out: BitSink, tokens: Tokens, fixedCodes: boolean): void {
  // A distance code of a single symbol still needs a complete code: add a dummy second one.
  let used = 0;
  for (const f of tokens.dist) if (f > 0) used++;
  if (used < 2) tokens.dist[tokens.dist[0] > 0 ? 1 : 0]++;
  const litLengths = fixedCodes ? undefined : huffmanLengths(tokens.lit, 15);
  const distLengths = fixedCodes ? undefined : huffmanLengths(tokens.dist, 15);
  const header = litLengths && distLengths ? dynamicHeader(litLengths, distLengths) : undefined;
  if (!header || !litLengths || !distLengths) {
    out.write(1, 1); // BFINAL
    out.write(1, 2); // BTYPE 01: fixed Huffman codes
    writeTokens(
      out,
      tokens,
      canonicalCodes(FIXED_LIT),
      canonicalCodes(FIXED_DIST),
      FIXED_LIT,
      FIXED_DIST,
    );
    return;
  }
  out.write(1, 1);
  out.write(2, 2); // BTYPE 10: dynamic Huffman codes
  header(out);
  writeTokens(
    out,
    tokens,
    canonicalCodes(litLengths),
    canonicalCodes(distLengths),
    litLengths,
    distLengths,
  );
}

const FIXED_LIT = new Uint8Array(288)
  .fill(8, 0, 144)
  .fill(9, 144, 256)
  .fill(7, 256, 280)
  .fill(8, 280, 288);
const FIXED_DIST = new Uint8Array(30).fill(5);

function writeTokens(
  out: BitSink,
  tokens: Tokens,
  litCodes: Uint16Array,
  distCodes: Uint16Array,
  litLengths: Uint8Array,
  distLengths: Uint8Array,
): void {
  const list = tokens.list;
  for (let i = 0; i < tokens.length; i++) {
    const t = list[i];
    if (t >= 0) {
      out.write(litCodes[t], litLengths[t]);
      continue;
    }
    const length = -t;
    const li = LENGTH_INDEX[length];
    out.write(litCodes[257 + li], litLengths[257 + li]);
    if (LENGTH_EXTRA[li]) out.write(length - LENGTH_BASE[li], LENGTH_EXTRA[li]);
    const distance = list[++i];
    let d = 0;
    while (d < 29 && DIST_BASE[d + 1] <= distance) d++;
    out.write(distCodes[d], distLengths[d]);
    if (DIST_EXTRA[d]) out.write(distance - DIST_BASE[d], DIST_EXTRA[d]);
  }
  out.write(litCodes[256], litLengths[256]);
}

/**
 * RFC 1951 3.2.7: the dynamic block header — code lengths run-length coded with symbols 16-18,
 * themselves Huffman coded with at most 7 bits. Returns undefined when that limit is exceeded.
 */
function dynamicHeader(
  litLengths: Uint8Array,
  distLengths: Uint8Array,
): ((out: BitSink) => void) | undefined {
  let hlit = 286;
  while (hlit > 257 && litLengths[hlit - 1] === 0) hlit--;
  let hdist = 30;
  while (hdist > 1 && distLengths[hdist - 1] === 0) hdist--;
  const lengths = new Uint8Array(hlit + hdist);
  lengths.set(litLengths.subarray(0, hlit));
  lengths.set(distLengths.subarray(0, hdist), hlit);

  const symbols: number[] = []; // code-length symbol, then its extra value when 16-18
  const freq = new Uint32Array(19);
  for (let i = 0; i < lengths.length;) {
    const len = lengths[i];
    let run = 1;
    while (i + run < lengths.length && lengths[i + run] === len) run++;
    i += run;
    if (len === 0) {
      while (run >= 11) {
        const n = Math.min(run, 138);
        symbols.push(18, n - 11);
        freq[18]++;
        run -= n;
      }
      if (run >= 3) {
        symbols.push(17, run - 3);
        freq[17]++;
        run = 0;
      }
    } else {
      symbols.push(len, -1);
      freq[len]++;
      run--;
      while (run >= 3) {
        const n = Math.min(run, 6);
        symbols.push(16, n - 3);
        freq[16]++;
        run -= n;
      }
    }
    for (; run > 0; run--) {
      symbols.push(len, -1);
      freq[len]++;
    }
  }
  let used = 0;
  for (const f of freq) if (f > 0) used++;
  if (used < 2) freq[freq[0] > 0 ? 1 : 0]++;
  const clLengths = huffmanLengths(freq, 7);
  if (!clLengths) return undefined;
  const clCodes = canonicalCodes(clLengths);
  let hclen = 19;
  while (hclen > 4 && clLengths[CL_ORDER[hclen - 1]] === 0) hclen--;
  return (out) => {
    out.write(hlit - 257, 5);
    out.write(hdist - 1, 5);
    out.write(hclen - 4, 4);
    for (let i = 0; i < hclen; i++) out.write(clLengths[CL_ORDER[i]], 3);
    for (let i = 0; i < symbols.length; i += 2) {
      const s = symbols[i];
      out.write(clCodes[s], clLengths[s]);
      if (s === 16) out.write(symbols[i + 1], 2);
      else if (s === 17) out.write(symbols[i + 1], 3);
      else if (s === 18) out.write(symbols[i + 1], 7);
    }
  };
}

/** Huffman code lengths for the symbols with a non-zero frequency, or undefined past `maxBits`. */
function huffmanLengths(freq: Uint32Array, maxBits: number): Uint8Array | undefined {
  const lengths = new Uint8Array(freq.length);
  // Nodes: leaves 0..n-1 are symbols; parents are appended. Two-queue construction on sorted leaves.
  const leaves: number[] = [];
  for (let s = 0; s < freq.length; s++) if (freq[s] > 0) leaves.push(s);
  if (leaves.length === 1) {
    lengths[leaves[0]] = 1;
    return lengths;
  }
  leaves.sort((x, y) => freq[x] - freq[y] || x - y);
  const weight: number[] = leaves.map((s) => freq[s]);
  const parent: number[] = new Array<number>(leaves.length).fill(-1);
  let leaf = 0;
  let inner = leaves.length;
  const take = (): number => {
    if (inner < weight.length && (leaf >= leaves.length || weight[inner] < weight[leaf]))
      return inner++;
    return leaf++;
  };
  while (leaves.length - leaf + (weight.length - inner) > 1) {
    const x = take();
    const y = take();
    parent[x] = parent[y] = weight.length;
    weight.push(weight[x] + weight[y]);
    parent.push(-1);
  }
  // Depth of each node: parents come after children, so walk from the root downwards.
  const depth = new Array<number>(weight.length).fill(0);
  for (let node = weight.length - 2; node >= 0; node--) depth[node] = depth[parent[node]] + 1;
  for (let i = 0; i < leaves.length; i++) {
    if (depth[i] > maxBits) return undefined;
    lengths[leaves[i]] = depth[i];
  }
  return lengths;
}

/** RFC 1951 3.2.2: canonical codes from lengths, bit-reversed for LSB-first output. */
function canonicalCodes(lengths: Uint8Array): Uint16Array {
  const count = new Uint16Array(16);
  for (const len of lengths) if (len) count[len]++;
  const next = new Uint16Array(16);
  for (let bits = 1, code = 0; bits < 16; bits++) {
    code = (code + count[bits - 1]) << 1;
    next[bits] = code;
  }
  const codes = new Uint16Array(lengths.length);
  for (let s = 0; s < lengths.length; s++) {
    const len = lengths[s];
    if (!len) continue;
    let code = next[len]++;
    let reversed = 0;
    for (let i = 0; i < len; i++) {
      reversed = (reversed << 1) | (code & 1);
      code >>= 1;
    }
    codes[s] = reversed;
  }
  return codes;
}
