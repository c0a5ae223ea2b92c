import assert from 'node:assert/strict';
import { test } from 'node:test';
import { wordErrorRate } from './wer.ts';

test('word error rate counts substitutions, deletions and insertions against the reference', () => {
  assert.equal(wordErrorRate('the quick brown fox', 'The quick, brown fox!'), 0);
  assert.equal(wordErrorRate('the quick brown fox', 'the quick red fox'), 0.25);
  assert.equal(wordErrorRate('the quick brown fox', 'the brown fox'), 0.25);
  assert.equal(wordErrorRate('the quick brown fox', 'the very quick brown fox jumps'), 0.5);
  assert.equal(wordErrorRate('', ''), 0);
});
