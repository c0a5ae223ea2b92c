/**
 * `earshot transcribe <file-or-url>... [options]`: decode, transcribe with a local model, print or write the result.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { decodeStream } from '../core/audio/index.ts';
import type { DiarizationSummary, SpeechModel, TranscribeOptions, TranscriptResult } from '../core/asr/types.ts';
import { MeteredSegments, untilFinished } from '../core/asr/metered.ts';
import { transcribeAlongside } from '../core/diarize/alongside.ts';
import { checkSpeakerCount, createDiarizer, type DiarizerSetup } from '../core/diarize/index.ts';
import { chooseDiarizationModels } from '../core/diarize/models/resolve.ts';
import { EarshotError } from '../core/errors.ts';
import { type ExportFormat, exportTranscript } from '../core/export/index.ts';
import { type CliLicense, requireCliLicense } from './license-gate.ts';
import { diarizeWithArg, intArg } from './args.ts';
import { MODEL_OPTIONS, openModel } from './model-choice.ts';
import { cliEngine } from './engine.ts';

export const summary = 'Transcribe files or URLs to txt, srt, vtt or json';

const HELP = `Usage: earshot transcribe <file-or-url>... [options]

Options:
  --model <dir|id>       model folder or installed model id (default: your default model, else the bundled demo)
  --format <f>           txt | srt | vtt | json (default txt)
  --language <xx>        spoken language (default: detect)
  --task <t>             transcribe | translate (Whisper only)
  --device <d>           auto | cpu | gpu (default auto)
  --threads <n>          CPU threads
  --mode <m>             sequential | batched (Whisper long-audio mode)
  --beam <n>             beam size (default 1 = greedy)
  --prompt <text>        names and jargon to expect (Whisper initial prompt)
  --no-fallback          disable temperature fallback
  --no-vad               do not skip silence
  --diarize              label who speaks when (SPEAKER_00, SPEAKER_01, …)
  --speakers <n>         how many speakers there are (implies --diarize; default: estimated)
  --diarize-with <m>     auto | classical | neural (default auto: the installed pyannote + WeSpeaker models,
                         else the approximate classical method)
  --output <path>        write here instead of stdout (with several inputs: a folder)
  --quiet                no progress on stderr

Requires a license key in LICENSE_KEY (see 'earshot license').
`;

// The CLI's outputs: export formats (core/export EXPORT_FORMATS) that are plain text.
const FORMATS = ['txt', 'srt', 'vtt', 'json'] as const satisfies readonly ExportFormat[];

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ...MODEL_OPTIONS,
      format: { type: 'string', default: 'txt' },
      language: { type: 'string' },
      task: { type: 'string' },
      mode: { type: 'string' },
      beam: { type: 'string' },
      prompt: { type: 'string' },
      'no-fallback': { type: 'boolean', default: false },
      'no-vad': { type: 'boolean', default: false },
      diarize: { type: 'boolean', default: false },
      speakers: { type: 'string' },
      'diarize-with': { type: 'string' },
      output: { type: 'string', short: 'o' },
      quiet: { type: 'boolean', short: 'q', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (positionals.length === 0) {
    process.stderr.write(`earshot transcribe: give at least one file or URL\n\n${HELP}`);
    return 2;
  }
  const format = values.format as (typeof FORMATS)[number];
  if (!FORMATS.includes(format))
    throw new EarshotError('INVALID_PARAMETER', `--format must be one of ${FORMATS.join(', ')}`);
  if (values.task && !['transcribe', 'translate'].includes(values.task)) {
    throw new EarshotError('INVALID_PARAMETER', '--task must be transcribe or translate');
  }
  if (values.mode && !['sequential', 'batched'].includes(values.mode)) {
    throw new EarshotError('INVALID_PARAMETER', '--mode must be sequential or batched');
  }
  const numSpeakers = intArg(values.speakers, '--speakers');
  checkSpeakerCount(numSpeakers, '--speakers');
  const wanted = values.diarize || numSpeakers !== undefined || values['diarize-with'] !== undefined;
  const diarize = wanted
    ? {
        numSpeakers,
        threads: intArg(values.threads, '--threads'),
        models: chooseDiarizationModels(
          diarizeWithArg(values['diarize-with']) ?? 'auto',
          await cliEngine().models.list(),
        ),
      }
    : undefined;
  const license = await requireCliLicense();

  const model = await openModel(values);
  const log = (s: string) => {
    if (!values.quiet) process.stderr.write(s);
  };
  log(`Model ${model.name} on ${model.device.label}\n`);
  for (const f of model.device.fallbacks) log(`  (${f.provider} unavailable: ${f.reason})\n`);
  // Always shown, even with --quiet: a demo model's limits are part of reading its output honestly.
  if (model.notice) process.stderr.write(`Note: ${model.notice}\n`);

  let failures = 0;
  try {
    for (const input of positionals) {
      try {
        const options: TranscribeOptions = {
          language: values.language,
          task: values.task as TranscribeOptions['task'],
          mode: values.mode as TranscribeOptions['mode'],
          beamSize: intArg(values.beam, '--beam'),
          initialPrompt: values.prompt,
          temperatureFallback: !values['no-fallback'],
          vad: !values['no-vad'],
          wordTimestamps: true,
          onProgress: (p) => log(`\rTranscribing ${(p * 100).toFixed(0)}%`),
        };
        const started = performance.now();
        const { result, duration, exceeded } = await transcribeInput(model, input, options, license, diarize);
        const seconds = (performance.now() - started) / 1000;
        log(
          `\rTranscribed ${duration.toFixed(1)} s in ${seconds.toFixed(1)} s (${(duration / seconds).toFixed(1)}× real time)\n`,
        );
        if (result.diarization) log(`${speakerLine(result.diarization)}\n`);
        await emit(result, format, input, values.output, positionals.length > 1);
        // The quota ran out part-way: what was transcribed is written above; the run still fails, saying where.
        if (exceeded) throw quotaStop(exceeded, result);
      } catch (e) {
        if (positionals.length === 1) throw e;
        failures++;
        const msg = e instanceof EarshotError ? `${e.message} (${e.code})` : e instanceof Error ? e.message : String(e);
        process.stderr.write(`earshot transcribe: ${input}: ${msg}\n`);
      }
    }
  } finally {
    await model.dispose();
  }
  return failures ? 1 : 0;
}

/**
 * The decoder's chunks go to the model as they come, so memory stays at a few windows for any length. The quota is
 * charged as segments finish (core/license/quota.ts); when it runs out, the decode stops being read and the result
 * holds the segments paid for, with `exceeded` set.
 */
