/**
 * Check character of a component ID: ISO/IEC 7064 MOD 37,36 (the hybrid system for
 * alphanumeric strings). It catches every single wrong character and every swap of two
 * neighbours, which is what people and worn labels get wrong; the result is one of 0-9A-Z.
 */

const CHARACTERS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const M = 36;

/** The check character of the alphanumeric characters of `text` (separators are skipped). */
export function checkCharacter(text: string): string {
  let p = M;
  for (const char of text.toUpperCase()) {
    const value = CHARACTERS.indexOf(char);
    if (value < 0) continue;
    let s = (p + value) % M;
    if (s === 0) s = M;
    p = (s * 2) % (M + 1);
  }
  return CHARACTERS[(M + 1 - p) % M];
}
