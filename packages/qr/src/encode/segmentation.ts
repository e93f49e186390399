/**
 * Optimal segmentation: splits text into numeric, alphanumeric, byte and (optionally) Kanji
 * segments so that the whole bit stream is as short as possible (ISO/IEC 18004 Annex J describes
 * a heuristic; this is the exact shortest-path form of it).
 *
 * Dynamic programming over characters with one state per mode. Costs are in sixths of a bit so
 * that numeric (10/3 bits per digit) and alphanumeric (11/2 bits per character) stay integers.
 * When a segment ends its cost is rounded up to a whole bit, which is exactly how a run of n
 * digits costs ceil(10n/3) bits and a run of n alphanumerics ceil(11n/2) bits.
 */
import { kanjiCode } from './shift-jis.js';
import {
  ALPHANUMERIC_VALUE,
  alphanumericSegment,
  byteSegment,
  countBits,
  kanjiSegment,
  numericSegment,
  type Mode,
  type Segment,
} from './segments.js';

const MODES: readonly Mode[] = ['byte', 'alphanumeric', 'numeric', 'kanji'];
const BYTE = 0;
const ALNUM = 1;
const NUMERIC = 2;
const KANJI = 3;

/** Per-character facts the segmentation needs, computed once per text and shared by version groups. */
export interface TextAnalysis {
  readonly text: string;
  readonly utf8: Uint8Array;
  /** UTF-16 start index of each character (code point), plus the end. */
  readonly charStart: Uint32Array;
  /** UTF-8 start offset of each character, plus the end. */
  readonly byteStart: Uint32Array;
  /** Shift JIS code for characters Kanji mode can take, else 0. */
  readonly sjis: Uint16Array;
  readonly length: number;
  /** True when every character is a digit, so one numeric segment is optimal. */
  readonly allNumeric: boolean;
  /** True when no character is alphanumeric or Kanji, so one byte segment is optimal. */
  readonly allByteOnly: boolean;
  /** Lower bound of the data bits: every character in its cheapest mode, no headers. */
  readonly minBits: number;
}

const encoder = new TextEncoder();

/** With `kanji`, Kanji mode is offered when every non-ASCII character is Kanji-encodable. */
export function analyzeText(text: string, kanji: boolean): TextAnalysis {
  const utf8 = encoder.encode(text);
  const charStart = new Uint32Array(text.length + 1);
  const byteStart = new Uint32Array(text.length + 1);
  const sjis = new Uint16Array(text.length);
  let n = 0;
  let bytePos = 0;
  let allNumeric = true;
  let allByteOnly = true;
  for (let i = 0; i < text.length; n++) {
    const cp = text.codePointAt(i)!;
    charStart[n] = i;
    byteStart[n] = bytePos;
    const units = cp > 0xffff ? 2 : 1;
    // Lone surrogates become U+FFFD (3 bytes) in TextEncoder, like any BMP code point above 0x7FF.
    bytePos += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    i += units;
    if (cp < 48 || cp > 57) allNumeric = false;
    if (cp < 128 && ALPHANUMERIC_VALUE[cp] >= 0) allByteOnly = false;
    if (kanji && cp >= 0x80) {
      const code = kanjiCode(cp);
      if (code > 0) sjis[n] = code;
      else kanji = false;
    }
  }
  // Kanji mode only when every non-ASCII character can take it: other non-ASCII text would go
  // to byte mode as UTF-8, and a symbol mixing Shift JIS and unannounced UTF-8 is misread
  // (readers guess one character set for the whole symbol; an ECI would apply to Kanji too).
  if (kanji) {
    for (let i = 0; i < n; i++) if (sjis[i] !== 0) allByteOnly = false;
  } else {
    sjis.fill(0);
  }
  let sixths = 0;
  for (let i = 0; i < n; i++) {
    const cp = text.charCodeAt(charStart[i]);
    if (cp >= 48 && cp <= 57) sixths += 20;
    else if (cp < 128 && ALPHANUMERIC_VALUE[cp] >= 0) sixths += 33;
    else sixths += Math.min(sjis[i] !== 0 ? 78 : Infinity, (byteStart[i + 1] - byteStart[i]) * 48);
  }
  charStart[n] = text.length;
  byteStart[n] = bytePos;
  return {
    text,
    utf8,
    charStart,
    byteStart,
    sjis,
    length: n,
    allNumeric: allNumeric && n > 0,
    allByteOnly,
    minBits: Math.ceil(sixths / 6),
  };
}

