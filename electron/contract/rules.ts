/**
 * Core's pure rules that the renderer runs itself (no IPC round trip), so that a check in the UI and the same check in
 * the main process cannot disagree. The URL rule and the byte-size formatter. Only pure modules (no Node built-ins, no state) are re-exported here; this is the
 * one contract file the renderer may import at run time (tools/check-layering.ts).
 */
export { formatBytes } from '../core/format/sizes.ts';
export { urlProblem } from '../core/url-rule.ts';
