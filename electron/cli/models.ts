/**
 * `earshot models list | pull <id> [--variant v] | import <dir> [--id id] | remove <id> | default [<id>] | recommend`
 * A thin face over ModelManager: the desktop Settings use the same service.
 */
import { parseArgs } from 'node:util';
import { EarshotError } from '../core/errors.ts';
import { formatBytes } from '../core/format/sizes.ts';
import type { ModelInfo, ModelManager, RecommendReport } from '../core/models/index.ts';
import { cliEngine } from './engine.ts';

export const summary = 'List, download, import and remove models; recommend one for this machine';

const USAGE = `Usage:
  earshot models list [--json]                 catalog and installed models
  earshot models pull <id> [--variant v|auto]  download from $HF_ENDPOINT (default https://huggingface.co)
  earshot models import <dir> [--id id]        validate and copy a local model folder
  earshot models remove <id>
  earshot models default [<id>]                show or set the default model
  earshot models recommend [--seconds n] [--english] [--json]

Models are stored in $EARSHOT_HOME/models (or the per-user data folder). Downloads honour HTTPS_PROXY, HTTP_PROXY,
NO_PROXY and HF_TOKEN; an interrupted pull resumes when run again. Every file of the variant is checked on the server
before downloading: a named --variant with a missing file fails at once, naming it and the variants available;
without --variant (or with --variant auto) the catalog's default is used, else the next complete variant, and the
pull says so.
`;

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub || sub === '--help' || sub === '-h' || sub === 'help') {
    process.stdout.write(USAGE);
    return sub ? 0 : 2;
  }
  const manager = cliEngine().models;
  switch (sub) {
    case 'list':
      return list(manager, rest);
    case 'pull':
      return pull(manager, rest);
    case 'import':
      return importFolder(manager, rest);
    case 'remove':
      return remove(manager, rest);
    case 'default':
      return setDefault(manager, rest);
    case 'recommend':
      return recommend(manager, rest);
    default:
      process.stderr.write(`earshot models: unknown subcommand '${sub}'\n\n${USAGE}`);
      return 2;
  }
}

async function list(manager: ModelManager, argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { json: { type: 'boolean' } } });
  const models = await manager.list();
  if (values.json) {
    process.stdout.write(`${JSON.stringify(models, null, 2)}\n`);
    return 0;
  }
  const rows = models.map((m) => [
    `${m.isDefault ? '*' : ' '} ${m.id}`,
    m.family,
    state(m),
    m.sizeBytes ? `${m.sizeEstimated ? '~' : ''}${formatBytes(m.sizeBytes)}` : '-',
    languages(m),
    m.wordTiming === 'aligned' ? 'exact' : m.wordTiming === 'approximate' ? 'approximate' : '-',
    accuracy(m),
  ]);
  printTable([['  ID', 'FAMILY', 'STATE', 'SIZE', 'LANGUAGES', 'WORD TIMES', 'WER (LS clean/other)'], ...rows]);
  process.stdout.write(`\n* default · models folder: ${manager.modelsDir}\n`);
  return 0;
}

function state(m: ModelInfo): string {
  if (m.bundled) return m.installed ? 'bundled' : 'bundled (missing)';
  if (!m.installed) return 'available';
  return m.variants.length ? `installed (${m.variants.join(', ')})` : 'installed';
}

function languages(m: ModelInfo): string {
  if (m.languages.length === 0) return '-';
  return m.languages.length > 3 ? `${m.languages.length} languages` : m.languages.join(', ');
}

function accuracy(m: ModelInfo): string {
  const get = (metric: string) => m.accuracy?.find((a) => a.metric === metric)?.value;
  const clean = get('wer_librispeech_test_clean');
  const other = get('wer_librispeech_test_other');
  if (clean === undefined && other === undefined) return '-';
  return `${clean ?? '-'} / ${other ?? '-'}`;
}

