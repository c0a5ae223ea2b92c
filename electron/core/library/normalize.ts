/**
 * Search normalisation: case- and accent-insensitive, and defined per code point so that an offset in the normalised
 * text can always be mapped back to the original (NFKD changes lengths: one Hangul syllable becomes two or three jamo,
 * "ﬁ" becomes "fi", "é" becomes "e" plus a mark that is dropped). The index, the query and the snippets all use it.
 */

const MARKS = /\p{M}/gu;
// Any code unit above 0x7f means the slow path.
const NON_ASCII = /[\u0080-\uffff]/;

function normalizeChar(ch: string): string {
  return ch.normalize('NFKD').replace(MARKS, '').toLowerCase();
}

/** The searchable form of a text. ASCII needs only lower-casing (the common case, and 20x faster). */
export function normalizeForSearch(s: string): string {
  if (!NON_ASCII.test(s)) return s.toLowerCase();
  let out = '';
  for (const ch of s) out += normalizeChar(ch);
  return out;
}

/**
 * The normalised text with, for every normalised UTF-16 offset (and one past the end), the UTF-16 offset in the
 * original string where the code point that produced it starts.
 */
export function normalizeWithMap(s: string): { norm: string; toOriginal: Int32Array } {
  if (!NON_ASCII.test(s)) {
    const map = new Int32Array(s.length + 1);
    for (let i = 0; i <= s.length; i++) map[i] = i;
    return { norm: s.toLowerCase(), toOriginal: map };
  }
  const parts: string[] = [];
  const starts: number[] = [];
  let at = 0;
  for (const ch of s) {
    const n = normalizeChar(ch);
    for (let k = 0; k < n.length; k++) starts.push(at);
    parts.push(n);
    at += ch.length;
  }
  starts.push(s.length);
  return { norm: parts.join(''), toOriginal: Int32Array.from(starts) };
}

/** Up to ~40 characters either side of the first match of `normQuery` in `text`, cut at spaces where there are any. */
export function snippetAt(text: string, normQuery: string): string {
  const { norm, toOriginal } = normalizeWithMap(text);
  const hit = norm.indexOf(normQuery);
  if (hit < 0) return text.trim().slice(0, 80);
  const at = toOriginal[hit];
  const end = toOriginal[hit + normQuery.length] ?? text.length;
  // Languages written without spaces (Chinese, Japanese) are cut at a fixed width instead.
  const back = text.lastIndexOf(' ', Math.max(0, at - 40));
  const from = back < 0 || at - back > 80 ? Math.max(0, at - 40) : back;
  const fwd = text.indexOf(' ', Math.min(text.length, end + 40));
  const to = fwd < 0 || fwd - end > 80 ? Math.min(text.length, end + 40) : fwd;
  return `${from > 0 ? '…' : ''}${text.slice(from, to).trim()}${to < text.length ? '…' : ''}`;
}