/** The shortest segment list for the text in a version group (see module comment). */
export function optimalSegments(info: TextAnalysis, group: 0 | 1 | 2): Segment[] {
  const n = info.length;
  if (n === 0) return [];
  if (info.allNumeric) return [numericSegment(info.text)];
  if (info.allByteOnly) return [byteSegment(info.utf8)];

  const head = MODES.map((mode) => (4 + countBits(mode, group)) * 6);
  // charMode[i * 4 + s]: mode of character i on the cheapest path that is in state s after it.
  const charMode = new Int8Array(n * 4);
  const cost = head.slice();
  const { text, charStart, byteStart, sjis } = info;

  for (let i = 0, row = 0; i < n; i++, row += 4) {
    const cp = text.charCodeAt(charStart[i]);
    // Stay in each mode the character can take.
    cost[BYTE] += (byteStart[i + 1] - byteStart[i]) * 48;
    charMode[row + BYTE] = BYTE;
    if (cp < 128 && ALPHANUMERIC_VALUE[cp] >= 0) {
      cost[ALNUM] += 33;
      charMode[row + ALNUM] = ALNUM;
    } else {
      cost[ALNUM] = Infinity;
    }
    if (cp >= 48 && cp <= 57) {
      cost[NUMERIC] += 20;
      charMode[row + NUMERIC] = NUMERIC;
    } else {
      cost[NUMERIC] = Infinity;
    }
    if (sjis[i] !== 0) {
      cost[KANJI] += 78;
      charMode[row + KANJI] = KANJI;
    } else {
      cost[KANJI] = Infinity;
    }
    // Or end the cheapest segment here (rounded up to whole bits) and open another: the best
    // segment to end is the same whichever mode comes next.
    let ended = Infinity;
    let endedMode = BYTE;
    for (let k = 0; k < 4; k++) {
      const c = Math.ceil(cost[k] / 6) * 6;
      if (c < ended) {
        ended = c;
        endedMode = k;
      }
    }
    for (let s = 0; s < 4; s++) {
      if (ended + head[s] < cost[s]) {
        cost[s] = ended + head[s];
        charMode[row + s] = endedMode;
      }
    }
  }
  const prev = cost;

  let state = 0;
  for (let s = 1; s < 4; s++) if (prev[s] < prev[state]) state = s;
  const modes = new Int8Array(n);
  for (let i = n - 1; i >= 0; i--) {
    const mode = charMode[i * 4 + state];
    modes[i] = mode;
    state = mode;
  }
  return buildSegments(info, modes);
}

function buildSegments(info: TextAnalysis, modes: Int8Array): Segment[] {
  const segments: Segment[] = [];
  for (let start = 0; start < info.length;) {
    const mode = modes[start];
    let end = start + 1;
    while (end < info.length && modes[end] === mode) end++;
    switch (mode) {
      case NUMERIC:
      case ALNUM: {
        const text = info.text.slice(info.charStart[start], info.charStart[end]);
        segments.push(mode === NUMERIC ? numericSegment(text) : alphanumericSegment(text));
        break;
      }
      case BYTE:
        segments.push(byteSegment(info.utf8.subarray(info.byteStart[start], info.byteStart[end])));
        break;
      case KANJI:
        segments.push(kanjiSegment(info.sjis.slice(start, end)));
        break;
    }
    start = end;
  }
  return segments;
}
