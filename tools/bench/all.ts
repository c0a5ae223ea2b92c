/**
 * `npm run bench`: every benchmark in turn, each in its own process so one's memory never colours another's.
 * Heavy by design; never part of `npm test`. Pass names to run a subset: `npm run bench -- decode asr`.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const BENCHES: Record<string, string> = {
  decode: 'decode.ts',
  'decode-long': 'decode-long.ts',
  asr: 'asr.ts',
  load: 'load.ts',
  stream: 'stream.ts',
  diarize: 'diarize.ts',
  history: 'history.ts',
};

const chosen = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(BENCHES);
let failed = 0;
for (const name of chosen) {
  const file = BENCHES[name];
  if (!file) {
    console.error(`unknown benchmark '${name}' (have: ${Object.keys(BENCHES).join(', ')})`);
    process.exit(2);
  }
  console.log(`\n=== bench:${name} ===`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, file)], {
    stdio: 'inherit',
  });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
