/** The READMEs show the seed's SDK snippets exactly as the tests run them. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { REPO } from './harness.ts';
import { SEED_JAVASCRIPT, SEED_PYTHON } from './seed-snippets.ts';

const read = (file: string) => readFileSync(path.join(REPO, file), 'utf8');

for (const file of ['README.md', 'clients/python/README.md']) {
  test(`${file} shows the seed's Python snippet verbatim`, () => {
    assert.ok(read(file).includes(`\`\`\`python\n${SEED_PYTHON}\`\`\``));
  });
}

for (const file of ['README.md', 'clients/js/README.md']) {
  test(`${file} shows the seed's JavaScript snippet verbatim`, () => {
    assert.ok(read(file).includes(`\`\`\`js\n${SEED_JAVASCRIPT}\`\`\``));
  });
}
