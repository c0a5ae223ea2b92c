import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sniffFormat } from '../../electron/core/audio/index.ts';

test('non-media bytes are not recognised', () => {
  const enc = new TextEncoder();
  for (const text of ['', 'ID', 'hello world', '<html><body>', '{"a":1}', '%PDF-1.7', 'PK\u0003\u0004zip']) {
    assert.equal(sniffFormat(enc.encode(text)), null, text);
  }
  assert.equal(sniffFormat(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])), null); // PNG
});

test('an ID3 tag is looked past: FLAC with an ID3 tag is FLAC, a bare tag is MP3', () => {
  const tag = new Uint8Array([0x49, 0x44, 0x33, 4, 0, 0, 0, 0, 0, 10, ...new Array(10).fill(0)]);
  const flac = new Uint8Array([...tag, 0x66, 0x4c, 0x61, 0x43, 0, 0, 0, 34]);
  assert.equal(sniffFormat(flac)?.container, 'flac');
  assert.equal(sniffFormat(tag.subarray(0, 10))?.container, 'mp3');
});
