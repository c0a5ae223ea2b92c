/**
 * Whisper's byte-level BPE from tokenizer.json. We use @huggingface/tokenizers (the tokenizer library transformers.js
 * itself runs, maintained by Hugging Face, no dependencies) instead of a hand-written BPE: it reads the exact
 * tokenizer.json format with added/special tokens, so ids and byte-level decoding match the reference by
 * construction. Timestamp tokens are added tokens; we decode text without them.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { EarshotError } from '../../errors.ts';

export class WhisperTokenizer {
  private readonly tokenizer: Tokenizer;
  private readonly added: Map<string, number>;

  constructor(tokenizerJson: object, tokenizerConfig: object) {
    this.tokenizer = new Tokenizer(tokenizerJson, tokenizerConfig);
    this.added = new Map();
    for (const [id, token] of this.tokenizer.get_added_tokens_decoder()) this.added.set(token.content, id);
  }

  static fromFolder(dir: string): WhisperTokenizer {
    const read = (name: string) => {
      try {
        return JSON.parse(readFileSync(path.join(dir, name), 'utf8'));
      } catch (e) {
        throw new EarshotError('MODEL_INVALID', `${path.join(dir, name)}: ${(e as Error).message}`);
      }
    };
    return new WhisperTokenizer(read('tokenizer.json'), read('tokenizer_config.json'));
  }

  /** Text → ids without any special tokens (prompts, tests). */
  encode(text: string): number[] {
    return this.tokenizer.encode(text, { add_special_tokens: false }).ids;
  }

  /**
   * Ids → text; special and timestamp tokens (ids ≥ `textLimit`) are dropped before decoding. Space clean-up follows
   * tokenizer_config.json, as the reference does.
   */
  decode(ids: number[], textLimit = Number.POSITIVE_INFINITY): string {
    // Runs of text separated by a special token are decoded apart, so bytes never join across a timestamp.
    let text = '';
    let run: number[] = [];
    for (const id of ids) {
      if (id < textLimit) run.push(id);
      else if (run.length > 0) {
        text += this.tokenizer.decode(run, { skip_special_tokens: true });
        run = [];
      }
    }
    if (run.length > 0) text += this.tokenizer.decode(run, { skip_special_tokens: true });
    return text;
  }

  /** Bytes-exact decoding of single tokens for word grouping (a token may hold part of a UTF-8 character). */
  tokenText(id: number): string {
    return this.tokenizer.decode([id], { skip_special_tokens: false, clean_up_tokenization_spaces: false });
  }

  tokenId(token: string): number | undefined {
    return this.added.get(token) ?? this.tokenizer.token_to_id(token);
  }

  addedTokens(): IterableIterator<[string, number]> {
    return this.added.entries();
  }
}
