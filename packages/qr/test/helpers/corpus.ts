/**
 * Deterministic generated inputs for the correctness suites: every mode, level and version,
 * Unicode text and raw bytes. Seeded, so a failure names an input that can be replayed.
 */
import { dataCodewords, ECC_LEVELS, type ErrorCorrectionLevel } from '../../src/index.js';

/** mulberry32: small, fast, good enough to spread test inputs. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type SingleMode = 'numeric' | 'alphanumeric' | 'byte';

const COUNT_BITS: Record<SingleMode, [number, number, number]> = {
  numeric: [10, 12, 14],
  alphanumeric: [9, 11, 13],
  byte: [8, 16, 16],
};

/** Most characters of one mode that fit in a version and level (Table 7 in characters). */
export function capacityChars(
  mode: SingleMode,
  version: number,
  ecc: ErrorCorrectionLevel,
): number {
  const group = version <= 9 ? 0 : version <= 26 ? 1 : 2;
  const bits = dataCodewords(version, ecc) * 8 - 4 - COUNT_BITS[mode][group];
  if (mode === 'byte') return Math.floor(bits / 8);
  if (mode === 'alphanumeric') return Math.floor(bits / 11) * 2 + (bits % 11 >= 6 ? 1 : 0);
  return Math.floor(bits / 10) * 3 + (bits % 10 >= 7 ? 2 : bits % 10 >= 4 ? 1 : 0);
}

const ALNUM = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';
const URL_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789-._~/?=&';
const UNICODE_POOL = [...'éèüßøåçñЖДЯλΩ中文字符日本語テキスト한국어😀🚀✓€→', 'a', 'b', '1', ' '];
const KANJI_POOL = [
  ...'漢字日本語東京大阪点茗亜唖娃阿哀愛挨姶逢葵茜穐悪握渥旭葦芦鯵梓圧斡扱宛姐虻飴絢綾鮎或粟袷安庵按暗案闇鞍杏',
];

export function randomString(
  rand: () => number,
  alphabet: readonly string[] | string,
  length: number,
): string {
  let s = '';
  for (let i = 0; i < length; i++) s += alphabet[Math.floor(rand() * alphabet.length)];
  return s;
}

export type CorpusKind = SingleMode | 'url' | 'unicode' | 'mixed' | 'kanji' | 'eci' | 'bytes';

export interface CorpusCase {
  readonly kind: CorpusKind;
  readonly version: number;
  readonly ecc: ErrorCorrectionLevel;
  readonly text?: string;
  readonly bytes?: Uint8Array;
}

const KINDS: readonly CorpusKind[] = [
  'numeric',
  'alphanumeric',
  'byte',
  'url',
  'unicode',
  'mixed',
  'kanji',
  'eci',
  'bytes',
];

/**
 * `count` cases cycling through kinds, levels and versions 1-40. Each input fits its version with
 * room to spare (lengths are drawn up to a fraction of the version's capacity), so the version is
 * set as the minimum and the encoder may not go smaller.
 */
export function corpus(count: number, seed = 1): CorpusCase[] {
  const rand = prng(seed);
  const cases: CorpusCase[] = [];
  for (let i = 0; i < count; i++) {
    const kind = KINDS[i % KINDS.length];
    const ecc = ECC_LEVELS[Math.floor(i / KINDS.length) % 4];
    const version = 1 + ((Math.floor(i / (KINDS.length * 4)) * 7 + i) % 40);
    const fill = 0.3 + rand() * 0.6;
    const bytesCap = capacityChars('byte', version, ecc);
    switch (kind) {
      case 'numeric':
        cases.push({
          kind,
          version,
          ecc,
          text: randomString(rand, '0123456789', len(capacityChars('numeric', version, ecc), fill)),
        });
        break;
      case 'alphanumeric':
        cases.push({
          kind,
          version,
          ecc,
          text: randomString(rand, ALNUM, len(capacityChars('alphanumeric', version, ecc), fill)),
        });
        break;
      case 'byte':
        cases.push({
          kind,
          version,
          ecc,
          text: randomString(rand, 'abcdefghijklmnopqrstuvwxyz{}[]!#', len(bytesCap, fill)),
        });
        break;
      case 'url':
        cases.push({
          kind,
          version,
          ecc,
          text:
            'https://example.com/' +
            randomString(rand, URL_CHARS, Math.max(0, len(bytesCap, fill) - 20)),
        });
        break;
      case 'unicode':
        // Up to 4 UTF-8 bytes per character.
        cases.push({
          kind,
          version,
          ecc,
          text: randomString(rand, UNICODE_POOL, len(Math.floor(bytesCap / 4), fill)),
        });
        break;
      case 'mixed':
        cases.push({ kind, version, ecc, text: mixedText(rand, Math.floor(bytesCap * fill)) });
        break;
      case 'kanji':
        cases.push({
          kind,
          version,
          ecc,
          text: randomString(rand, KANJI_POOL, len(Math.floor((bytesCap * 8 - 32) / 13), fill)),
        });
        break;
      case 'eci':
        cases.push({
          kind,
          version,
          ecc,
          text: randomString(rand, UNICODE_POOL, len(Math.floor((bytesCap - 4) / 4), fill)),
        });
        break;
      case 'bytes': {
        const bytes = new Uint8Array(len(bytesCap, fill));
        for (let k = 0; k < bytes.length; k++) bytes[k] = Math.floor(rand() * 256);
        cases.push({ kind, version, ecc, bytes });
        break;
      }
    }
  }
  return cases;
}

function len(capacity: number, fill: number): number {
  return Math.max(1, Math.floor(capacity * fill));
}

/** Runs of digits, upper-case alphanumerics and lower-case text: exercises mode switching. */
function mixedText(rand: () => number, budget: number): string {
  let s = '';
  while (s.length < budget) {
    const pick = rand();
    const runLength = 1 + Math.floor(rand() * 20);
    if (pick < 0.4) s += randomString(rand, '0123456789', runLength);
    else if (pick < 0.7) s += randomString(rand, ALNUM, runLength);
    else s += randomString(rand, 'abcdefghij?!', runLength);
  }
  return s.slice(0, Math.max(1, budget));
}
