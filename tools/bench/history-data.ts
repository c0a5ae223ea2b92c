/**
 * Synthetic history for bench:history: N ten-minute transcripts (about 1,500 words in 150 segments, with word
 * times, as the app stores them), written straight to a transcripts folder. Deterministic: the same N gives the same
 * files. One transcript says "zanzibar" (a rare word), every one says "budget" (a common one).
 */
import fs from 'node:fs/promises';
import path from 'node:path';

const SYLLABLES = ['ka', 'lo', 'mi', 'ter', 'vo', 'sa', 'ne', 'ru', 'pi', 'den', 'ma', 'ko', 'li', 'sto', 'ra', 'ven'];

function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

const VOCABULARY = (() => {
  const r = rng(7);
  const words = new Set<string>(['the', 'and', 'we', 'budget', 'meeting', 'plan', 'next', 'week']);
  while (words.size < 4000) {
    const n = 1 + Math.floor(r() * 3);
    words.add(Array.from({ length: n }, () => SYLLABLES[Math.floor(r() * SYLLABLES.length)]).join(''));
  }
  return [...words];
})();

export const RARE_WORD = 'zanzibar';
export const COMMON_WORD = 'budget';

/** Transcript `i` of `n`; `segments` (150 by default, ten minutes) sets its length. */
export function transcriptFor(i: number, n: number, segments = 150): Record<string, unknown> {
  const r = rng(i + 1);
  const list = [];
  let t = 0;
  for (let s = 0; s < segments; s++) {
    const words = [];
    const count = 8 + Math.floor(r() * 5);
    for (let w = 0; w < count; w++) {
      let word = VOCABULARY[Math.floor(r() * VOCABULARY.length)];
      if (s === Math.floor(segments / 2) && w === 3) word = COMMON_WORD;
      if (i === Math.floor(n / 2) && s === Math.floor((segments * 4) / 5) && w === 2) word = RARE_WORD;
      const start = Math.round(t * 100) / 100;
      t += 0.3 + r() * 0.2;
      words.push({ word, start, end: Math.round(t * 100) / 100, confidence: Math.round(r() * 100) / 100 });
    }
    list.push({
      id: s,
      start: words[0].start,
      end: words.at(-1)!.end,
      text: words.map((w) => w.word).join(' '),
      words,
      avgLogprob: -0.2,
      noSpeechProb: 0.01,
    });
  }
  const created = new Date(Date.UTC(2020, 0, 1) + i * 3_600_000).toISOString();
  return {
    title: `Recording ${i}`,
    duration: t,
    language: 'en',
    model: 'Demo (English)',
    mediaPath: `/recordings/${i}.wav`,
    segments: list,
    id: `bench-${String(i).padStart(6, '0')}`,
    createdAt: created,
    updatedAt: created,
  };
}

/** Writes N transcripts (pretty-printed like the app's own writes); answers the bytes written. */
export async function writeHistory(dir: string, n: number, segments = 150): Promise<number> {
  await fs.mkdir(dir, { recursive: true });
  let bytes = 0;
  for (let start = 0; start < n; start += 64) {
    await Promise.all(
      Array.from({ length: Math.min(64, n - start) }, async (_, k) => {
        const t = transcriptFor(start + k, n, segments);
        const text = `${JSON.stringify(t, null, 2)}\n`;
        bytes += text.length;
        await fs.writeFile(path.join(dir, `${t.id}.json`), text);
      }),
    );
  }
  return bytes;
}
