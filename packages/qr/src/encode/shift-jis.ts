/**
 * Unicode -> Shift JIS for Kanji mode (clause 7.4.6). Rather than ship a 7,000-entry table, the
 * reverse map is built once, on first use, by decoding every double-byte code in the two Kanji
 * mode ranges with the platform's WHATWG `TextDecoder('shift_jis')` (Node with ICU, every browser).
 */

let unicodeToSjis: Map<number, number> | undefined;

function buildTable(): Map<number, number> {
  const table = new Map<number, number>();
  let decoder: InstanceType<typeof TextDecoder>;
  try {
    decoder = new TextDecoder('shift_jis', { fatal: true });
  } catch {
    return table; // No Shift JIS support: Kanji mode is simply never chosen.
  }
  const pair = new Uint8Array(2);
  const ranges: [number, number][] = [
    [0x8140, 0x9ffc],
    [0xe040, 0xebbf],
  ];
  for (const [first, last] of ranges) {
    for (let code = first; code <= last; code++) {
      const low = code & 0xff;
      if (low < 0x40 || low > 0xfc || low === 0x7f) continue;
      pair[0] = code >> 8;
      pair[1] = low;
      let text: string;
      try {
        text = decoder.decode(pair);
      } catch {
        continue;
      }
      const cp = text.codePointAt(0);
      if (cp !== undefined && text.length === 1 && !table.has(cp)) table.set(cp, code);
    }
  }
  return table;
}

/** The Shift JIS code of a character encodable in Kanji mode, or -1. */
export function kanjiCode(codePoint: number): number {
  if (codePoint < 0x80) return -1;
  unicodeToSjis ??= buildTable();
  return unicodeToSjis.get(codePoint) ?? -1;
}
