/**
 * The word bigram language model a pack may ship (lm.json, built by tools/train/build_lm.py from the training
 * sentences): interpolated absolute discounting, natural-log probabilities. Words are looked up in lower case
 * without apostrophes.
 */
import { readFileSync } from 'node:fs';
import { EarshotError } from '../../errors.ts';

interface LmFile {
  type: 'word-bigram';
  unknown: number;
  unigrams: Record<string, number>;
  backoff: Record<string, number>;
  bigrams: Record<string, number>;
}

export class BigramLm {
  private readonly unigrams: Map<string, number>;
  private readonly backoff: Map<string, number>;
  private readonly bigrams: Map<string, number>;
  private readonly unknown: number;
  /** Best unigram log-probability of any known word that starts with a given prefix (the lookahead). */
  private readonly prefixes = new Map<string, number>();

  constructor(file: LmFile) {
    this.unigrams = new Map(Object.entries(file.unigrams));
    for (const [word, logp] of this.unigrams) {
      for (let i = 1; i <= word.length; i++) {
        const prefix = word.slice(0, i);
        const known = this.prefixes.get(prefix);
        if (known === undefined || logp > known) this.prefixes.set(prefix, logp);
      }
    }
    this.backoff = new Map(Object.entries(file.backoff));
    this.bigrams = new Map(Object.entries(file.bigrams));
    this.unknown = file.unknown;
  }

  static load(file: string): BigramLm {
    let parsed: LmFile;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new EarshotError('MODEL_INVALID', `Cannot read the language model ${file}: ${(e as Error).message}`);
    }
    if (parsed.type !== 'word-bigram' || typeof parsed.unigrams !== 'object' || typeof parsed.bigrams !== 'object') {
      throw new EarshotError('MODEL_INVALID', `${file} is not a word-bigram language model`);
    }
    return new BigramLm(parsed);
  }

  /**
   * Optimistic score of an unfinished word: the best unigram that could complete it, or the unknown-word score.
   * Charging it while the word is spelled keeps beams from putting off the language model's verdict.
   */
  lookahead(partial: string): number {
    return this.prefixes.get(partial.replace(/'/g, '')) ?? this.unknown;
  }

  /** ln P(word | previous); `previous` is '<s>' at the start of a window. */
  score(previous: string, word: string): number {
    const w = word.replace(/'/g, '');
    const v = previous.replace(/'/g, '');
    const unigram = this.unigrams.get(w);
    const base = unigram ?? this.unknown;
    const backoff = this.backoff.get(v);
    if (backoff === undefined) return base;
    const bigram = unigram === undefined ? undefined : this.bigrams.get(`${v} ${w}`);
    if (bigram === undefined) return backoff + base;
    return Math.log(Math.exp(bigram) + Math.exp(backoff + base));
  }
}