async function transcribeInput(
  model: SpeechModel,
  input: string,
  options: TranscribeOptions,
  license: CliLicense,
  diarize?: DiarizerSetup,
): Promise<{ result: TranscriptResult; duration: number; exceeded?: Error }> {
  const stream = await decodeStream(input);
  try {
    const durationHint = stream.meta.duration;
    return await license.run(async (meter) => {
      const finish = new AbortController();
      const metered = new MeteredSegments(meter, finish);
      const audio = untilFinished(stream, finish.signal);
      const opts = { ...options, durationHint };
      // Speakers are found from the same decode, beside the transcription.
      const diarized = diarize ? transcribeAlongside(model, audio, opts, await createDiarizer(diarize)) : undefined;
      const run = diarized?.run ?? model.transcribeStream(audio, opts);
      for await (const segment of run) metered.add(segment);
      const paid = await metered.settle(await run.result());
      const result = diarized ? (await diarized.label(paid)).result : paid;
      return { result, duration: result.duration, exceeded: metered.exceeded };
    });
  } finally {
    await stream.close();
  }
}

/** The error a quota stop ends the run with: the license's QUOTA_EXCEEDED, saying how far the output goes. */
function quotaStop(exceeded: Error, result: TranscriptResult): Error {
  if (!(exceeded instanceof EarshotError)) return exceeded;
  const end = result.segments.at(-1)?.end ?? 0;
  return new EarshotError(
    exceeded.code,
    `${exceeded.message} (resets at ${exceeded.details.resets_at}); stopped after ${end.toFixed(1)} s of audio, and the output holds the transcript up to there`,
    exceeded.details,
  );
}

function speakerLine(d: DiarizationSummary): string {
  const how = d.approximate ? 'approximate, no diarization model' : d.method;
  const found = `${d.speakers.length} speaker${d.speakers.length === 1 ? '' : 's'} (${how})`;
  return d.note ? `${found}: ${d.note}` : found;
}

async function emit(
  result: TranscriptResult,
  format: (typeof FORMATS)[number],
  input: string,
  output: string | undefined,
  many: boolean,
): Promise<void> {
  const text =
    format === 'json'
      ? `${JSON.stringify(
          {
            text: result.text,
            language: result.language,
            duration: result.duration,
            device: result.device,
            model: result.model,
            ...(result.diarization ? { diarization: result.diarization } : {}),
            segments: result.segments.map((s) => ({
              start: s.start,
              end: s.end,
              text: s.text.trim(),
              ...(s.speaker ? { speaker: s.speaker } : {}),
              words: s.words ?? [],
            })),
          },
          null,
          2,
        )}\n`
      : ((await exportTranscript({ ...result, title: path.basename(input) }, format as ExportFormat)).data as string);
  if (!output) {
    process.stdout.write(text);
    return;
  }
  const target = many
    ? path.join(output, `${path.basename(input).replace(/\.[^.]+$/, '') || 'transcript'}.${format}`)
    : output;
  await writeFile(target, text);
}