async function pull(manager: ModelManager, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { variant: { type: 'string' } },
  });
  const id = positionals[0];
  if (!id)
    throw new EarshotError('MISSING_PARAMETER', 'Which model? earshot models pull <id> (see earshot models list)');
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  process.once('SIGINT', onSigint);
  const progress = new ProgressLine(id);
  let notice: string | undefined;
  try {
    const info = await manager.pull(id, {
      variant: values.variant,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.notice && p.notice !== notice) {
          notice = p.notice;
          progress.done();
          process.stderr.write(`Note: ${p.notice}\n`);
        }
        progress.update(p);
      },
    });
    progress.done();
    process.stdout.write(`Installed ${info.id} (${info.variants.join(', ')}) in ${info.dir}\n`);
    return 0;
  } catch (e) {
    progress.done();
    if (e instanceof EarshotError && e.code === 'CANCELLED') {
      process.stderr.write('Cancelled. Downloaded parts are kept; run the same command to resume.\n');
      return 130;
    }
    const missing = e instanceof EarshotError && Array.isArray(e.details.missing);
    if (e instanceof EarshotError && (e.code === 'DOWNLOAD_FAILED' || e.code === 'TIMEOUT') && !missing) {
      process.stderr.write('Downloaded parts are kept; run the same command to resume.\n');
    }
    throw e;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

/** One status line: rewritten in place on a terminal, one line per second otherwise (logs, CI). */
class ProgressLine {
  private lastPrint = 0;
  private printed = false;
  private readonly tty = process.stderr.isTTY === true;
  constructor(private readonly id: string) {}

  update(p: { state: string; receivedBytes: number; totalBytes: number; bytesPerSecond: number; etaSeconds?: number }) {
    const now = Date.now();
    if (p.state === 'downloading' && now - this.lastPrint < (this.tty ? 200 : 1000)) return;
    this.lastPrint = now;
    const pct = p.totalBytes > 0 ? ` (${Math.floor((100 * p.receivedBytes) / p.totalBytes)}%)` : '';
    const speed = p.bytesPerSecond > 0 ? ` ${formatBytes(p.bytesPerSecond)}/s` : '';
    const eta = p.etaSeconds !== undefined && p.state === 'downloading' ? `, ETA ${formatEta(p.etaSeconds)}` : '';
    const line = `${p.state} ${this.id}: ${formatBytes(p.receivedBytes)} / ${formatBytes(p.totalBytes)}${pct}${speed}${eta}`;
    if (this.tty) process.stderr.write(`\r\x1b[2K${line}`);
    else process.stderr.write(`${line}\n`);
    this.printed = true;
  }

  done(): void {
    if (this.tty && this.printed) process.stderr.write('\n');
    this.printed = false;
  }
}

function formatEta(s: number): string {
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

async function importFolder(manager: ModelManager, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { id: { type: 'string' } },
  });
  const dir = positionals[0];
  if (!dir) throw new EarshotError('MISSING_PARAMETER', 'Which folder? earshot models import <dir> [--id id]');
  const info = await manager.import(dir, { id: values.id });
  process.stdout.write(
    `Imported ${info.id} (${info.family}${info.variants.length ? `: ${info.variants.join(', ')}` : ''}) into ${info.dir}\n`,
  );
  return 0;
}

async function remove(manager: ModelManager, argv: string[]): Promise<number> {
  const id = argv[0];
  if (!id) throw new EarshotError('MISSING_PARAMETER', 'Which model? earshot models remove <id>');
  await manager.remove(id);
  process.stdout.write(`Removed ${id}\n`);
  return 0;
}

async function setDefault(manager: ModelManager, argv: string[]): Promise<number> {
  const id = argv[0];
  if (!id) {
    const resolved = await manager.resolveModel();
    const chosen = await manager.getDefault();
    process.stdout.write(`${resolved.id}${chosen ? '' : ' (no default set: first installed or the bundled model)'}\n`);
    return 0;
  }
  await manager.setDefault(id);
  process.stdout.write(`Default model: ${id}\n`);
  return 0;
}

async function recommend(manager: ModelManager, argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { seconds: { type: 'string' }, english: { type: 'boolean' }, json: { type: 'boolean' } },
  });
  const seconds = values.seconds === undefined ? 2 : Number(values.seconds);
  if (!(seconds > 0 && seconds <= 60))
    throw new EarshotError('INVALID_PARAMETER', '--seconds must be between 0 and 60');
  const report = await manager.recommend({ seconds, englishOnly: values.english });
  if (values.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else process.stdout.write(describeRecommendation(report));
  return 0;
}

function describeRecommendation(r: RecommendReport): string {
  const lines = [
    `Machine: ${r.machine.cpuCores} CPU cores, ${formatBytes(r.machine.memoryBytes)} RAM; ${r.machine.deviceNote}`,
    `Recommended: ${r.recommendation.id}${r.recommendation.variant ? ` (${r.recommendation.variant})` : ''} — ${r.recommendation.reason}`,
  ];
  const c = r.calibration;
  if (c) {
    lines.push(
      `Measured: ${c.modelId}${c.variant ? ` ${c.variant}` : ''} ${c.file} on ${c.device}: ${c.msPerRun.toFixed(0)} ms per ${c.audioSecondsPerRun} s of audio (median of ${c.runs} runs, ${c.realtimeFactor.toFixed(1)}x real time, encoder only)`,
    );
  } else lines.push('Measured: nothing (no installed model to run)');
  if (r.expectedEncoderSecondsPer30s !== undefined) {
    const x = 30 / r.expectedEncoderSecondsPer30s;
    lines.push(
      `Expected for ${r.recommendation.id}: encoder about ${r.expectedEncoderSecondsPer30s.toFixed(2)} s per 30 s window (${x.toFixed(1)}x real time); decoding adds time per word`,
    );
  }
  if (r.recommendation.id.startsWith('whisper') && c?.modelId !== r.recommendation.id) {
    lines.push(
      `Get it: earshot models pull ${r.recommendation.id}${r.recommendation.variant ? ` --variant ${r.recommendation.variant}` : ''}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

function printTable(rows: string[][]): void {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  for (const r of rows)
    process.stdout.write(
      `${r
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd()}\n`,
    );
}
