/**
 * The layering of electron/**, checked by dependency-cruiser in `npm run lint` (tools/check-layering.ts runs it).
 * Each unit below declares what it may import (besides itself and packages); anything else is an error, and so is any
 * import cycle. Lower units never import higher ones, so the table is also the dependency order (docs/ARCHITECTURE.md).
 * The renderer (.tsx, which dependency-cruiser's swc parser cannot read) and clients/js keep the rules in
 * tools/check-layering.ts.
 */
const UNITS = {
  base: '^electron/core/((errors|paths|fs-atomic|random|data-notices|media-types|url-rule|file-lock|retry)\\.ts$|format/)',
  onnx: '^electron/core/onnx/',
  audio: '^electron/core/audio/',
  // The diarization model folders' format: what the model manager checks when it installs one.
  'diarize-format': '^electron/core/diarize/models/(folder|graph)\\.ts$',
  // The model families (asr/families.ts) and their engines; the model manager installs and validates through them.
  asr: '^electron/core/asr/',
  models: '^electron/core/models/',
  diarize: '^electron/core/diarize/',
  license: '^electron/core/license/',
  settings: '^electron/core/settings/',
  'export-formats': '^electron/core/export/formats\\.ts$',
  export: '^electron/core/export/',
  library: '^electron/core/library/',
  jobs: '^electron/core/jobs/',
  server: '^electron/core/server/',
  engine: '^electron/core/engine\\.ts$',
  contract: '^electron/contract/',
  // Live microphone transcription (its worker and recordings); its contract handlers belong to desktop.
  live: '^electron/core/live/(?!live-handlers\\.ts$)',
  desktop: '^electron/core/(desktop/|live/live-handlers\\.ts$)',
  services: '^electron/core/services\\.ts$',
  cli: '^electron/(cli/|cli\\.ts$)',
  main: '^electron/main/',
  preload: '^electron/preload/',
  // The live engine's Electron utility-process entry (the live host on process.parentPort).
  utility: '^electron/utility/',
};

/** What each unit may import. */
const MAY_IMPORT = {
  base: [],
  onnx: ['base'],
  audio: ['base', 'onnx'],
  'diarize-format': ['base', 'onnx'],
  asr: ['base', 'onnx', 'audio'],
  models: ['base', 'onnx', 'diarize-format', 'asr'],
  diarize: ['base', 'onnx', 'audio', 'asr'],
  license: ['base'],
  'export-formats': [],
  settings: ['base', 'export-formats'],
  export: ['base', 'asr', 'diarize'],
  library: ['base', 'onnx', 'asr', 'diarize'],
  jobs: ['base', 'onnx', 'audio', 'asr', 'diarize'],
  live: ['base', 'onnx', 'audio', 'asr', 'library', 'jobs'],
  // The server's streaming route shares the live decider (live/decider.ts). Its model runs in the desktop's job
  // worker threads (jobs/job-worker.ts): one engine, off the HTTP event loop.
  server: ['base', 'onnx', 'audio', 'asr', 'diarize', 'license', 'models', 'live', 'jobs'],
  engine: ['base', 'onnx', 'asr', 'license', 'models'],
  // The contract's types are core's (derived, never re-declared); core never imports the contract.
  contract: ['base', 'onnx', 'asr', 'diarize', 'jobs', 'library', 'license', 'models', 'settings', 'export', 'live'],
  desktop: [
    'base', 'onnx', 'audio', 'asr', 'diarize', 'models', 'license', 'settings', 'export', 'library', 'jobs', 'server',
    'engine', 'contract', 'live',
  ],
  services: [
    'base', 'onnx', 'asr', 'diarize', 'models', 'license', 'settings', 'library', 'jobs', 'engine', 'desktop',
    'contract', 'live',
  ],
  cli: ['base', 'onnx', 'audio', 'asr', 'diarize', 'models', 'license', 'export', 'server', 'engine'],
  // main opens the live engine's utility process and its frames channels (live/live-protocol.ts's types).
  main: ['base', 'contract', 'services', 'library', 'license', 'settings', 'live'],
  preload: ['contract'],
  utility: ['live'],
};

const layerRules = Object.entries(MAY_IMPORT).map(([unit, allowed]) => ({
  name: `layer-${unit}`,
  comment: `${unit} may import only: ${allowed.join(', ') || 'nothing of ours'} (.dependency-cruiser.cjs)`,
  severity: 'error',
  from: { path: UNITS[unit] },
  to: { path: '^electron/', pathNot: [UNITS[unit], ...allowed.map((u) => UNITS[u])] },
}));

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    { name: 'no-circular', comment: 'no import cycles', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'core-not-electron',
      comment: 'electron/core runs in plain Node (server, CLI, tests): it never imports electron',
      severity: 'error',
      from: { path: '^electron/(core|contract|cli)' },
      to: { path: '^node_modules/electron/' },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'an import that does not resolve is a typo or a missing dependency',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'license-entry',
      comment: 'outside license/, import it only through index.ts (or vendor.ts for the vendor tools, status.ts types)',
      severity: 'error',
      from: { pathNot: '^electron/core/license/' },
      to: { path: '^electron/core/license/', pathNot: '^electron/core/license/(index|vendor|status)\\.ts$' },
    },
    ...layerRules,
  ],
  options: {
    parser: 'swc',
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist)/' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'] },
  },
};
