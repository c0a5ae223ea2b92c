/**
 * The layering rule from docs/architecture: imports point inward.
 * - electron/core/** never imports `electron`, nor anything under electron/main, electron/preload or renderer.
 * - renderer/** never imports Node built-ins, `electron`, or runtime code from electron/**; `import type` from the
 *   contract (electron/contract) is the only way in.
 * - clients/js/src/** is a package of its own that runs in browsers too: only relative imports inside it, no Node
 *   built-ins, no packages (it has no dependencies).
 * Usage: tsx tools/check-layering.ts [root]  (exit 1 and a list when violated)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';

export interface Violation {
  file: string;
  line: number;
  specifier: string;
  rule: string;
}

const IMPORT_RE =
  /(?:^|[\s;])(import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]|(?:import|require)\s*\(\s*['"]([^'"]+)['"]\s*\)/g;
const NODE_BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

function sourceFiles(dir: string): string[] {
  let entries: import('node:fs').Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : sourceFiles(p);
    return /\.(c|m)?[jt]sx?$/.test(e.name) && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

function imports(file: string): { specifier: string; typeOnly: boolean; line: number }[] {
  const text = readFileSync(file, 'utf8');
  const found: { specifier: string; typeOnly: boolean; line: number }[] = [];
  for (const m of text.matchAll(IMPORT_RE)) {
    const specifier = m[3] ?? m[4];
    if (!specifier) continue;
    const line = text.slice(0, m.index).split('\n').length;
    found.push({ specifier, typeOnly: Boolean(m[2]), line });
  }
  return found;
}

/** The one contract file the renderer may import at run time: core's pure rules (the URL rule). */
const RENDERER_RULES = 'electron/contract/rules.ts';

function resolvesUnder(file: string, specifier: string, root: string, dirs: string[]): boolean {
  if (!specifier.startsWith('.')) return false;
  const target = path
    .relative(root, path.resolve(path.dirname(file), specifier))
    .split(path.sep)
    .join('/');
  return dirs.some((d) => target === d || target.startsWith(`${d}/`));
}

export function findViolations(root: string): Violation[] {
  const out: Violation[] = [];
  const rel = (f: string) => path.relative(root, f).split(path.sep).join('/');

  for (const file of sourceFiles(path.join(root, 'electron', 'core'))) {
    for (const { specifier, line } of imports(file)) {
      if (specifier === 'electron' || specifier.startsWith('electron/')) {
        out.push({ file: rel(file), line, specifier, rule: 'electron/core must not import electron' });
      } else if (resolvesUnder(file, specifier, root, ['electron/main', 'electron/preload', 'renderer'])) {
        out.push({ file: rel(file), line, specifier, rule: 'electron/core must not import main, preload or renderer' });
      }
    }
  }

  for (const file of sourceFiles(path.join(root, 'renderer'))) {
    for (const { specifier, typeOnly, line } of imports(file)) {
      if (NODE_BUILTINS.has(specifier)) {
        out.push({ file: rel(file), line, specifier, rule: 'renderer must not import Node built-ins' });
      } else if (specifier === 'electron' || specifier.startsWith('electron/')) {
        out.push({ file: rel(file), line, specifier, rule: 'renderer must not import electron' });
      } else if (resolvesUnder(file, specifier, root, ['electron'])) {
        const toContract = resolvesUnder(file, specifier, root, ['electron/contract']);
        const toRules = resolvesUnder(file, specifier, root, [RENDERER_RULES]);
        if (!(typeOnly && toContract) && !toRules) {
          out.push({ file: rel(file), line, specifier, rule: 'renderer may only import types from the contract' });
        }
      }
    }
  }
  // The pure rules the renderer runs (contract/rules.ts) and everything they import: no Node, no electron, no packages.
  const seen = new Set<string>();
  const pending = [path.join(root, RENDERER_RULES)];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    let list: ReturnType<typeof imports>;
    try {
      list = imports(file);
    } catch {
      continue;
    }
    for (const { specifier, typeOnly, line } of list) {
      if (typeOnly) continue;
      if (specifier.startsWith('.')) pending.push(path.resolve(path.dirname(file), specifier));
      else {
        out.push({
          file: rel(file),
          line,
          specifier,
          rule: 'the renderer runs contract/rules.ts: it and its imports must be pure (no Node, electron or packages)',
        });
      }
    }
  }
  const client = path.join(root, 'clients', 'js', 'src');
  for (const file of sourceFiles(client)) {
    for (const { specifier, line } of imports(file)) {
      const inside =
        specifier.startsWith('.') &&
        !path.relative(client, path.resolve(path.dirname(file), specifier)).startsWith('..');
      if (!inside) {
        out.push({
          file: rel(file),
          line,
          specifier,
          rule: 'clients/js may only import its own files (no Node built-ins, no packages)',
        });
      }
    }
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const violations = findViolations(path.resolve(process.argv[2] ?? '.'));
  for (const v of violations) console.error(`${v.file}:${v.line}: '${v.specifier}': ${v.rule}`);
  if (violations.length) process.exit(1);
  console.log('layering: ok');
}
